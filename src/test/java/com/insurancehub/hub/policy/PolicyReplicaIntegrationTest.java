package com.insurancehub.hub.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * D09 + R02 on the real broker and database: the policy replica applies each policy's events in version order.
 * Crafted events are published straight to insurance.policy.events (as the outbox relay would), keyed by the
 * policy id: version 3 before version 2 is parked, then applied right after 2 (resequencing), and the replica ends
 * exactly as with in-order delivery; duplicates and older versions change nothing; a gap that never fills stays
 * parked, with its reason, in the operator view.
 */
@HubIntegrationTest
class PolicyReplicaIntegrationTest {

    private static final String TOPIC = "insurance.policy.events";
    private static final String COMPARED = "status, product, premium, currency, claim_count, claimed_total, premium_paid, version";

    @Autowired
    JdbcTemplate jdbc;
    @LocalServerPort
    int port;

    @Test
    void versionThreeBeforeTwoEndsAsInOrderDeliveryAndDuplicatesChangeNothing() {
        String inOrder = "P-" + UUID.randomUUID();
        String outOfOrder = "P-" + UUID.randomUUID();

        for (int version = 1; version <= 3; version++) {
            publish(inOrder, version);
        }
        publish(outOfOrder, 1);
        publish(outOfOrder, 3);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(parkedVersions(outOfOrder)).as("version 3 waits for 2").containsExactly(3));
        assertThat(replica(outOfOrder).get("version")).isEqualTo(1);

        publish(outOfOrder, 2);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(replica(outOfOrder).get("version")).isEqualTo(3);
            assertThat(replica(inOrder).get("version")).isEqualTo(3);
        });
        assertThat(parkedVersions(outOfOrder)).as("nothing left parked").isEmpty();
        assertThat(replica(outOfOrder)).isEqualTo(replica(inOrder));
        assertThat(replica(outOfOrder).get("claim_count")).isEqualTo(3);
        Object appliedAt = updatedAt(outOfOrder);

        // Redelivered and late events, then a marker behind them on the same partition
        publish(outOfOrder, 3);
        publish(outOfOrder, 1);
        publish(outOfOrder, 2);
        String marker = "P-" + UUID.randomUUID();
        KafkaRecords.send(TOPIC, outOfOrder, event(marker, 1), Map.of("eventType", "PolicyClaimsUpdated"));
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM hub.policy_replica WHERE policy_id = ?", marker) == 1);

        assertThat(replica(outOfOrder)).isEqualTo(replica(inOrder));
        assertThat(updatedAt(outOfOrder)).as("not even rewritten").isEqualTo(appliedAt);
        assertThat(parkedVersions(outOfOrder)).isEmpty();
    }

    @Test
    void aGapThatNeverFillsStaysParkedWithItsReasonForOperators() {
        String policyId = "P-" + UUID.randomUUID();
        publish(policyId, 1);
        publish(policyId, 4);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(parkedVersions(policyId)).containsExactly(4));

        HubApi.Response view = new HubApi(port).get("/api/admin/parked-events");
        assertThat(view.status()).isEqualTo(200);
        JsonNode parked = null;
        for (JsonNode event : view.body()) {
            if (policyId.equals(event.path("aggregateId").asText())) {
                parked = event;
            }
        }
        assertThat(parked).as("the gap is visible").isNotNull();
        assertThat(parked.path("version").asInt()).isEqualTo(4);
        assertThat(parked.path("eventType").asText()).isEqualTo("PolicyClaimsUpdated");
        assertThat(parked.path("reason").asText()).contains("replica at version 1").contains("waits for version 2");
        assertThat(parked.path("parkedAt").asText()).isNotBlank();
        assertThat(replica(policyId).get("version")).as("never applied over the gap").isEqualTo(1);
    }

    private void publish(String policyId, int version) {
        KafkaRecords.send(TOPIC, policyId, event(policyId, version), Map.of("eventType", "PolicyClaimsUpdated"));
    }

    /** PolicyClaimsUpdated: E01's consumers ignore it, so only the replica reacts. Version n = n claims of 100. */
    private static String event(String policyId, int version) {
        return Events.of("PolicyClaimsUpdated").aggregate(policyId, version)
                .occurredAt("2026-11-22T10:00:0%d.000Z".formatted(version)).data("""
                        {"policyId":"%s","policyNumber":"POL-%s","quoteId":"Q-1","customerId":"C-1","product":"HOME",
                         "premium":300.00,"currency":"EUR","status":"ACTIVE","version":%d,"claimCount":%d,
                         "claimedTotal":%d.00,"premiumPaid":300.00,"claimId":"CLM-%d","assessedAmount":100.00}"""
                        .formatted(policyId, policyId, version, version, version * 100, version)).json();
    }

    private Map<String, Object> replica(String policyId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT " + COMPARED + " FROM hub.policy_replica WHERE policy_id = ?", policyId);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    private Object updatedAt(String policyId) {
        return jdbc.queryForObject("SELECT updated_at FROM hub.policy_replica WHERE policy_id = ?", Object.class, policyId);
    }

    private List<Integer> parkedVersions(String policyId) {
        // the replica's own (the event store parks its version conflicts there too, under its own consumer name)
        return jdbc.queryForList("SELECT version FROM hub.parked_events WHERE consumer = 'policy-replica' AND aggregate_id = ?"
                + " ORDER BY version", Integer.class, policyId);
    }

    private int count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Integer.class, args);
    }
}
