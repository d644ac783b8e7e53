package com.insurancehub.hub.platform;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.insurancehub.hub.platform.outbox.OutboxRow;
import org.apache.camel.Message;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of pas-outbox-to-kafka, billing-outbox-to-kafka and quote-engine-outbox-to-kafka (D01): the batch
 * relay endpoint replaced by a direct endpoint fed with what it hands over (a batch: a list of outbox rows); the
 * schemas, Kafka and the dead-letter route real (the DLQ topic mocked).
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

        template.sendBody("direct:pas-outbox", List.of(row(rowId, policyId, 2, "PolicyCreated", policyCreated(policyId))));

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

        template.sendBody("direct:billing-outbox", List.of(row(UUID.randomUUID().toString(), accountId, 2,
                "BillingAccountOpened", "{\"accountId\":\"%s\",\"policyId\":\"P-1\",\"status\":\"OPEN\"}".formatted(accountId))));

        try (KafkaRecords events = KafkaRecords.of("insurance.billing.events")) {
            assertThat(KafkaRecords.header(events.awaitKey(accountId, Duration.ofSeconds(10)), "eventType"))
                    .isEqualTo("BillingAccountOpened");
        }
    }

    @Test
    void aRowNamedAfterItsEventKeepsItsNameAsEventId() throws Exception {
        String accountId = "A-" + UUID.randomUUID();
        String eventId = "PaymentOverdue-I-" + UUID.randomUUID() + "-1";

        template.sendBody("direct:billing-outbox", List.of(row(eventId, accountId, 2, "PaymentOverdue", """
                {"invoiceId":"I-1","policyId":"P-1","accountId":"%s","amount":80.00,"currency":"EUR","dueDate":"2001-01-08",
                 "dunningLevel":1,"notice":"REMINDER","graceExpired":false,"accountVersion":2}""".formatted(accountId))));

        try (KafkaRecords events = KafkaRecords.of("insurance.billing.events")) {
            ConsumerRecord<String, String> record = events.awaitKey(accountId, Duration.ofSeconds(10));
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("PaymentOverdue");
            assertThat(JSON.readTree(record.value()).get("eventId").asText()).isEqualTo(eventId);
        }
    }

    @Test
    void quoteEngineRowsGoToTheQuoteTopic() throws Exception {
        String quoteId = "Q-" + UUID.randomUUID();

        template.sendBody("direct:quote-engine-outbox", List.of(row(UUID.randomUUID().toString(), quoteId, 2,
                "QuoteExpired", """
                {"quoteId":"%s","product":"AUTO","validUntil":"2026-11-01T00:00:00Z","customer":{"email":"x@example.com"}}"""
                        .formatted(quoteId))));

        try (KafkaRecords events = KafkaRecords.of("insurance.quote.events")) {
            ConsumerRecord<String, String> record = events.awaitKey(quoteId, Duration.ofSeconds(10));
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("QuoteExpired");
            assertThat(JSON.readTree(record.value()).at("/data/customer/email").asText()).isEqualTo("x@example.com");
        }
    }

    @Test
    void heartbeatsUpdatesAndDeletesAreNotEvents() {
        Schema rowSchema = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).field("aggregate_id", Schema.STRING_SCHEMA)
                .field("aggregate_version", Schema.INT32_SCHEMA).field("event_type", Schema.STRING_SCHEMA)
                .field("payload", Schema.STRING_SCHEMA).field("created_at", Schema.STRING_SCHEMA)
                .field("traceparent", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema changeSchema = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA)
                .field("after", SchemaBuilder.struct().optional().build()).build();
        Schema outboxChange = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).field("after", rowSchema).build();
        Struct row = new Struct(rowSchema).put("id", "E-1").put("aggregate_id", "A-1").put("aggregate_version", 3)
                .put("event_type", "BillingAccountOpened").put("payload", "{}").put("created_at", "2026-11-22T10:00:00Z");

        assertThat(OutboxRow.of(change("hub-billing.billing.outbox", new Struct(outboxChange).put("op", "c").put("after", row))))
                .isEqualTo(new OutboxRow("E-1", "BillingAccountOpened", "A-1", 3, "2026-11-22T10:00:00Z", "{}", null, null));
        assertThat(OutboxRow.of(change("hub-billing.billing.outbox", new Struct(outboxChange).put("op", "u").put("after", row)))).isNull();
        assertThat(OutboxRow.of(change("hub-billing.billing.outbox", new Struct(outboxChange).put("op", "d").put("after", row)))).isNull();
        assertThat(OutboxRow.of(change("hub-billing.billing.outbox", null))).isNull(); // tombstone
        assertThat(OutboxRow.of(change("hub-billing.relay.outbox_heartbeat", new Struct(changeSchema).put("op", "u")))).isNull();
        Schema beat = SchemaBuilder.struct().field("ts_ms", Schema.INT64_SCHEMA).build();
        assertThat(OutboxRow.of(change("__debezium-heartbeat.hub-billing", new Struct(beat).put("ts_ms", 1L)))).isNull();
    }

    @Test
    void aRowThatBreaksItsEventSchemaIsDeadLetteredAndTheRelayGoesOn() throws Exception {
        mock("dlq").expectedMessageCount(1);
        mock("dlq").expectedHeaderReceived("dlqOriginalTopic", "insurance.policy.events");
        String policyId = "P-" + UUID.randomUUID();
        String badRow = UUID.randomUUID().toString();

        // in the middle of a batch, between two versions of the same policy
        template.sendBody("direct:pas-outbox", List.of(
                row(UUID.randomUUID().toString(), policyId, 1, "PolicyCreated", policyCreated(policyId)),
                row(badRow, policyId, 2, "PolicyCreated", "{\"policyId\":\"%s\"}".formatted(policyId)),
                row(UUID.randomUUID().toString(), policyId, 3, "PolicyCreated", policyCreated(policyId))));

        MockEndpoint.assertIsSatisfied(camelContext);
        Message deadLetter = mock("dlq").getReceivedExchanges().get(0).getMessage();
        assertThat(deadLetter.getHeader("dlqReason", String.class)).contains("premium");
        assertThat(deadLetter.getHeader("eventId", String.class)).isEqualTo(badRow);
        assertThat(deadLetter.getHeader("dlqFailedRoute", String.class)).isEqualTo("pas-outbox-to-kafka");
        try (KafkaRecords events = KafkaRecords.of("insurance.policy.events")) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> events.matching(r -> policyId.equals(r.key())).size() >= 2);
            assertThat(events.matching(r -> policyId.equals(r.key())).stream()
                    .map(OutboxRelayRoutesTest::version).toList()).containsExactly(1, 3);
        }
    }

    @Test
    void aRecordKafkaRefusesIsDeadLetteredAndTheOthersOfItsBatchArePublished() throws Exception {
        mock("dlq").expectedMessageCount(1);
        String policyId = "P-" + UUID.randomUUID();
        String tooLarge = UUID.randomUUID().toString();
        // valid against its schema, but over the broker's record size limit (1 MB)
        String huge = policyCreated(policyId).replace("\"status\":\"ISSUED\"", "\"status\":\"ISSUED\",\"note\":\"" + "x".repeat(1_100_000) + "\"");

        template.sendBody("direct:pas-outbox", List.of(
                row(UUID.randomUUID().toString(), policyId, 1, "PolicyCreated", policyCreated(policyId)),
                row(tooLarge, policyId, 2, "PolicyCreated", huge),
                row(UUID.randomUUID().toString(), policyId, 3, "PolicyCreated", policyCreated(policyId))));

        MockEndpoint.assertIsSatisfied(camelContext);
        Message deadLetter = mock("dlq").getReceivedExchanges().get(0).getMessage();
        assertThat(deadLetter.getHeader("eventId", String.class)).isEqualTo(tooLarge);
        assertThat(deadLetter.getHeader("dlqException", String.class)).contains("RecordTooLarge");
        try (KafkaRecords events = KafkaRecords.of("insurance.policy.events")) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> events.matching(r -> policyId.equals(r.key())).size() >= 2);
            assertThat(events.matching(r -> policyId.equals(r.key())).stream().map(OutboxRelayRoutesTest::version).toList())
                    .containsExactly(1, 3);
        }
    }

    private static int version(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value()).get("aggregateVersion").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SourceRecord change(String topic, Struct value) {
        return new SourceRecord(Map.of(), Map.of(), topic, value == null ? null : value.schema(), value);
    }

    private static String policyCreated(String policyId) {
        return """
                {"policyId":"%s","policyNumber":"POL-1","quoteId":"Q-1","customerId":"C-1","product":"HOME",
                 "premium":120.5,"currency":"EUR","status":"ISSUED"}""".formatted(policyId);
    }

    /** An outbox row as the relay endpoint hands it over. */
    private static OutboxRow row(String id, String aggregateId, int version, String eventType, String payload) {
        return new OutboxRow(id, eventType, aggregateId, version, "2026-11-22T10:00:00.123456Z", payload,
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);
    }
}
