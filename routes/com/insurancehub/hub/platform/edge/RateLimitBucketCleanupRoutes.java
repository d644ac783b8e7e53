package com.insurancehub.hub.platform.edge;

import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * F07 - rate limit buckets full again for {@code hub.rate-limits.keep-after-refill} say nothing a new bucket would
 * not: every instance deletes the expired rows now and then (SKIP LOCKED keeps the instances apart), else each
 * anonymous address would leave a row forever. Made by {@link RateLimitConfiguration} when rate limits are on.
 */
public class RateLimitBucketCleanupRoutes extends RouteBuilder {

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final int batchSize;

    public RateLimitBucketCleanupRoutes(PostgreSQLSelectForUpdateBasedProxyManager<String> buckets, int batchSize) {
        this.buckets = buckets;
        this.batchSize = batchSize;
    }

    @Override
    public void configure() {
        from("timer:rate-limit-bucket-cleanup?period={{hub.rate-limits.cleanup.interval}}")
                .routeId("clean-rate-limit-buckets")
                .description("F07 - delete the expired rate limit buckets (every instance; SKIP LOCKED keeps them apart)")
                .process(exchange -> exchange.getMessage().setBody(buckets.removeExpired(batchSize)))
                .id("delete-expired-buckets")
                .log(LoggingLevel.DEBUG, "Deleted ${body} expired rate limit buckets");
    }
}
