package com.insurancehub.hub.platform.simulator;

import java.time.Duration;

/** The simulator's bounds and its client ({@code hub.simulator.*}). */
public record SimulatorSettings(double rate, double maxRate, int workers, int maxDurationSeconds, Duration peakDuration,
                                String slowConsumerRouteId, String invalidEventTopic, String billingUrl,
                                String tokenUri, String clientId, String clientSecret, String scopes) {

    public SimulatorSettings {
        // PEAK is ten times NORMAL: a max-rate below would quietly make it less
        if (maxRate < rate * 10) {
            throw new IllegalArgumentException("hub.simulator.max-rate (" + maxRate + ") must be at least ten times hub.simulator.rate ("
                    + rate + "), PEAK's rate");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("hub.simulator.workers must be at least 1");
        }
    }
}
