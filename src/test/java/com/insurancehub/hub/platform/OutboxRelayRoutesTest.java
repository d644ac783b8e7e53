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
 * AdviceWith test of pas-outbox-to-kafka, billing-outbox-to-kafka and quote-engine-outbox-to-kafka (D01): Debezium replaced by a direct
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
        route("quote-engine-outbox-to-kafka").from("direct:quote-engine-outbox");
        mockDeadLetterTopic();
    }

    @Override
    protected void afterCamelStarted() throws Exception {
        // hub.outbox.enabled=false in this context: start the advised relays by hand
        camelContext.getRouteController().startRoute("pas-outbox-to-kafka");
        camelContext.getRouteController().startRoute("billing-outbox-to-kafka");
        camelContext.getRouteController().startRoute("quote-engine-outbox-to-kafka");
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
    void aRowNamedAfterItsEventKeepsItsNameAsEventId() throws Exception {
        String accountId = "A-" + UUID.randomUUID();
        String eventId = "PaymentOverdue-I-" + UUID.randomUUID() + "-1";

        template.sendBodyAndHeaders("direct:billing-outbox", row(eventId, "billing-account", accountId, "PaymentOverdue", """
                {"invoiceId":"I-1","policyId":"P-1","accountId":"%s","amount":80.00,"currency":"EUR","dueDate":"2001-01-08",
                 "dunningLevel":1,"notice":"REMINDER","graceExpired":false,"accountVersion":2}""".formatted(accountId)),
                insert("billing"));

        try (KafkaRecords events = KafkaRecords.of("insurance.billing.events")) {
            ConsumerRecord<String, String> record = events.awaitKey(accountId, Duration.ofSeconds(10));
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("PaymentOverdue");
            assertThat(JSON.readTree(record.value()).get("eventId").asText()).isEqualTo(eventId);
        }
    }

    @Test
    void quoteEngineRowsGoToTheQuoteTopic() throws Exception {
        String quoteId = "Q-" + UUID.randomUUID();

        template.sendBodyAndHeaders("direct:quote-engine-outbox", row(UUID.randomUUID().toString(), "quote", quoteId,
                "QuoteExpired", """
                {"quoteId":"%s","product":"AUTO","validUntil":"2026-11-01T00:00:00Z","customer":{"email":"x@example.com"}}"""
                        .formatted(quoteId)),
                Map.of(DebeziumConstants.HEADER_IDENTIFIER, "hub-quote-engine.quote_engine.outbox",
                        DebeziumConstants.HEADER_OPERATION, "c"));

        try (KafkaRecords events = KafkaRecords.of("insurance.quote.events")) {
            ConsumerRecord<String, String> record = events.awaitKey(quoteId, Duration.ofSeconds(10));
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("QuoteExpired");
            assertThat(JSON.readTree(record.value()).at("/data/customer/email").asText()).isEqualTo("x@example.com");
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
