package com.insurancehub.hub.platform.edge;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Takes one token from the caller's bucket, a row of {@code hub.rate_limit_buckets} shared by every hub instance.
 * Cost: one transaction of three round trips (SELECT ... FOR UPDATE, UPDATE, COMMIT; the first request of a caller
 * inserts the row first), timed as {@code hub_rate_limit_checks_seconds{outcome}}.
 */
public class RateLimiter {

    static final String CHECKS = "hub.rate_limit.checks";

    private final ProxyManager<String> buckets;
    private final RateLimitProperties properties;
    private final Timer allowed;
    private final Timer limited;
    private final Timer failed;

    public RateLimiter(ProxyManager<String> buckets, RateLimitProperties properties, MeterRegistry meters) {
        this.buckets = buckets;
        this.properties = properties;
        this.allowed = timer(meters, "allowed");
        this.limited = timer(meters, "limited");
        this.failed = timer(meters, "failed");
    }

    /** @throws RuntimeException when the bucket cannot be read or written (the database), timed as failed */
    public Decision check(RateLimitKeyResolver.Caller caller) {
        long limit = properties.limitOf(caller);
        Duration period = properties.period();
        // The limit is part of the key: a changed limit gets a new bucket rather than one stored with the old one
        String key = caller.key() + "@" + limit + "/" + period;
        long started = System.nanoTime();
        try {
            ConsumptionProbe probe = buckets.builder()
                    .build(key, () -> BucketConfiguration.builder()
                            .addLimit(Bandwidth.builder().capacity(limit).refillGreedy(limit, period).build())
                            .build())
                    .tryConsumeAndReturnRemaining(1);
            Decision decision = new Decision(probe.isConsumed(), limit, probe.getRemainingTokens(),
                    seconds(probe.getNanosToWaitForReset()), seconds(probe.getNanosToWaitForRefill()), period);
            (decision.allowed() ? allowed : limited).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return decision;
        } catch (RuntimeException e) {
            failed.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            throw e;
        }
    }

    /** Whole seconds, rounded up: a client told 0 would retry at once and be refused again. */
    private static long seconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
    }

    private static Timer timer(MeterRegistry meters, String outcome) {
        return Timer.builder(CHECKS).description("Rate limit checks on /api, by outcome (the database round trips)")
                .tag("outcome", outcome).publishPercentileHistogram(false).register(meters);
    }

    /**
     * @param resetSeconds      until the bucket is full again (RateLimit-Reset)
     * @param retryAfterSeconds until the next request would be allowed, when this one is not (Retry-After)
     */
    public record Decision(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds,
                           Duration period) {
    }
}
