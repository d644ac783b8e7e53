package com.insurancehub.hub.platform.edge;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * F07 rate limits: token buckets in PostgreSQL ({@code hub.rate_limit_buckets}), so that every hub instance counts
 * against the same buckets; a check is one call of {@code hub.take_rate_limit_token} (Flyway V19). A row lock, not an
 * advisory lock: advisory lock ids are one 64-bit space per database that the hub already uses (the outbox relay
 * leadership holds a session lock for hours, {@code hub.apply_policy_event} locks per policy), so a bucket key hashing
 * onto the leader's lock would block that caller's requests for as long as the leader lives. A row lock cannot
 * collide with anything but its own row.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
@ConditionalOnProperty(prefix = "hub.rate-limits", name = "enabled", havingValue = "true")
public class RateLimitConfiguration {

    /** Created by Flyway, V19__rate_limit_one_statement.sql. */
    static final String TABLE = "hub.rate_limit_buckets";

    @Bean
    @ConditionalOnMissingBean
    public RateLimitKeyResolver rateLimitKeyResolver() {
        return new PrincipalOrAddressKeyResolver();
    }

    @Bean
    public RateLimiter rateLimiter(DataSource dataSource, RateLimitProperties properties, MeterRegistry meters) {
        return new RateLimiter(dataSource, properties, meters);
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
