package com.insurancehub.hub.platform;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** D01 on real parts: PAS and Billing outbox rows relayed by Debezium (pgoutput) from PostgreSQL to Kafka. */
@HubIntegrationTest
class OutboxRelayIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaRecords policyEvents;

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CamelContext camelContext;

    @BeforeAll
    static void subscribe() {
        policyEvents = KafkaRecords.of("insurance.policy.events");
    }

    @AfterAll
    static void close() {
        policyEvents.close();
    }

    @Test
    void aCommittedOutboxRowIsPublishedOnceWithItsIdAsEventId() throws Exception {
        String policyId = issuedPolicy();

        ConsumerRecord<String, String> record = policyEvents.await(
                r -> policyId.equals(r.key()) && "PolicyCreated".equals(KafkaRecords.header(r, "eventType")), Duration.ofSeconds(15));

        String outboxId = jdbc.queryForObject(
                "SELECT id::text FROM pas.outbox WHERE aggregate_id = ? AND event_type = 'PolicyCreated'", String.class, policyId);
        JsonNode envelope = JSON.readTree(record.value());
        assertThat(envelope.get("eventId").asText()).isEqualTo(outboxId);
        assertThat(envelope.at("/data/policyId").asText()).isEqualTo(policyId);
        assertThat(envelope.at("/data/status").asText()).isEqualTo("ISSUED");
    }

    @Test
    void aRolledBackTransactionPublishesNothing() throws Exception {
        String quoteId = "Q-" + UUID.randomUUID();
        HttpResponse<String> failed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(DevServices.shared().mocksBaseUrl() + "/pas/policies"))
                .header("Content-Type", "application/json").header("X-Mock-Rollback", "true")
                .POST(HttpRequest.BodyPublishers.ofString(policyRequest(quoteId))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(failed.statusCode()).isEqualTo(500);
        String marker = issuedPolicy(); // committed after the rolled-back one: once it is out, the other would be too

        policyEvents.awaitKey(marker, Duration.ofSeconds(15));
        assertThat(policyEvents.matching(r -> r.value().contains(quoteId))).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pas.outbox WHERE payload->>'quoteId' = ?", Integer.class, quoteId)).isZero();
    }

    @Test
    void billingOutboxRowsAreRelayedToTheBillingTopic() {
        String policyId = "P-" + UUID.randomUUID();
        Mocks.Response account = Mocks.call("POST", "billing/accounts", "{\"customerId\":\"C-1\",\"policyId\":\"" + policyId + "\"}");
        String accountId = account.body().get("accountId").asText();

        try (KafkaRecords billing = KafkaRecords.of("insurance.billing.events")) {
            ConsumerRecord<String, String> record = billing.await(r -> r.value().contains(policyId), Duration.ofSeconds(15));
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("BillingAccountOpened");
            assertThat(record.value()).contains(accountId);
        }
    }

    @Test
    void rowsWrittenWhileTheRelayIsStoppedAreAllPublishedWhenItComesBack() throws Exception {
        camelContext.getRouteController().stopRoute("pas-outbox-to-kafka");
        List<String> policyIds;
        try {
            policyIds = java.util.stream.IntStream.range(0, 30).mapToObj(i -> issuedPolicy()).toList();
        } finally {
            camelContext.getRouteController().startRoute("pas-outbox-to-kafka");
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<String> published = policyEvents.matching(r -> policyIds.contains(r.key())
                            && "PolicyCreated".equals(KafkaRecords.header(r, "eventType")))
                    .stream().map(ConsumerRecord::key).collect(Collectors.toSet());
            assertThat(published).containsExactlyInAnyOrderElementsOf(policyIds);
        });
    }

    @Test
    void theRelayBeatsSoAnIdleSlotKeepsMoving() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT count(*) FROM hub.outbox_heartbeat WHERE source IN ('pas', 'billing') AND beat_at > now() - interval '1 minute'",
                Integer.class)).isEqualTo(2));
    }

    /** A policy created and issued in PAS directly: one PolicyCreated row in its outbox. */
    static String issuedPolicy() {
        Mocks.Response created = Mocks.call("POST", "pas/policies", policyRequest("Q-" + UUID.randomUUID()));
        assertThat(created.status()).isEqualTo(201);
        String policyId = created.body().get("policyId").asText();
        assertThat(Mocks.call("POST", "pas/policies/" + policyId + "/issuance", "{}").status()).isEqualTo(200);
        return policyId;
    }

    static String policyRequest(String quoteId) {
        return "{\"quoteId\":\"" + quoteId + "\",\"customerId\":\"C-1\",\"product\":\"HOME\",\"premium\":321.00,\"currency\":\"EUR\"}";
    }
}
