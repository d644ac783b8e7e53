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
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** D01 on real parts: PAS and Billing outbox rows relayed by Debezium (pgoutput) from PostgreSQL to Kafka. */
@HubIntegrationTest
class OutboxRelayIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaRecords policyEvents;
    private static KafkaRecords billingEvents;

    /** The database owner: the systems' outboxes, slots and other sessions are beyond the hub's own role */
    final JdbcTemplate jdbc = new JdbcTemplate(DevServices.shared().superuserDataSource());
    @Autowired
    CamelContext camelContext;

    @BeforeAll
    static void subscribe() {
        policyEvents = KafkaRecords.of("insurance.policy.events");
        billingEvents = KafkaRecords.of("insurance.billing.events");
    }

    @AfterAll
    static void close() {
        policyEvents.close();
        billingEvents.close();
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
        JsonHttp.Response account = Mocks.call("POST", "billing/accounts", "{\"customerId\":\"C-1\",\"policyId\":\"" + policyId + "\"}");
        String accountId = account.body().get("accountId").asText();

        try (KafkaRecords billing = KafkaRecords.of("insurance.billing.events")) {
            ConsumerRecord<String, String> record = billing.await(r -> r.value().contains(policyId), Duration.ofSeconds(15));
            assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("BillingAccountOpened");
            assertThat(record.value()).contains(accountId);
        }
    }

    @Test
    void theOffsetsAreStoredInTheDatabaseAndARestartedRelayResumesFromThem() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<OutboxRow> before = rows(run, 5, 10);
        insert(before, 25);
        long writtenBefore = currentWalPosition();
        List<OutboxRow> marker = rows(run + "m", 1, 1);
        insert(marker, 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(relayed(run)).hasSizeGreaterThanOrEqualTo(before.size());
            assertThat(relayed(run + "m")).isNotEmpty();
            // stored once Kafka acknowledged everything up to the marker, where every instance reads it
            assertThat(storedPosition("billing-outbox")).isGreaterThan(writtenBefore);
        });
        int relayedBefore = relayed(run).size();

        camelContext.getRouteController().stopRoute("billing-outbox-to-kafka");
        List<OutboxRow> during = rows(run + "d", 5, 4);
        try {
            insert(during, 10);
        } finally {
            camelContext.getRouteController().startRoute("billing-outbox-to-kafka");
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(relayed(run + "d").stream().map(r -> eventId(r)))
                .containsExactlyInAnyOrderElementsOf(during.stream().map(OutboxRow::id).toList()));
        // resumed where the stored offset says: nothing relayed before the stop comes again
        assertThat(relayed(run)).hasSize(relayedBefore);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM relay.outbox_offsets WHERE relay = 'billing-outbox'", Integer.class))
                .isEqualTo(1);
    }

    /** The WAL position now, as a number (pg_lsn minus 0/0). */
    private long currentWalPosition() {
        return jdbc.queryForObject("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint", Long.class);
    }

    /** The WAL position of the relay's stored offset (Debezium's "lsn"), 0 if none is stored. */
    private long storedPosition(String relay) throws Exception {
        List<String> offsets = jdbc.queryForList("SELECT offset_value FROM relay.outbox_offsets WHERE relay = ?", String.class, relay);
        return offsets.isEmpty() ? 0 : JSON.readTree(offsets.get(0)).path("lsn").asLong();
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
    void aBurstArrivesCompleteAndInOrderPerAggregate() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<OutboxRow> rows = rows(run, 20, 100); // 2,000 rows: 20 accounts with versions 1..100, interleaved

        insert(rows, 250);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(relayed(run)).hasSizeGreaterThanOrEqualTo(rows.size()));
        List<ConsumerRecord<String, String>> records = relayed(run);
        assertThat(records.stream().map(r -> eventId(r)).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(rows.stream().map(OutboxRow::id).toList());
        // per key, the partition order is the version order
        records.stream().collect(Collectors.groupingBy(ConsumerRecord::key)).forEach((key, ofKey) ->
                assertThat(ofKey.stream().map(r -> version(r)).toList()).as(key).isSorted());
    }

    @Test
    void stoppingTheRelayMidStreamLosesNoEvent() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<OutboxRow> rows = rows(run, 10, 150); // 1,500 rows, written in small transactions while the relay stops
        Thread writer = new Thread(() -> insert(rows, 25), "outbox-writer");
        writer.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> relayed(run).size() >= 200);

        camelContext.getRouteController().stopRoute("billing-outbox-to-kafka");
        try {
            // stopped within Camel's graceful timeout, Debezium closed its replication connection: the slot is free
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                    "SELECT active FROM pg_replication_slots WHERE slot_name = 'hub_billing_outbox'", Boolean.class)).isFalse());
            await().atMost(Duration.ofSeconds(60)).until(() -> !writer.isAlive());
        } finally {
            camelContext.getRouteController().startRoute("billing-outbox-to-kafka");
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(relayed(run).stream().map(r -> eventId(r)).collect(Collectors.toSet()))
                        .containsExactlyInAnyOrderElementsOf(rows.stream().map(OutboxRow::id).toList()));
        // at-least-once: a replayed tail may come twice (the consumers deduplicate by eventId), nothing comes never
        List<ConsumerRecord<String, String>> records = relayed(run);
        assertThat(records.size()).isGreaterThanOrEqualTo(rows.size());
        records.stream().collect(Collectors.groupingBy(ConsumerRecord::key)).forEach((key, ofKey) ->
                assertThat(ofKey.stream().map(r -> version(r)).distinct().toList()).as(key).isSorted());
    }

    @Test
    void theRelayBeatsSoAnIdleSlotKeepsMoving() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT count(*) FROM relay.outbox_heartbeat WHERE source IN ('pas', 'billing', 'claims', 'quote-engine')"
                        + " AND beat_at > now() - interval '1 minute'", Integer.class)).isEqualTo(4));
    }

    record OutboxRow(String id, String accountId, int version) {
    }

    /**
     * {@code perAccount} versions of {@code accounts} billing accounts, interleaved. The event type no consumer acts
     * on (BillingAccountOpened), so that thousands of rows load the relay and nothing else.
     */
    private static List<OutboxRow> rows(String run, int accounts, int perAccount) {
        List<OutboxRow> rows = new java.util.ArrayList<>();
        for (int v = 1; v <= perAccount; v++) {
            for (int a = 0; a < accounts; a++) {
                rows.add(new OutboxRow(UUID.randomUUID().toString(), "A-" + run + "-" + a, v));
            }
        }
        return rows;
    }

    /** Writes the rows into Billing's outbox as Billing would, {@code perTransaction} rows per transaction. */
    private void insert(List<OutboxRow> rows, int perTransaction) {
        for (int from = 0; from < rows.size(); from += perTransaction) {
            List<Object[]> batch = rows.subList(from, Math.min(rows.size(), from + perTransaction)).stream()
                    .map(r -> new Object[] {UUID.fromString(r.id()), r.accountId(), r.version(),
                            "{\"accountId\":\"%s\",\"policyId\":\"P-%s\",\"status\":\"OPEN\"}".formatted(r.accountId(), r.id())})
                    .toList();
            jdbc.batchUpdate("INSERT INTO billing.outbox (id, aggregate_type, aggregate_id, aggregate_version, event_type, payload)"
                    + " VALUES (?, 'billing-account', ?, ?, 'BillingAccountOpened', ?::jsonb)", batch);
        }
    }

    private static List<ConsumerRecord<String, String>> relayed(String run) {
        return billingEvents.matching(r -> r.key() != null && r.key().startsWith("A-" + run + "-"));
    }

    private static String eventId(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value()).get("eventId").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int version(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value()).get("aggregateVersion").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A policy created and issued in PAS directly: one PolicyCreated row in its outbox. */
    static String issuedPolicy() {
        JsonHttp.Response created = Mocks.call("POST", "pas/policies", policyRequest("Q-" + UUID.randomUUID()));
        assertThat(created.status()).isEqualTo(201);
        String policyId = created.body().get("policyId").asText();
        assertThat(Mocks.call("POST", "pas/policies/" + policyId + "/issuance", "{}").status()).isEqualTo(200);
        return policyId;
    }

    static String policyRequest(String quoteId) {
        return "{\"quoteId\":\"" + quoteId + "\",\"customerId\":\"C-1\",\"product\":\"HOME\",\"premium\":321.00,\"currency\":\"EUR\"}";
    }
}
