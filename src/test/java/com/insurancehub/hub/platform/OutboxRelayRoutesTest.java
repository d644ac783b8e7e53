package com.insurancehub.hub.platform;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of pas-outbox-to-kafka and billing-outbox-to-kafka (D01): Debezium replaced by a direct
 * endpoint fed with what Debezium hands over (the row as the body, identifier and operation headers); the
 * kamelet and Kafka real.
 */
@RouteDomains("platform")
class OutboxRelayRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void adviceRoutes() {
        route("pas-outbox-to-kafka").from("direct:pas-outbox");
        route("billing-outbox-to-kafka").from("direct:billing-outbox");
        mockDeadLetterTopic();
    }

    @Override
    protected void afterCamelStarted() throws Exception {
        // hub.outbox.enabled=false in this context: start the advised relays by hand
        camelContext.getRouteController().startRoute("pas-outbox-to-kafka");
        camelContext.getRouteController().startRoute("billing-outbox-to-kafka");
    }

    @Test
    void anOutboxInsertBecomesItsEventKeyedByTheAggregateWithTheRowIdAsEventId() throws Exception {
        String rowId = UUID.randomUUID().toString();
        String policyId = "P-" + UUID.randomUUID();

        template.sendBodyAndHeaders("direct:pas-outbox", row(rowId, "policy", policyId, "PolicyCreated", """
                {"policyId":"%s","policyNumber":"POL-1","quoteId":"Q-1","customerId":"C-1","product":"HOME",
                 "premium":120.5,"currency":"EUR","status":"ISSUED"}""".formatted(policyId)), insert("pas"));

        try (KafkaRecords events = KafkaRecords.of("insurance.policy.events")) {
            ConsumerRecord<String, String> record = events.awaitKey(policyId, Duration.ofSeconds(10));
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("PolicyCreated");
            assertThat(KafkaRecords.header(record, "traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            JsonNode envelope = JSON.readTree(record.value());
            assertThat(envelope.get("eventId").asText()).isEqualTo(rowId);
            assertThat(envelope.get("aggregateVersion").asInt()).isEqualTo(2);
            assertThat(envelope.get("occurredAt").asText()).isEqualTo("2026-11-22T10:00:00.123456Z");
            assertThat(envelope.at("/data/premium").asDouble()).isEqualTo(120.5);
        }
    }

    @Test
    void billingRowsGoToTheBillingTopic() {
        String accountId = "A-" + UUID.randomUUID();

        template.sendBodyAndHeaders("direct:billing-outbox", row(UUID.randomUUID().toString(), "billing", accountId,
                "BillingAccountOpened", "{\"accountId\":\"%s\",\"policyId\":\"P-1\",\"status\":\"OPEN\"}".formatted(accountId)),
                insert("billing"));

        try (KafkaRecords events = KafkaRecords.of("insurance.billing.events")) {
            assertThat(KafkaRecords.header(events.awaitKey(accountId, Duration.ofSeconds(10)), "eventType"))
                    .isEqualTo("BillingAccountOpened");
        }
    }

    @Test
    void heartbeatsUpdatesAndDeletesAreNotEvents() throws Exception {
        mock("dlq").expectedMessageCount(0);
        String policyId = "P-" + UUID.randomUUID();
        Map<String, Object> row = row(UUID.randomUUID().toString(), "policy", policyId, "PolicyCreated", "{}");

        template.sendBodyAndHeaders("direct:pas-outbox", Map.of("source", "pas"),
                Map.of(DebeziumConstants.HEADER_IDENTIFIER, "hub-pas.relay.outbox_heartbeat", DebeziumConstants.HEADER_OPERATION, "u"));
        template.sendBodyAndHeaders("direct:pas-outbox", row,
                Map.of(DebeziumConstants.HEADER_IDENTIFIER, "hub-pas.pas.outbox", DebeziumConstants.HEADER_OPERATION, "d"));

        MockEndpoint.assertIsSatisfied(camelContext);
        try (KafkaRecords events = KafkaRecords.of("insurance.policy.events")) {
            org.awaitility.Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                    .until(() -> events.matching(r -> policyId.equals(r.key())).isEmpty());
        }
    }

    @Test
    void aRowThatBreaksItsEventSchemaIsDeadLetteredAndTheRelayGoesOn() throws Exception {
        mock("dlq").expectedMessageCount(1);
        mock("dlq").expectedHeaderReceived("dlqOriginalTopic", "insurance.policy.events");

        template.sendBodyAndHeaders("direct:pas-outbox",
                row(UUID.randomUUID().toString(), "policy", "P-bad", "PolicyCreated", "{\"policyId\":\"P-bad\"}"), insert("pas"));

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqReason", String.class))
                .contains("premium");
    }

    private static Map<String, Object> insert(String source) {
        return Map.of(DebeziumConstants.HEADER_IDENTIFIER, "hub-" + source + "." + source + ".outbox",
                DebeziumConstants.HEADER_OPERATION, "c");
    }

    /** An outbox row as the Debezium consumer hands it over (column name to value). */
    private static Map<String, Object> row(String id, String aggregateType, String aggregateId, String eventType, String payload) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("aggregate_type", aggregateType);
        row.put("aggregate_id", aggregateId);
        row.put("aggregate_version", 2);
        row.put("event_type", eventType);
        row.put("payload", payload);
        row.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        row.put("created_at", "2026-11-22T10:00:00.123456Z");
        return row;
    }
}
