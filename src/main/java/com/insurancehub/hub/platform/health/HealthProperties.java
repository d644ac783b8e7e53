package com.insurancehub.hub.platform.health;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code hub.health.*} (application.yaml says why each value is what it is).
 *
 * @param enabled    whether {@link HealthEvaluator} runs; off, Camel's and Spring's indicators answer per request as
 *                   they come, and the relay and consumer components say UNKNOWN
 * @param interval   pause between two evaluations
 * @param timeout    bound of each call an evaluation makes to Kafka or PostgreSQL
 * @param staleAfter a result older than this is DOWN: the evaluator is stuck
 */
@ConfigurationProperties("hub.health")
public record HealthProperties(
        boolean enabled,
        Duration interval,
        Duration timeout,
        Duration staleAfter,
        Relays relays,
        Consumers consumers) {

    /**
     * @param notRunningAfter a relay's replication slot without a reader longer than this: no relay runs anywhere
     * @param stalledAfter    an outbox row not confirmed published this long after it was written: the relay stalls
     */
    public record Relays(boolean enabled, Duration notRunningAfter, Duration stalledAfter) {
    }

    /** @param stuckAfter a group with lag whose committed offset has not moved for this long is stuck */
    public record Consumers(boolean enabled, Duration stuckAfter) {
    }
}
