package com.insurancehub.hub.quote;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * F02's rating cache, the {@code caffeine-cache:ratings} of rate-risk.camel.yaml: bounded AND expiring
 * (the component alone offers one or the other). Per instance by design: a rating is a pure function of
 * the risk, so instances need not share it.
 */
@Configuration(proxyBeanMethods = false)
public class RatingCacheConfiguration {

    @Bean("ratings")
    public Cache<Object, Object> ratings(@Value("${hub.rating.cache.maximum-size}") long maximumSize,
                                         @Value("${hub.rating.cache.expire-after-write}") long expireAfterWriteSeconds) {
        return Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfterWrite(Duration.ofSeconds(expireAfterWriteSeconds))
                .recordStats()
                .build();
    }
}
