package com.insurancehub.hub.platform;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.jsonvalidator.JsonValidationException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.KafkaRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** R05 and the event conventions, through the insurance-event-sink kamelet every publisher uses. */
@HubIntegrationTest
class EventContractIntegrationTest {

    private static final String SINK = "kamelet:insurance-event-sink?topic=insurance.quote.events&eventType=QuoteGenerated";

    @Autowired
    ProducerTemplate template;

    @Test
    void anEventThatBreaksItsSchemaIsRefusedBeforeKafka() {
        String quoteId = "Q-" + UUID.randomUUID();
        String noPremium = "{\"quoteId\":\"" + quoteId + "\",\"product\":\"AUTO\",\"currency\":\"EUR\",\"ratingSource\":\"CACHE\","
                + "\"validUntil\":\"2026-12-22T10:00:00.000Z\",\"customer\":{\"email\":\"a@example.com\"}}";

        assertThatThrownBy(() -> template.sendBodyAndHeaders(SINK, noPremium,
                Map.of("aggregateId", quoteId, "aggregateVersion", "1")))
                .isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOf(JsonValidationException.class).hasMessageContaining("premium");

        try (KafkaRecords events = KafkaRecords.of("insurance.quote.events")) {
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .until(() -> events.matching(r -> quoteId.equals(r.key())).isEmpty());
        }
    }

    @Test
    void aValidEventTravelsInTheEnvelopeKeyedByItsAggregate() throws Exception {
        String quoteId = "Q-" + UUID.randomUUID();
        String data = "{\"quoteId\":\"" + quoteId + "\",\"product\":\"AUTO\",\"premium\":12.5,\"currency\":\"EUR\","
                + "\"ratingSource\":\"CACHE\",\"validUntil\":\"2026-12-22T10:00:00.000Z\",\"customer\":{\"email\":\"a@example.com\"}}";

        template.sendBodyAndHeaders(SINK, data, Map.of("aggregateId", quoteId, "aggregateVersion", "3",
                "someInternalHeader", "must not travel"));

        try (KafkaRecords events = KafkaRecords.of("insurance.quote.events")) {
            ConsumerRecord<String, String> record = events.awaitKey(quoteId, Duration.ofSeconds(10));
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("QuoteGenerated");
            assertThat(KafkaRecords.header(record, "someInternalHeader")).isNull();
            JsonNode envelope = new ObjectMapper().readTree(record.value());
            assertThat(envelope.get("aggregateVersion").asInt()).isEqualTo(3);
            assertThat(UUID.fromString(envelope.get("eventId").asText())).isNotNull();
            assertThat(envelope.get("data").get("premium").asDouble()).isEqualTo(12.5);
            assertThat(record.value()).doesNotContain("\n");
        }
    }
}
