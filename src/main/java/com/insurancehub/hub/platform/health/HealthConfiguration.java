package com.insurancehub.hub.platform.health;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** {@code /actuator/health} answered from {@link HealthEvaluator}'s last results; the relay and consumer components. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HealthProperties.class)
public class HealthConfiguration {

    @Bean
    public HealthEvaluator healthEvaluator(CamelContext camelContext, HealthProperties properties, Environment environment,
                                           ObjectProvider<HealthContributorRegistry> registry,
                                           ObjectProvider<MeterRegistry> meters) {
        return new HealthEvaluator(camelContext, properties, environment, registry, meters);
    }

    /** Component {@code outboxRelays}: see {@link OutboxRelayCheck}. */
    @Bean
    public HealthIndicator outboxRelays(HealthEvaluator evaluator, HealthProperties properties) {
        return properties.relays().enabled() ? evaluator.indicator(HealthEvaluator.RELAYS)
                : () -> Health.unknown()
                        .withDetail("reason", "not checked (hub.health.relays.enabled is false)").build();
    }

    /** Component {@code consumerGroups}: see {@link ConsumerGroupCheck}. */
    @Bean
    public HealthIndicator consumerGroups(HealthEvaluator evaluator, HealthProperties properties) {
        return properties.consumers().enabled() ? evaluator.indicator(HealthEvaluator.CONSUMERS)
                : () -> Health.unknown()
                        .withDetail("reason", "not checked (hub.health.consumers.enabled is false)").build();
    }
}
