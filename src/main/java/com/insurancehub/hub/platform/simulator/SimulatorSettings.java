package com.insurancehub.hub.platform.simulator;

import java.time.Duration;

/** The simulator's bounds and its client ({@code hub.simulator.*}). */
public record SimulatorSettings(double rate, double maxRate, int maxDurationSeconds, Duration peakDuration,
                                String slowConsumerRouteId, String invalidEventTopic, String billingUrl,
                                String tokenUri, String clientId, String clientSecret, String scopes) {
}
