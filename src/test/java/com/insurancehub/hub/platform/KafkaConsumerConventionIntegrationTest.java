package com.insurancehub.hub.platform;

import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.insurancehub.hub.HubIntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conventions of every Kafka consumer route of the hub, Java and YAML alike: its consumer group is
 * {@code hub.consumer.group-prefix} and its route id (shared by every hub instance, and never a second list to keep),
 * and its errors follow {@code kafka-consumer-errors} (retries, then {@code <topic>.dlq}).
 */
@HubIntegrationTest
class KafkaConsumerConventionIntegrationTest {

    /** Stores the dead letters themselves: no DLQ of the DLQ, it retries until the database takes the record. */
    private static final String DEAD_LETTER_STORE = "dead-letter-topics-to-store";

    @Autowired
    CamelContext camelContext;

    @Test
    void everyKafkaConsumerIsInTheGroupOfItsRouteIdAndFollowsTheConsumerErrorConvention() {
        String prefix = camelContext.resolvePropertyPlaceholders("{{hub.consumer.group-prefix}}");
        List<Route> consumers = camelContext.getRoutes().stream()
                .filter(route -> route.getEndpoint() instanceof KafkaEndpoint)
                .toList();

        assertThat(consumers).extracting(Route::getRouteId)
                .contains("policy-created-to-billing", "claim-opened-to-notifications", "policy-events-to-replica",
                        DEAD_LETTER_STORE);
        assertThat(consumers).allSatisfy(route -> {
            assertThat(((KafkaEndpoint) route.getEndpoint()).getConfiguration().getGroupId())
                    .as("consumer group of %s", route.getRouteId())
                    .isEqualTo(prefix + route.getRouteId());
            if (!DEAD_LETTER_STORE.equals(route.getRouteId())) {
                assertThat(route.getConfigurationId()).as("route configuration of %s", route.getRouteId())
                        .isEqualTo("kafka-consumer-errors");
            }
        });
    }
}
