package com.insurancehub.hub.claims;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * R03 + the DLQ API, the proof: a target of E04 (Audit) is down during a burst of 200 ClaimOpened. Every
 * event ends either recorded or dead-lettered with its reason (none lost, none both), the partitions keep flowing
 * (what comes after the outage is recorded), and once the target is back, replaying the dead letters records
 * each of them exactly once: one audit record and one email per claim, for all 200.
 *
 * <p>Test retries are 100/200/400 ms, so a record waits 0.7 s before its dead letter: Audit stays down until the
 * first dozen dead letters are stored, then comes back while the burst is still flowing.
 */
@HubIntegrationTest
class ClaimOpenedOutageIntegrationTest {

    private static final String CLAIM_TOPIC = "insurance.claim.events";
    private static final int BURST = 200;

    @LocalServerPort
    int port;

    @AfterEach
    void targetBack() {
        Mocks.reset("audit");
    }

    @Test
    void aBurstDuringAnAuditOutageEndsProcessedOrDeadLetteredAndAReplayProcessesEveryDeadLetterOnce() {
        HubApi api = new HubApi(port);
        String customerId = ClaimsTestData.customer();
        String policyId = "P-" + UUID.randomUUID();

        Mocks.faults("audit", 0, 0, true);
        List<String> claims = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            claims.add(openClaim(policyId, customerId, i));
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> deadLetteredClaims(api, claims).size() >= 10);
        Mocks.reset("audit");

        // A claim opened after the burst is recorded: no partition is stuck behind the failures
        String after = openClaim(policyId, customerId, BURST);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> auditRecords(after) == 1);

        // Every one of the 200 is recorded or dead-lettered with its reason, never both, never neither
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Set<String> dead = deadLetteredClaims(api, claims);
            Set<String> recorded = new HashSet<>();
            for (String claimId : claims) {
                if (auditRecords(claimId) == 1) {
                    recorded.add(claimId);
                }
            }
            assertThat(recorded).doesNotContainAnyElementsOf(dead);
            assertThat(recorded.size() + dead.size()).isEqualTo(BURST);
        });
        List<JsonNode> deadLetters = claimDeadLetters(api, claims);
        assertThat(deadLetters).hasSizeGreaterThanOrEqualTo(10).allSatisfy(dl -> {
            assertThat(dl.get("topic").asText()).isEqualTo(CLAIM_TOPIC);
            assertThat(dl.get("eventType").asText()).isEqualTo("ClaimOpened");
            assertThat(dl.get("failedRoute").asText()).isEqualTo("claim-opened-to-audit");
            assertThat(dl.get("reason").asText()).contains("503");
            assertThat(dl.get("failedAt").asText()).isNotBlank();
            assertThat(dl.get("status").asText()).isEqualTo("NEW");
        });
        // Each was redelivered (3 times, hub.consumer.retry) before its dead letter, which says so, in text
        try (KafkaRecords dlq = KafkaRecords.of(CLAIM_TOPIC + ".dlq")) {
            ConsumerRecord<String, String> dead = dlq.await(
                    r -> "claim-opened-to-audit".equals(KafkaRecords.header(r, "dlqFailedRoute")), Duration.ofSeconds(10));
            assertThat(KafkaRecords.header(dead, "dlqRedeliveries")).isEqualTo("3");
            assertThat(KafkaRecords.header(dead, "dlqOriginalOffset")).matches("\\d+");
        }

        // The cause is fixed: replay every dead letter of the claim topic
        HubApi.Response replay = api.post("/api/dead-letters/replay?topic=" + CLAIM_TOPIC, "");
        assertThat(replay.status()).as(String.valueOf(replay.body())).isEqualTo(200);
        List<Long> replayedIds = new ArrayList<>();
        replay.body().get("ids").forEach(id -> replayedIds.add(id.asLong()));
        assertThat(replayedIds).containsAll(deadLetters.stream().map(dl -> dl.get("id").asLong()).toList());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String claimId : claims) {
                assertThat(auditRecords(claimId)).as("audit records of %s", claimId).isEqualTo(1);
            }
        });
        for (String claimId : claims) {
            assertThat(Mocks.call("GET", "notifications/messages?reference=" + claimId, null).body())
                    .as("emails about %s", claimId).hasSize(1);
        }
        // Replayed once: a second replay publishes none of them again
        long oneOfThem = deadLetters.get(0).get("id").asLong();
        HubApi.Response again = api.post("/api/dead-letters/" + oneOfThem + "/replay", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("reason").asText()).isEqualTo("ALREADY_REPLAYED");
        HubApi.Response allAgain = api.post("/api/dead-letters/replay?topic=" + CLAIM_TOPIC, "");
        List<Long> replayedAgain = new ArrayList<>();
        allAgain.body().get("ids").forEach(id -> replayedAgain.add(id.asLong()));
        assertThat(replayedAgain).doesNotContainAnyElementsOf(replayedIds);
        assertThat(claimDeadLetters(api, claims)).allSatisfy(dl -> {
            assertThat(dl.get("status").asText()).isEqualTo("REPLAYED");
            assertThat(dl.get("replayedAt").asText()).isNotBlank();
        });
        assertThat(api.get("/api/dead-letters/" + oneOfThem).body().get("value").asText()).contains("ClaimOpened");
        assertThat(api.get("/api/dead-letters/999999999").status()).isEqualTo(404);
    }

    private static String openClaim(String policyId, String customerId, int n) {
        JsonHttp.Response opened = Mocks.call("POST", "claims/claims", """
                {"policyId":"%s","policyNumber":"POL-BURST","customerId":"%s","description":"burst claim %d",
                 "incidentDate":"%s","claimedAmount":%d.00,"currency":"EUR"}"""
                .formatted(policyId, customerId, n, ClaimsTestData.yesterday(), 100 + n));
        assertThat(opened.status()).isEqualTo(201);
        return opened.body().get("claimId").asText();
    }

    private static int auditRecords(String claimId) {
        return Mocks.call("GET", "audit/records?aggregateId=" + claimId, null).body().size();
    }

    private static List<JsonNode> claimDeadLetters(HubApi api, List<String> claims) {
        Set<String> ours = new HashSet<>(claims);
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode dl : api.get("/api/dead-letters?topic=" + CLAIM_TOPIC).body()) {
            if (ours.contains(dl.path("key").asText()) && "claim-opened-to-audit".equals(dl.path("failedRoute").asText())) {
                found.add(dl);
            }
        }
        return found;
    }

    private static Set<String> deadLetteredClaims(HubApi api, List<String> claims) {
        Set<String> keys = new HashSet<>();
        claimDeadLetters(api, claims).forEach(dl -> keys.add(dl.get("key").asText()));
        return keys;
    }
}
