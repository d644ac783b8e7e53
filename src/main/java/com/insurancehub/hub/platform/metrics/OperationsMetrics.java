package com.insurancehub.hub.platform.metrics;

import java.util.List;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.component.resilience4j.ResilienceProcessor;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import com.insurancehub.hub.platform.outbox.OutboxRelayEndpoint;
import com.insurancehub.hub.platform.outbox.OutboxRelayLeadership;

/**
 * The operations gauges of O02 read from what the routes already hold (no I/O at scrape time), registered once the
 * hub is ready (its routes and services exist):
 * <ul>
 * <li>{@code hub_breaker_state{name,route}}: each circuit breaker of the routes (Camel's Resilience4j processor, by its
 * step id), Resilience4j's state order: 0 CLOSED, 1 OPEN, 2 HALF_OPEN, 3 DISABLED, 4 FORCED_OPEN, 5 METRICS_ONLY.
 * Camel builds its breakers outside any Resilience4j registry, so Resilience4j's own binder cannot see them.</li>
 * <li>{@code hub_relay_leader{relay}}: 1 when this instance leads that single-reader route (outbox relays, business
 * change capture: {@link OutboxRelayLeadership}), else 0. Summed over the instances: 1 when all is well.</li>
 * <li>{@code hub_relay_position_lsn{relay}}, {@code hub_relay_position_timestamp_seconds{relay}}: WAL position and time of
 * the last batch this instance relayed (heartbeats included, so an idle relay moves too); NaN before one.</li>
 * <li>{@code hub_subscription_sagas_total{outcome}} (completed, failed, compensated): counted by the saga's routes
 * (micrometer: endpoints), registered here at 0 so that a rate is defined before the first of each.</li>
 * </ul>
 */
@Component
public class OperationsMetrics {

    /** The subscription saga's outcomes, as its routes count them. */
    public static final List<String> SAGA_OUTCOMES = List.of("completed", "failed", "compensated");

    private final CamelContext camelContext;
    private final ApplicationContext applicationContext;
    private final MeterRegistry registry;
    private boolean registered;

    public OperationsMetrics(CamelContext camelContext, ApplicationContext applicationContext, MeterRegistry registry) {
        this.camelContext = camelContext;
        this.applicationContext = applicationContext;
        this.registry = registry;
        for (String outcome : SAGA_OUTCOMES) {
            Counter.builder("hub.subscription.sagas").tag("outcome", outcome)
                    .description("Subscription sagas (F03) by outcome: completed, failed (a step failed), compensated")
                    .register(registry);
        }
    }

    @EventListener
    public synchronized void register(ApplicationReadyEvent ready) {
        if (registered || ready.getApplicationContext() != applicationContext) {
            return;
        }
        registered = true;
        for (Route route : camelContext.getRoutes()) {
            for (Processor processor : route.filter("*")) {
                if (processor instanceof ResilienceProcessor breaker) {
                    Gauge.builder("hub.breaker.state", breaker, OperationsMetrics::stateOrder)
                            .description("Circuit breaker state: 0 CLOSED, 1 OPEN, 2 HALF_OPEN, 3 DISABLED, 4 FORCED_OPEN, 5 METRICS_ONLY")
                            .tag("name", breaker.getId()).tag("route", route.getRouteId()).register(registry);
                }
            }
            if (route.getEndpoint() instanceof OutboxRelayEndpoint relay) {
                Gauge.builder("hub.relay.position.lsn", relay, OutboxRelayEndpoint::lastRelayedLsn)
                        .description("WAL position (LSN) of the last batch this instance relayed")
                        .tag("relay", route.getRouteId()).register(registry);
                Gauge.builder("hub.relay.position.timestamp.seconds", relay, OutboxRelayEndpoint::lastRelayedAt)
                        .description("When this instance last relayed a batch (epoch seconds)")
                        .tag("relay", route.getRouteId()).register(registry);
            }
        }
        for (OutboxRelayLeadership leadership : camelContext.hasServices(OutboxRelayLeadership.class)) {
            for (String relay : leadership.relayRouteIds()) {
                Gauge.builder("hub.relay.leader", leadership, l -> l.isLeader() ? 1 : 0)
                        .description("1 when this instance leads the relay (holds its leadership lock)")
                        .tag("relay", relay).register(registry);
            }
        }
    }

    private static double stateOrder(ResilienceProcessor breaker) {
        CircuitBreaker circuitBreaker = breaker.getCircuitBreaker();
        return circuitBreaker == null ? Double.NaN : circuitBreaker.getState().getOrder();
    }
}
