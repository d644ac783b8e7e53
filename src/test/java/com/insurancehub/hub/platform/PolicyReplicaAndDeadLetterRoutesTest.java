package com.insurancehub.hub.platform;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of D09/R02 (policy-events-to-replica, list-parked-events) and of the DLQ API
 * (dead-letter-topics-to-store, list-dead-letters, get-dead-letter, replay-dead-letter, replay-dead-letters): Kafka
 * consumers fed from direct endpoints; the database real, the replay publishing to a real (test) topic.
 */
@RouteDomains("policy")
class PolicyReplicaAndDeadLetterRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JdbcTemplate jdbc;

    @Override
    protected void adviceRoutes() {
        route("policy-events-to-replica").from("direct:to-replica").advice(a -> a.weaveAddLast().to("mock:applied"));
        route("dead-letter-topics-to-store").from("direct:to-store")
                .advice(a -> a.weaveById("store-dead-letter").after().to("mock:stored"));
        mockDeadLetterTopic();
    }

    @Test
    void policyEventsAreAppliedInVersionOrderAndAGapIsParked() throws Exception {
        String policyId = "P-" + UUID.randomUUID();
        mock("applied").expectedHeaderValuesReceivedInAnyOrder("outcome", "APPLIED 1", "PARKED", "APPLIED 2", "STALE");

        template.sendBody("direct:to-replica", event(policyId, 1, "ISSUED").json());
        template.sendBody("direct:to-replica", event(policyId, 3, "CANCELLED").json());
        String parked = template.requestBody("direct:list-parked-events", null, String.class);
        template.sendBody("direct:to-replica", event(policyId, 2, "ACTIVE").json());
        template.sendBody("direct:to-replica", event(policyId, 2, "ACTIVE").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        JsonNode gap = null;
        for (JsonNode p : JSON.readTree(parked)) {
            if (policyId.equals(p.get("aggregateId").asText())) {
                gap = p;
            }
        }
        assertThat(gap).isNotNull();
        assertThat(gap.get("version").asInt()).isEqualTo(3);
        assertThat(gap.get("reason").asText()).contains("waits for version 2");
        assertThat(jdbc.queryForMap("SELECT status, version FROM hub.policy_replica WHERE policy_id = ?", policyId))
                .containsEntry("status", "CANCELLED").containsEntry("version", 3);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM hub.parked_events WHERE aggregate_id = ?", Integer.class, policyId)).isZero();
    }

    @Test
    void otherEventTypesAreSkippedAndASchemaInvalidPolicyEventIsDeadLettered() throws Exception {
        mock("applied").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        template.sendBody("direct:to-replica", Events.of("SomethingElse").id("x").json());
        template.sendBody("direct:to-replica", event("P-" + UUID.randomUUID(), 1, "ISSUED").without("premium").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("policy-events-to-replica");
    }

    @Test
    void aDeadLetterIsStoredOnceListedAndReplayedOnceWithItsKeyValueAndHeaders() throws Exception {
        String topic = "test.replay." + UUID.randomUUID();
        String key = "K-" + UUID.randomUUID();
        String value = Events.of("ClaimOpened").unchecked().json();
        long offset = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
        mock("stored").expectedMessageCount(2);

        for (int delivery = 0; delivery < 2; delivery++) {
            template.send("direct:to-store", e -> deadLetterRecord(e, topic, key, value, offset));
        }

        MockEndpoint.assertIsSatisfied(camelContext);
        Long id = jdbc.queryForObject("SELECT id FROM hub.dead_letters WHERE topic = ?", Long.class, topic);
        JsonNode list = JSON.readTree(template.request("direct:list-dead-letters", e -> {
            e.getMessage().setHeader("topic", topic);
            e.getMessage().setHeader("status", "NEW");
        }).getMessage().getBody(String.class));
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("key").asText()).isEqualTo(key);
        assertThat(list.get(0).get("reason").asText()).isEqualTo("Audit answered 503");
        assertThat(list.get(0).get("failedRoute").asText()).isEqualTo("claim-opened-to-audit");
        assertThat(list.get(0).get("offset").asLong()).isEqualTo(42L);
        JsonNode one = JSON.readTree(template.request("direct:get-dead-letter", e -> e.getMessage().setHeader("id", id))
                .getMessage().getBody(String.class));
        assertThat(one.get("value").asText()).isEqualTo(value);
        assertThat(one.at("/headers/traceparent").asText()).startsWith("00-");

        Exchange replayed = template.request("direct:replay-dead-letter", e -> e.getMessage().setHeader("id", id));
        Exchange again = template.request("direct:replay-dead-letter", e -> e.getMessage().setHeader("id", id));
        Exchange all = template.request("direct:replay-dead-letters", e -> e.getMessage().setHeader("topic", topic));
        Exchange unknown = template.request("direct:replay-dead-letter", e -> e.getMessage().setHeader("id", "999999999"));

        assertThat(JSON.readTree(replayed.getMessage().getBody(String.class)).get("status").asText()).isEqualTo("REPLAYED");
        assertThat(again.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(409);
        assertThat(JSON.readTree(again.getMessage().getBody(String.class)).get("reason").asText()).isEqualTo("ALREADY_REPLAYED");
        assertThat(JSON.readTree(all.getMessage().getBody(String.class)).get("replayed").asInt()).isZero();
        assertThat(unknown.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(404);
        try (KafkaRecords records = KafkaRecords.of(topic)) {
            ConsumerRecord<String, String> record = records.awaitKey(key, java.time.Duration.ofSeconds(20));
            assertThat(record.value()).isEqualTo(value);
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("ClaimOpened");
            assertThat(KafkaRecords.header(record, "traceparent")).isEqualTo(TRACEPARENT);
            assertThat(KafkaRecords.header(record, "dlqReason")).as("the dead letter's own headers stay behind").isNull();
            assertThat(records.matching(r -> key.equals(r.key()))).as("published once").hasSize(1);
        }
    }

    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static void deadLetterRecord(Exchange e, String topic, String key, String value, long offset) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("eventType", "ClaimOpened".getBytes(StandardCharsets.UTF_8));
        headers.add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
        headers.add("dlqReason", "Audit answered 503".getBytes(StandardCharsets.UTF_8));
        headers.add("dlqOriginalTopic", topic.getBytes(StandardCharsets.UTF_8));
        headers.add("dlqOriginalPartition", java.nio.ByteBuffer.allocate(4).putInt(0).array());
        headers.add("dlqOriginalOffset", java.nio.ByteBuffer.allocate(8).putLong(42L).array());
        headers.add("dlqFailedRoute", "claim-opened-to-audit".getBytes(StandardCharsets.UTF_8));
        headers.add("dlqFailedAt", "2026-11-22T10:00:00.000Z".getBytes(StandardCharsets.UTF_8));
        e.getMessage().setHeader(KafkaConstants.HEADERS, headers);
        e.getMessage().setHeader(KafkaConstants.TOPIC, topic + ".dlq");
        e.getMessage().setHeader(KafkaConstants.PARTITION, 0);
        e.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        e.getMessage().setHeader(KafkaConstants.KEY, key);
        e.getMessage().setBody(value);
    }

    private static Events.Event event(String policyId, int version, String status) {
        return Events.of("PolicyCreated").aggregate(policyId, version).data("""
                {"policyId":"%s","policyNumber":"POL-%s","quoteId":"Q-1","customerId":"C-7","product":"AUTO",
                 "premium":420.00,"currency":"EUR","status":"%s","version":%d}""".formatted(policyId, policyId, status, version));
    }
}
