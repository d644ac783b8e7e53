package com.insurancehub.hub.platform.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@code /actuator/health} answered from {@link HealthEvaluator}'s last results: the relay and consumer components,
 * and the systems behind the hub (group {@code downstream}, docs/architecture.md#health).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({HealthProperties.class, DownstreamProperties.class})
public class HealthConfiguration {

    @Bean
    public HealthEvaluator healthEvaluator(CamelContext camelContext, HealthProperties properties, Environment environment,
                                           ObjectProvider<HealthContributorRegistry> registry,
                                           ObjectProvider<MeterRegistry> meters, DownstreamProperties downstream) {
        HealthEvaluator evaluator = new HealthEvaluator(camelContext, properties, environment, registry, meters);
        if (downstream.enabled()) {
            evaluator.downstream(new DownstreamCheck(downstream), downstream.interval());
        }
        return evaluator;
    }

    /** Component {@code systems}: one per system behind the hub ({@code hub.health.downstream.systems}). */
    @Bean
    public CompositeHealthContributor systems(HealthEvaluator evaluator, DownstreamProperties downstream) {
        Map<String, HealthIndicator> systems = new LinkedHashMap<>();
        downstream.systems().keySet().forEach(name ->
                systems.put(name, downstream(evaluator, downstream, DownstreamCheck.system(name))));
        return CompositeHealthContributor.fromMap(systems);
    }

    /** Component {@code identityProvider}: its key set answers (the edge checks new tokens against it). */
    @Bean
    public HealthIndicator identityProvider(HealthEvaluator evaluator, DownstreamProperties downstream) {
        return downstream(evaluator, downstream, DownstreamCheck.IDENTITY_PROVIDER);
    }

    /** Component {@code lraCoordinator}: the sagas' coordinator where profile lra uses one, else UNKNOWN. */
    @Bean
    public HealthIndicator lraCoordinator(HealthEvaluator evaluator, DownstreamProperties downstream) {
        return downstream.lraCoordinator() == null
                ? () -> Health.unknown().withDetail("reason", "no LRA coordinator here (profile lra off)").build()
                : downstream(evaluator, downstream, DownstreamCheck.LRA_COORDINATOR);
    }

    /** Component {@code relayLeadership}: whether some instance leads the outbox relays, and whether this one does. */
    @Bean
    public HealthIndicator relayLeadership(HealthEvaluator evaluator, HealthProperties properties) {
        return properties.relays().enabled() ? evaluator.indicator(HealthEvaluator.RELAY_LEADERSHIP)
                : () -> Health.unknown()
                        .withDetail("reason", "not checked (hub.health.relays.enabled is false)").build();
    }

    private static HealthIndicator downstream(HealthEvaluator evaluator, DownstreamProperties downstream, String name) {
        return downstream.enabled() ? evaluator.indicator(name)
                : () -> Health.unknown().withDetail("reason", "not checked (hub.health.downstream.enabled is false)").build();
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
