package com.insurancehub.hub.claims;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;

import static com.insurancehub.hub.claims.ClaimsTestData.activate;
import static com.insurancehub.hub.claims.ClaimsTestData.cancel;
import static com.insurancehub.hub.claims.ClaimsTestData.claimRequest;
import static com.insurancehub.hub.claims.ClaimsTestData.customer;
import static com.insurancehub.hub.claims.ClaimsTestData.issuedPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * F06 (claims coverage check), D09 (the policy replica answers while PAS is down) and E04 (ClaimOpened to
 * Notifications and Audit) on the real mocks, broker and database; assessment and settlement with their problems.
 */
@HubIntegrationTest
class ClaimsIntegrationTest {

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    HubApi api;

    @BeforeEach
    void setUp() {
        api = new HubApi(port);
        Mocks.reset("pas");
        Mocks.reset("claims");
    }

    @AfterEach
    void tearDown() {
        Mocks.reset("pas");
    }

    @Test
    void aClaimOnAnIssuedPolicyIsOpenedAndTheCustomerAndAuditAreTold() {
        String customerId = customer();
        JsonNode policy = issuedPolicy(customerId);

        HubApi.Response opened = api.post("/api/claims", claimRequest(policy.get("policyNumber").asText(), "850.00"));

        assertThat(opened.status()).as(String.valueOf(opened.body())).isEqualTo(201);
        String claimId = opened.body().get("claimId").asText();
        assertThat(claimId).startsWith("CLM-");
        assertThat(opened.body().get("claimNumber").asText()).startsWith("CLA-");
        assertThat(opened.body().get("status").asText()).isEqualTo("OPEN");
        assertThat(opened.body().get("coverageSource").asText()).isEqualTo("PAS");
        JsonNode claim = Mocks.call("GET", "claims/claims/" + claimId, null).body();
        assertThat(claim.get("policyId").asText()).isEqualTo(policy.get("policyId").asText());
        assertThat(claim.get("customerId").asText()).isEqualTo(customerId);
        assertThat(claim.get("claimedAmount").decimalValue()).isEqualByComparingTo("850.00");

        // E04: one email to the customer, one audit record
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode emails = Mocks.call("GET", "notifications/messages?reference=" + claimId, null).body();
            assertThat(emails).hasSize(1);
            assertThat(emails.get(0).get("template").asText()).isEqualTo("claim-opened");
            assertThat(emails.get(0).get("subject").asText()).contains(opened.body().get("claimNumber").asText());
            assertThat(Mocks.call("GET", "audit/records?aggregateId=" + claimId, null).body()).hasSize(1);
        });
        String email = Mocks.call("GET", "customers/customers/" + customerId, null).body().get("email").asText();
        assertThat(Mocks.call("GET", "notifications/messages?reference=" + claimId, null).body().get(0).get("to").asText())
                .isEqualTo(email);
    }

    @Test
    void aClaimOnACancelledOrUnknownPolicyIsRefusedWithTheReason() {
        JsonNode policy = issuedPolicy(customer());
        cancel(policy.get("policyId").asText());
        long claimsCalls = Mocks.requests("claims");

        HubApi.Response cancelled = api.post("/api/claims", claimRequest(policy.get("policyNumber").asText(), "100"));
        HubApi.Response unknown = api.post("/api/claims", claimRequest("POL-NO-SUCH-" + UUID.randomUUID().toString().substring(0, 8), "100"));

        assertThat(cancelled.status()).as(String.valueOf(cancelled.body())).isEqualTo(422);
        assertThat(cancelled.contentType()).startsWith("application/problem+json");
        assertThat(cancelled.body().get("reason").asText()).isEqualTo("POLICY_CANCELLED");
        assertThat(cancelled.body().get("coverageSource").asText()).isEqualTo("PAS");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.body().get("reason").asText()).isEqualTo("POLICY_NOT_FOUND");
        assertThat(Mocks.requests("claims")).as("Claims never asked").isEqualTo(claimsCalls);
    }

    @Test
    void aBadClaimRequestIsA400NamingTheField() {
        HubApi.Response refused = api.post("/api/claims", claimRequest("POL-1", "-5"));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("errors").findValuesAsText("field")).contains("$.claimedAmount");
    }

    @Test
    void withPasDownTheReplicaAnswersTheCoverageCheck() {
        String customerId = customer();
        JsonNode active = issuedPolicy(customerId);
        activate(active.get("policyId").asText());
        JsonNode cancelled = issuedPolicy(customerId);
        cancel(cancelled.get("policyId").asText());
        // D09: the replica catches up from PAS's events (outbox -> Debezium -> Kafka -> policy-events-to-replica)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(replicaStatus(active.get("policyId").asText())).isEqualTo("ACTIVE");
            assertThat(replicaStatus(cancelled.get("policyId").asText())).isEqualTo("CANCELLED");
        });

        Mocks.faults("pas", 0, 0, true);
        long pasFailuresBefore = Mocks.failures("pas");
        HubApi.Response accepted = api.post("/api/claims", claimRequest(active.get("policyNumber").asText(), "640.50"));
        HubApi.Response refused = api.post("/api/claims", claimRequest(cancelled.get("policyNumber").asText(), "100"));

        assertThat(Mocks.failures("pas")).as("PAS was asked first").isGreaterThan(pasFailuresBefore);
        assertThat(accepted.status()).as(String.valueOf(accepted.body())).isEqualTo(201);
        assertThat(accepted.body().get("coverageSource").asText()).isEqualTo("REPLICA");
        assertThat(accepted.body().at("/replica/version").asInt()).isEqualTo(
                jdbc.queryForObject("SELECT version FROM hub.policy_replica WHERE policy_id = ?", Integer.class,
                        active.get("policyId").asText()));
        assertThat(accepted.body().at("/replica/updatedAt").asText()).isNotBlank();
        JsonNode claim = Mocks.call("GET", "claims/claims/" + accepted.body().get("claimId").asText(), null).body();
        assertThat(claim.get("policyId").asText()).isEqualTo(active.get("policyId").asText());
        assertThat(claim.get("customerId").asText()).isEqualTo(customerId);
        assertThat(refused.status()).as(String.valueOf(refused.body())).isEqualTo(422);
        assertThat(refused.body().get("reason").asText()).isEqualTo("POLICY_CANCELLED");
        assertThat(refused.body().get("coverageSource").asText()).isEqualTo("REPLICA");
    }

    @Test
    void assessmentAndSettlementPassClaimsRefusalsOnAsProblems() {
        JsonNode policy = issuedPolicy(customer());
        String claimId = api.post("/api/claims", claimRequest(policy.get("policyNumber").asText(), "900.00"))
                .body().get("claimId").asText();

        HubApi.Response notAssessed = api.post("/api/claims/" + claimId + "/settlement", "{}");
        HubApi.Response assessed = api.post("/api/claims/" + claimId + "/assessment",
                "{\"decision\":\"ACCEPTED\",\"assessedAmount\":700.00,\"notes\":\"dent only\"}");
        HubApi.Response reassessed = api.post("/api/claims/" + claimId + "/assessment",
                "{\"decision\":\"ACCEPTED\",\"assessedAmount\":800.00}");
        HubApi.Response tooMuch = api.post("/api/claims/" + claimId + "/settlement", "{\"amount\":750.00}");
        HubApi.Response settled = api.post("/api/claims/" + claimId + "/settlement", "{\"amount\":650.00}");
        HubApi.Response unknown = api.post("/api/claims/CLM-" + UUID.randomUUID() + "/assessment",
                "{\"decision\":\"REJECTED\",\"assessedAmount\":0}");
        HubApi.Response badDecision = api.post("/api/claims/" + claimId + "/assessment",
                "{\"decision\":\"MAYBE\",\"assessedAmount\":1}");

        assertThat(notAssessed.status()).as(String.valueOf(notAssessed.body())).isEqualTo(409);
        assertThat(notAssessed.body().get("reason").asText()).isEqualTo("CLAIM_NOT_ASSESSED");
        assertThat(assessed.status()).as(String.valueOf(assessed.body())).isEqualTo(200);
        assertThat(assessed.body().get("status").asText()).isEqualTo("ASSESSED");
        assertThat(assessed.body().get("assessedAmount").decimalValue()).isEqualByComparingTo("700.00");
        assertThat(reassessed.status()).isEqualTo(409);
        assertThat(reassessed.body().get("reason").asText()).isEqualTo("CLAIM_ALREADY_ASSESSED");
        assertThat(tooMuch.status()).as(String.valueOf(tooMuch.body())).isEqualTo(400);
        assertThat(tooMuch.body().get("field").asText()).isEqualTo("$.amount");
        assertThat(settled.status()).as(String.valueOf(settled.body())).isEqualTo(200);
        assertThat(settled.body().get("status").asText()).isEqualTo("SETTLED");
        assertThat(settled.body().get("settledAmount").decimalValue()).isEqualByComparingTo("650.00");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(badDecision.status()).isEqualTo(400);
        assertThat(badDecision.body().get("errors").findValuesAsText("field")).contains("$.decision");
        assertThat(Mocks.call("GET", "claims/claims/" + claimId, null).body().get("status").asText()).isEqualTo("SETTLED");
    }

    private String replicaStatus(String policyId) {
        return jdbc.queryForList("SELECT status FROM hub.policy_replica WHERE policy_id = ?", String.class, policyId)
                .stream().findFirst().orElse(null);
    }
}
