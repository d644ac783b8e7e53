package com.insurancehub.mocks.platform;

/**
 * The fault switches of a mock: added latency, a share of requests answered 500, or the whole system down (503).
 */
public record Faults(int latencyMs, double errorRate, boolean down) {

    public static final Faults NONE = new Faults(0, 0.0, false);

    public Faults {
        if (latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs must be >= 0");
        }
        if (errorRate < 0 || errorRate > 1) {
            throw new IllegalArgumentException("errorRate must be between 0 and 1");
        }
    }
}
