package com.insurancehub.hub.eventstore;

import java.math.BigDecimal;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * D07 on the real broker and database: every domain event kept once in the event store (hub.event_store), the
 * policy projection kept from it, a policy's stream and its state now or as of a past instant, and the projection's
 * rebuild. A real subscription and premium change (PAS outbox, Debezium, Kafka) give the historic state the test
 * knows; crafted PolicyClaimsUpdated events (a type only the replica and the store read) give snapshots, gaps,
 * redeliveries and conflicts.
 */
@HubIntegrationTest
class EventStoreIntegrationTest {

    private static final String POLICY_TOPIC = "insurance.policy.events";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static KafkaProducer<String, String> producer;

    @Autowired
    JdbcTemplate jdbc;
    @LocalServerPort
    int port;

    @BeforeAll
    static void producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DevServices.shared().kafkaBootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(props);
    }

    @AfterAll
    static void closeProducer() {
        producer.close();
    }

    @Test
    void aSubscribedPolicysHistoryAnswersItsPremiumBeforeAndAfterAModification() {
        HubApi api = new HubApi(port);
        JsonNode policy = Policies.issue(api);
        String policyId = policy.get("policyId").asText();
        BigDecimal issuedPremium = policy.get("premium").decimalValue();
        BigDecimal modifiedPremium = issuedPremium.add(new BigDecimal("120"));
        HubApi.Response modified = api.post("/api/policies/" + policyId + "/modifications",
                "{\"premium\":" + modifiedPremium + ",\"reason\":\"second driver\"}", "Idempotency-Key", "es-" + policyId);
        assertThat(modified.status()).as(String.valueOf(modified.body())).isIn(200, 201);

        JsonNode stream = await().atMost(WAIT).until(() -> api.get("/api/policies/" + policyId + "/events"),
                r -> r.status() == 200 && types(r.body()).contains("PolicyModified")).body();
        List<String> types = types(stream);
        assertThat(types.get(0)).isEqualTo("PolicyCreated");
        JsonNode created = stream.get("events").get(0);
        JsonNode modification = stream.get("events").get(types.indexOf("PolicyModified"));
        assertVersionOrdered(stream);

        JsonNode before = state(api, policyId, created.get("occurredAt").asText());
        JsonNode after = state(api, policyId, modification.get("occurredAt").asText());
        assertThat(before.get("premium").decimalValue()).isEqualByComparingTo(issuedPremium);
        assertThat(before.get("version").asInt()).isEqualTo(created.get("version").asInt());
        assertThat(before.get("status").asText()).isEqualTo("ISSUED");
        assertThat(after.get("premium").decimalValue()).isEqualByComparingTo(modifiedPremium);
        assertThat(after.get("version").asInt()).isEqualTo(modification.get("version").asInt());
        JsonNode now = api.get("/api/policies/" + policyId + "/state").body();
        assertThat(now.get("premium").decimalValue()).isEqualByComparingTo(modifiedPremium);
        assertThat(now.get("customerId").asText()).isEqualTo(policy.get("customerId").asText());
        assertThat(now.get("source").asText()).isEqualTo("projection");

        // every domain event, not only the policy's: the quote's and the billing account's are in the store too
        await().atMost(WAIT).untilAsserted(() -> assertThat(jdbc.queryForList(
                "SELECT DISTINCT aggregate_type FROM hub.event_store WHERE payload ->> 'policyId' = ? OR aggregate_id = ?",
                String.class, policyId, policy.get("quoteId").asText())).contains("policy", "quote", "billing-account"));
    }

    @Test
    void snapshotsGapsRedeliveriesAndConflicts() {
        HubApi api = new HubApi(port);
        String policyId = "P-" + UUID.randomUUID();
        // versions 1..12, version 5 held back: the projection waits at 4, then catches up to 12 once 5 is stored
        for (int version = 1; version <= 12; version++) {
            if (version != 5) {
                send(policyId, claimsUpdated(policyId, version, version == 12 ? "480.00" : "300.00"));
            }
        }
        await().atMost(WAIT).until(() -> storedVersions(policyId).size() == 11);
        assertThat(projectedVersion(policyId)).as("a gap holds the projection").isEqualTo(4);
        String five = claimsUpdated(policyId, 5, "300.00");
        send(policyId, five);
        await().atMost(WAIT).until(() -> projectedVersion(policyId) == 12);
        assertThat(jdbc.queryForList("SELECT version FROM hub.policy_state_snapshots WHERE policy_id = ?", Integer.class,
                policyId)).as("hub.event-store.snapshot-every: 10").containsExactly(10);

        JsonNode stream = api.get("/api/policies/" + policyId + "/events").body();
        assertThat(stream.get("events")).hasSize(12);
        assertVersionOrdered(stream);
        // version n occurred at second n: as of 11.5 s, the snapshot at 10 plus one event, before the premium change
        JsonNode asOf = state(api, policyId, "2026-11-22T10:00:11.500Z");
        assertThat(asOf.get("version").asInt()).isEqualTo(11);
        assertThat(asOf.get("snapshotVersion").asInt()).isEqualTo(10);
        assertThat(asOf.get("eventsReplayed").asInt()).isEqualTo(1);
        assertThat(asOf.get("claimCount").asInt()).isEqualTo(11);
        assertThat(asOf.get("premium").decimalValue()).isEqualByComparingTo("300.00");
        assertThat(state(api, policyId, "2026-11-22T10:00:12Z").get("premium").decimalValue()).isEqualByComparingTo("480.00");
        assertThat(state(api, policyId, "2026-11-22T10:00:03.2+00:00").get("version").asInt()).isEqualTo(3);

        // a redelivery writes nothing; another event claiming version 5 is parked with the reason
        long stored = count("SELECT count(*) FROM hub.event_store");
        send(policyId, five);
        send(policyId, claimsUpdated(policyId, 5, "999.00"));
        String marker = "P-" + UUID.randomUUID();
        send(policyId, claimsUpdated(marker, 1, "300.00"));
        await().atMost(WAIT).until(() -> projectedVersion(marker) == 1);
        assertThat(count("SELECT count(*) FROM hub.event_store WHERE aggregate_id = ?", policyId)).isEqualTo(12);
        assertThat(count("SELECT count(*) FROM hub.event_store")).isGreaterThanOrEqualTo(stored + 1);
        assertThat(jdbc.queryForObject("SELECT reason FROM hub.parked_events WHERE consumer = 'event-store/policy' AND aggregate_id = ?",
                String.class, policyId)).contains("version conflict").contains("version 5 is already event");
        assertThat(api.get("/api/policies/" + policyId + "/state").body().get("premium").decimalValue())
                .isEqualByComparingTo("480.00");
    }

    @Test
    void aRebuildGivesTheSameProjectionEvenWithEventsArriving() throws Exception {
        HubApi api = new HubApi(port);
        String policyId = "P-" + UUID.randomUUID();
        send(policyId, claimsUpdated(policyId, 1, "300.00"));
        await().atMost(WAIT).until(() -> projectedVersion(policyId) == 1);

        JsonNode rebuilt = rebuild(api);
        assertThat(rebuilt.get("after").get("checksum").asText()).isEqualTo(rebuilt.get("before").get("checksum").asText());
        assertThat(rebuilt.get("after").get("rows").asLong()).isEqualTo(rebuilt.get("before").get("rows").asLong()).isPositive();
        assertThat(rebuilt.get("eventsReplayed").asLong()).isPositive();

        // events keep arriving during rebuilds: none is lost or projected twice
        CompletableFuture<Void> arriving = CompletableFuture.runAsync(() -> {
            for (int version = 2; version <= 30; version++) {
                send(policyId, claimsUpdated(policyId, version, "300.00"));
            }
        });
        List<JsonNode> during = new ArrayList<>();
        while (!arriving.isDone()) {
            during.add(rebuild(api));
        }
        arriving.get();
        await().atMost(WAIT).until(() -> projectedVersion(policyId) == 30);
        JsonNode again = rebuild(api);
        assertThat(again.get("after").get("checksum").asText()).isEqualTo(again.get("before").get("checksum").asText());
        assertThat(during).isNotEmpty();
        assertThat(jdbc.queryForObject("SELECT claim_count FROM hub.policy_state WHERE policy_id = ?", Integer.class, policyId))
                .isEqualTo(30);
    }

    @Test
    void aConcurrentRebuildIsAConflictAndAnUnknownProjectionIsNotFound() {
        HubApi api = new HubApi(port);
        HubApi.Response concurrent = jdbc.execute((ConnectionCallback<HubApi.Response>) connection -> {
            try (Statement lock = connection.createStatement()) {
                lock.execute("SELECT pg_advisory_lock(hashtext('hub.event_store rebuild policy-state'))");
                try {
                    return api.post("/api/admin/projections/policy-state/rebuild", "");
                } finally {
                    lock.execute("SELECT pg_advisory_unlock(hashtext('hub.event_store rebuild policy-state'))");
                }
            }
        });
        assertThat(concurrent.status()).isEqualTo(409);
        assertThat(concurrent.body().get("reason").asText()).isEqualTo("REBUILD_IN_PROGRESS");

        HubApi.Response unknown = api.post("/api/admin/projections/customer-360/rebuild", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(HubApi.withToken(port, com.insurancehub.hub.support.Tokens.of(DevServices.TEST_CLIENT,
                DevServices.TEST_CLIENT_SECRET, "policies")).post("/api/admin/projections/policy-state/rebuild", "").status())
                .as("admin only").isEqualTo(403);
    }

    @Test
    void badParametersAreProblemsNamingTheParameter() {
        HubApi api = new HubApi(port);
        String policyId = "P-" + UUID.randomUUID();
        send(policyId, claimsUpdated(policyId, 1, "300.00"));
        await().atMost(WAIT).until(() -> projectedVersion(policyId) == 1);

        for (String asOf : List.of("yesterday", "2026-11-22", "2026-02-30T10:00:00Z", "2026-11-22T10:00:00",
                Instant.now().plus(Duration.ofDays(1)).toString())) {
            HubApi.Response refused = api.get("/api/policies/" + policyId + "/state?asOf=" + asOf);
            assertThat(refused.status()).as(asOf).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.body().at("/errors/0/field").asText()).as(asOf).isEqualTo("asOf");
        }
        assertThat(api.get("/api/policies/" + policyId + "/state?asOf=2026-11-22T09:00:00Z").status())
                .as("before its first event").isEqualTo(404);
        String unknown = "P-" + UUID.randomUUID();
        assertThat(api.get("/api/policies/" + unknown + "/events").status()).isEqualTo(404);
        assertThat(api.get("/api/policies/" + unknown + "/state").status()).isEqualTo(404);
        assertThat(api.get("/api/policies/" + unknown + "/state?asOf=2026-11-22T10:00:00Z").status()).isEqualTo(404);
        assertThat(api.get("/api/policies/not-a-policy/events").status()).isEqualTo(404);
    }

    private static JsonNode rebuild(HubApi api) {
        HubApi.Response response = api.post("/api/admin/projections/policy-state/rebuild", "");
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(200);
        return response.body();
    }

    private static JsonNode state(HubApi api, String policyId, String asOf) {
        HubApi.Response response = api.get("/api/policies/" + policyId + "/state?asOf="
                + java.net.URLEncoder.encode(asOf, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(response.status()).as(asOf + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private static List<String> types(JsonNode stream) {
        List<String> types = new ArrayList<>();
        stream.path("events").forEach(e -> types.add(e.get("eventType").asText()));
        return types;
    }

    /** Consecutive versions from the first (1, or 2 for a subscribed policy: PAS's version 1 is the PENDING one). */
    private static void assertVersionOrdered(JsonNode stream) {
        int expected = stream.get("events").get(0).get("version").asInt();
        for (JsonNode event : stream.get("events")) {
            assertThat(event.get("version").asInt()).isEqualTo(expected++);
            assertThat(event.get("position").asLong()).isPositive();
            assertThat(event.get("recordedAt").asText()).isNotBlank();
        }
    }

    private static void send(String policyId, String event) {
        ProducerRecord<String, String> record = new ProducerRecord<>(POLICY_TOPIC, policyId, event);
        record.headers().add("eventType", "PolicyClaimsUpdated".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PolicyClaimsUpdated version n: n claims, occurred at second n of 2026-11-22T10:00. */
    private static String claimsUpdated(String policyId, int version, String premium) {
        return Events.of("PolicyClaimsUpdated").aggregate(policyId, version)
                .occurredAt(Instant.parse("2026-11-22T10:00:00Z").plusSeconds(version).toString()).data("""
                        {"policyId":"%s","policyNumber":"POL-%s","quoteId":"Q-1","customerId":"C-1","product":"HOME",
                         "premium":%s,"currency":"EUR","status":"ACTIVE","version":%d,"claimCount":%d,
                         "claimedTotal":%d.00,"premiumPaid":300.00,"claimId":"CLM-%d","assessedAmount":100.00}"""
                        .formatted(policyId, policyId, premium, version, version, version * 100, version)).json();
    }

    private List<Integer> storedVersions(String policyId) {
        return jdbc.queryForList("SELECT version FROM hub.event_store WHERE aggregate_type = 'policy' AND aggregate_id = ? ORDER BY version",
                Integer.class, policyId);
    }

    private int projectedVersion(String policyId) {
        List<Integer> versions = jdbc.queryForList("SELECT version FROM hub.policy_state WHERE policy_id = ?", Integer.class, policyId);
        return versions.isEmpty() ? 0 : versions.get(0);
    }

    private long count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Long.class, args);
    }
}
