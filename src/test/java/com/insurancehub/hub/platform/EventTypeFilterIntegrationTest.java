package com.insurancehub.hub.platform;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.KafkaRecords;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer side of every topic on the real broker: records of event types a consumer route does not handle are
 * dropped by the Kafka client ({@link EventTypeFilter}) before Camel makes exchanges of them, and a record without
 * the eventType header still reaches the route - which dead-letters it when it is no event (R04).
 */
@HubIntegrationTest
class EventTypeFilterIntegrationTest {

    private static final String TOPIC = "insurance.billing.events";
    private static final String ROUTE = "payment-received-to-pas";

    @Autowired
    CamelContext camelContext;

    @Test
    void otherEventTypesNeverBecomeExchangesAndARecordWithoutTheHeaderStillArrives() {
        long before = exchangesOf(ROUTE);
        String run = "A-" + UUID.randomUUID();
        int others = 200;
        // a type no consumer of the topic handles (the event store keeps every known billing type): no route may see it
        IntStream.range(0, others).forEach(i -> KafkaRecords.send(TOPIC, run, "not for this route " + i,
                Map.of("eventType", "BillingStatementPrinted")));
        // same key, same partition: behind the others
        KafkaRecords.send(TOPIC, run, "{no header, not an event", Map.of());

        try (KafkaRecords dlq = KafkaRecords.of(TOPIC + ".dlq")) {
            ConsumerRecord<String, String> dead = dlq.await(r -> run.equals(r.key())
                    && ROUTE.equals(KafkaRecords.header(r, "dlqFailedRoute")), Duration.ofSeconds(20));
            assertThat(dead.value()).isEqualTo("{no header, not an event");
            assertThat(dlq.matching(r -> run.equals(r.key()) && r.value().startsWith("not for this route"))).isEmpty();
        }
        // the header-less record made one exchange; the 200 others none (other tests' payments may add a few)
        assertThat(exchangesOf(ROUTE) - before).isBetween(1L, 10L);
    }

    private long exchangesOf(String routeId) {
        return camelContext.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute(routeId).getExchangesTotal();
    }
}
