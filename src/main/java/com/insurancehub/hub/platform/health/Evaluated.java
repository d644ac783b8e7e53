package com.insurancehub.hub.platform.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/** A component's last result, as {@link HealthEvaluator} left it. */
record Evaluated(Health health, Instant evaluatedAt, Duration took) {

    /**
     * The component of {@code /actuator/health} that answers from the last result at once, with its time and age; a
     * result older than {@code staleAfter} is DOWN (the evaluator is stuck), no result yet is DOWN too.
     */
    static HealthIndicator indicator(Supplier<Evaluated> last, Duration staleAfter, Clock clock) {
        return () -> {
            Evaluated evaluated = last.get();
            if (evaluated == null) {
                return Health.down().withDetail("reason", "not evaluated yet").build();
            }
            long ageMs = Duration.between(evaluated.evaluatedAt(), clock.instant()).toMillis();
            Health.Builder builder = Health.status(evaluated.health().getStatus())
                    .withDetails(evaluated.health().getDetails())
                    .withDetail("evaluatedAt", evaluated.evaluatedAt().toString())
                    .withDetail("ageMs", ageMs)
                    .withDetail("tookMs", evaluated.took().toMillis());
            if (ageMs > staleAfter.toMillis()) {
                builder.status(Status.DOWN).withDetail("reason", "not evaluated for " + ageMs / 1000
                        + " s (hub.health.stale-after " + staleAfter.toSeconds() + " s): the health evaluator is stuck");
            }
            return builder.build();
        };
    }
}
