package com.insurancehub.hub.platform.edge;

import javax.sql.DataSource;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * F07 rate limits: Bucket4j token buckets in PostgreSQL, so that every hub instance counts against the same buckets.
 *
 * <p>Locking: SELECT ... FOR UPDATE on the bucket's row rather than {@code pg_advisory_xact_lock}. It is one round
 * trip fewer (lock and read are one statement: 3 in all, against 4), and the hub already uses advisory locks (the
 * outbox relay leadership holds a session lock for hours, {@code hub.apply_policy_event} locks per policy): advisory
 * lock ids are one 64-bit space per database, so a bucket key hashing onto the leader's lock would block that
 * caller's requests for as long as the leader lives. A row lock cannot collide with anything but its own row.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
@ConditionalOnProperty(prefix = "hub.rate-limits", name = "enabled", havingValue = "true")
public class RateLimitConfiguration {

    /** Created by Flyway, V8__rate_limit_buckets.sql. */
    static final String TABLE = "hub.rate_limit_buckets";

    @Bean
    public PostgreSQLSelectForUpdateBasedProxyManager<String> rateLimitBuckets(DataSource dataSource, RateLimitProperties properties) {
        return Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(TABLE)
                .requestTimeout(properties.requestTimeout())
                // Each row gets expires_at = when its bucket is full again + keep-after-refill: the clean-up route's cue
                // (routes-yaml/platform/rate-limit-bucket-cleanup.camel.yaml)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(properties.keepAfterRefill()))
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    public RateLimitKeyResolver rateLimitKeyResolver() {
        return new PrincipalOrAddressKeyResolver();
    }

    @Bean
    public RateLimiter rateLimiter(PostgreSQLSelectForUpdateBasedProxyManager<String> rateLimitBuckets,
                                   RateLimitProperties properties, MeterRegistry meters) {
        return new RateLimiter(rateLimitBuckets, properties, meters);
    }

    @Bean
    public FilterRegistrationBean<RateLimitFilter> rateLimitFilter(RateLimitKeyResolver resolver, RateLimiter limiter,
                                                                   RateLimitProperties properties) {
        FilterRegistrationBean<RateLimitFilter> registration =
                new FilterRegistrationBean<>(new RateLimitFilter(resolver, limiter, properties.failOpen()));
        registration.setUrlPatterns(properties.urlPatterns());
        registration.setOrder(properties.filterOrder());
        return registration;
    }
}
