package com.insurancehub.hub.platform.edge;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Takes one token from the caller's bucket, a row of {@code hub.rate_limit_buckets} shared by every hub instance:
 * one call of the database function {@code hub.take_rate_limit_token} (Flyway V19, which says how the bucket works),
 * one round trip in autocommit, timed as {@code hub_rate_limit_checks_seconds{outcome}}.
 */
public class RateLimiter {

    static final String CHECKS = "hub.rate_limit.checks";
    private static final String TAKE_TOKEN =
            "SELECT allowed, full_at_us, now_us FROM hub.take_rate_limit_token(?, ?, ?, ?)";

    private final DataSource dataSource;
    private final RateLimitProperties properties;
    private final int timeoutSeconds;
    private final Timer allowed;
    private final Timer limited;
    private final Timer failed;

    public RateLimiter(DataSource dataSource, RateLimitProperties properties, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.properties = properties;
        // JDBC's timeout is in whole seconds: rounded up, at least one
        this.timeoutSeconds = (int) Math.max(1, (properties.requestTimeout().toMillis() + 999) / 1000);
        this.allowed = timer(meters, "allowed");
        this.limited = timer(meters, "limited");
        this.failed = timer(meters, "failed");
    }

    /** @throws RuntimeException when the bucket cannot be read or written (the database), timed as failed */
    public Decision check(RateLimitKeyResolver.Caller caller) {
        long limit = properties.limitOf(caller);
        Duration period = properties.period();
        // The limit is part of the key: a changed limit gets a new bucket rather than one counted with the old one
        String key = caller.key() + "@" + limit + "/" + period;
        long periodMicros = TimeUnit.NANOSECONDS.toMicros(period.toNanos());
        long intervalMicros = Math.max(1, periodMicros / limit);
        long started = System.nanoTime();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(TAKE_TOKEN)) {
            statement.setQueryTimeout(timeoutSeconds);
            statement.setString(1, key);
            statement.setLong(2, intervalMicros);
            statement.setLong(3, periodMicros);
            statement.setLong(4, properties.keepAfterRefill().toMillis());
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                Decision decision = decision(row.getBoolean(1), row.getLong(2), row.getLong(3), limit, intervalMicros,
                        periodMicros, period);
                (decision.allowed() ? allowed : limited).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                return decision;
            }
        } catch (SQLException | RuntimeException e) {
            failed.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * What the bucket's theoretical arrival time means for the caller: the tokens left (the period still free before
     * it, in intervals), the time until it is full again, and when refused the time until one more request fits.
     */
    static Decision decision(boolean allowed, long fullAtMicros, long nowMicros, long limit, long intervalMicros,
                             long periodMicros, Duration period) {
        long untilFull = Math.max(0, fullAtMicros - nowMicros);
        long remaining = allowed ? Math.max(0, Math.min(limit, (periodMicros - untilFull) / intervalMicros)) : 0;
        long untilNext = allowed ? 0 : Math.max(0, fullAtMicros + intervalMicros - periodMicros - nowMicros);
        return new Decision(allowed, limit, remaining, seconds(untilFull), seconds(untilNext), period);
    }

    /** Whole seconds, rounded up: a client told 0 would retry at once and be refused again. */
    private static long seconds(long micros) {
        return micros <= 0 ? 0 : (micros + 999_999) / 1_000_000;
    }

    private static Timer timer(MeterRegistry meters, String outcome) {
        return Timer.builder(CHECKS).description("Rate limit checks on /api, by outcome (the database round trip)")
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
