package com.insurancehub.mocks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.insurancehub.testing.JsonHttp.Response;

import static com.insurancehub.mocks.MockHttp.assertEvents;
import static com.insurancehub.mocks.MockHttp.assertProblem;
import static com.insurancehub.mocks.MockHttp.count;
import static com.insurancehub.mocks.MockHttp.db;
import static com.insurancehub.mocks.MockHttp.get;
import static com.insurancehub.mocks.MockHttp.id;
import static com.insurancehub.mocks.MockHttp.post;
import static com.insurancehub.mocks.MockHttp.send;
import static com.insurancehub.mocks.MockHttp.sendAsync;
import static com.insurancehub.testing.JsonHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The Claims mock over HTTP: OPEN → ASSESSED/REJECTED → SETTLED, one versioned outbox row per change. */
class ClaimsMockTest {

    @Test
    void aClaimIsOpenedAssessedAndSettledWithOneEventPerChange() throws Exception {
        String policyId = "P-" + id();
        String traceparent = "00-" + id().replace("-", "") + "-00f067aa0ba902b7-01";
        Response opened = send("POST", "claims/claims", newClaim(policyId, null, "1000.00"),
                "traceparent", traceparent);

        assertThat(opened.status()).isEqualTo(201);
        String claimId = opened.text("claimId");
        assertThat(claimId).startsWith("CLM-");
        assertThat(opened.text("claimNumber")).matches("CLA-[0-9]{8}");
        assertThat(opened.text("status")).isEqualTo("OPEN");
        assertThat(opened.integer("version")).isEqualTo(1);
        assertThat(opened.decimal("claimedAmount")).isEqualByComparingTo("1000.00");
        assertThat(opened.text("incidentDate")).isEqualTo(LocalDate.now(ZoneOffset.UTC).minusDays(3).toString());
        try (Connection db = db(); PreparedStatement s = db.prepareStatement("""
                SELECT o.xmin::text = c.xmin::text, o.traceparent FROM claims.outbox o
                JOIN claims.claims c ON c.claim_id = o.aggregate_id WHERE o.aggregate_id = ?""")) {
            s.setString(1, claimId);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("claim and outbox row in one transaction").isTrue();
                assertThat(rs.getString(2)).isEqualTo(traceparent);
            }
        }

        String accept = json("decision", "ACCEPTED", "assessedAmount", 800.00, "notes", "two quotes compared");
        Response assessed = post("claims/claims/" + claimId + "/assessment", accept);
        assertThat(assessed.status()).isEqualTo(200);
        assertThat(assessed.text("status")).isEqualTo("ASSESSED");
        assertThat(assessed.text("decision")).isEqualTo("ACCEPTED");
        assertThat(assessed.decimal("assessedAmount")).isEqualByComparingTo("800");
        assertThat(assessed.integer("version")).isEqualTo(2);
        // the same assessment again: the claim as it is, nothing written; another one: 409
        Response again = post("claims/claims/" + claimId + "/assessment", accept);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.integer("version")).isEqualTo(2);
        assertProblem(post("claims/claims/" + claimId + "/assessment", json("decision", "ACCEPTED", "assessedAmount", 700)),
                409, "CLAIM_ALREADY_ASSESSED");
        assertProblem(post("claims/claims/" + claimId + "/assessment", json("decision", "REJECTED")),
                409, "CLAIM_ALREADY_ASSESSED");

        assertProblem(post("claims/claims/" + claimId + "/settlement", json("amount", 800.01)), 400, "amount");
        Response settled = post("claims/claims/" + claimId + "/settlement", json("amount", 800.00));
        assertThat(settled.status()).isEqualTo(200);
        assertThat(settled.text("status")).isEqualTo("SETTLED");
        assertThat(settled.decimal("settledAmount")).isEqualByComparingTo("800");
        assertThat(settled.integer("version")).isEqualTo(3);
        assertThat(post("claims/claims/" + claimId + "/settlement", json("amount", 800)).integer("version")).isEqualTo(3);
        assertProblem(post("claims/claims/" + claimId + "/settlement", json("amount", 500)), 409, "CLAIM_ALREADY_SETTLED");

        List<MockHttp.OutboxRow> events = assertEvents("claims.outbox", "claim", claimId, 1,
                "ClaimOpened", "ClaimAssessed", "ClaimSettled");
        assertThat(events.get(1).data().get("decision").asText()).isEqualTo("ACCEPTED");
        assertThat(events.get(1).data().get("assessedAmount").decimalValue()).isEqualByComparingTo("800");
        assertThat(events.get(1).data().get("policyId").asText()).isEqualTo(policyId);
        assertThat(events.get(2).data().get("amount").decimalValue()).isEqualByComparingTo("800");
        assertThat(events.get(2).data().get("customerId").asText()).isEqualTo("C-claimant");
        assertThat(events.get(2).data().get("currency").asText()).isEqualTo("EUR");

        assertThat(get("claims/claims/" + claimId).text("status")).isEqualTo("SETTLED");
        assertThat(get("claims/claims?policyId=" + policyId).body()).hasSize(1);
    }

    @Test
    void openingIsIdempotentByRequestIdAndNamesTheInvalidField() {
        String policyId = "P-" + id();
        String requestId = id();
        String claim = newClaim(policyId, requestId, "250.50");
        Response first = post("claims/claims", claim);
        Response second = post("claims/claims", claim);

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.text("claimId")).isEqualTo(first.text("claimId"));
        assertThat(count("SELECT count(*) FROM claims.outbox WHERE aggregate_id = ?", first.text("claimId"))).isEqualTo(1);
        assertThat(get("claims/claims?policyId=" + policyId).body()).hasSize(1);

        assertProblem(post("claims/claims", claim.replace("\"policyId\":\"" + policyId + "\",", "")), 400, "policyId");
        assertProblem(post("claims/claims", json("policyId", policyId, "customerId", "C-1", "description", "d",
                "incidentDate", "2024-01-01", "claimedAmount", -1, "currency", "EUR")), 400, "claimedAmount");
        assertProblem(post("claims/claims", claim.replace("\"EUR\"", "\"euro\"").replace(requestId, id())), 400, "currency");
        String future = LocalDate.now(ZoneOffset.UTC).plusDays(2).toString();
        assertProblem(post("claims/claims", json("policyId", policyId, "customerId", "C-1", "description", "d",
                "incidentDate", future, "claimedAmount", 10, "currency", "EUR")), 400, "incidentDate");
        assertProblem(post("claims/claims", json("policyId", policyId, "customerId", "C-1", "description", "d",
                "incidentDate", "yesterday", "claimedAmount", 10, "currency", "EUR")), 400, "incidentDate");
        assertProblem(get("claims/claims/CLM-" + id()), 404, null);
        assertProblem(post("claims/claims/CLM-" + id() + "/assessment", json("decision", "REJECTED")), 404, null);
        assertProblem(post("claims/claims/CLM-" + id() + "/settlement", json("amount", 1)), 404, null);
    }

    @Test
    void aRejectedClaimIsNeverSettledAndAnOpenOneMustBeAssessedFirst() {
        String open = post("claims/claims", newClaim("P-" + id(), null, "300")).text("claimId");
        assertProblem(post("claims/claims/" + open + "/settlement", json("amount", 100)), 409, "CLAIM_NOT_ASSESSED");
        assertProblem(post("claims/claims/" + open + "/assessment", json("decision", "MAYBE")), 400, "decision");
        assertProblem(post("claims/claims/" + open + "/assessment", json("decision", "ACCEPTED")), 400, "assessedAmount");
        assertProblem(post("claims/claims/" + open + "/assessment", json("decision", "ACCEPTED", "assessedAmount", 300.01)),
                400, "assessedAmount");

        Response rejected = post("claims/claims/" + open + "/assessment",
                json("decision", "REJECTED", "notes", "not covered"));
        assertThat(rejected.status()).isEqualTo(200);
        assertThat(rejected.text("status")).isEqualTo("REJECTED");
        assertThat(rejected.decimal("assessedAmount")).isEqualByComparingTo("0");
        assertProblem(post("claims/claims/" + open + "/settlement", json("amount", 100)), 409, "CLAIM_REJECTED");
        assertEvents("claims.outbox", "claim", open, 1, "ClaimOpened", "ClaimAssessed");
    }

    @Test
    void concurrentAssessmentsOfOneClaimMakeOneDecision() {
        String claimId = post("claims/claims", newClaim("P-" + id(), null, "900")).text("claimId");
        List<CompletableFuture<Response>> calls = List.of(
                sendAsync("POST", "claims/claims/" + claimId + "/assessment", json("decision", "ACCEPTED", "assessedAmount", 900)),
                sendAsync("POST", "claims/claims/" + claimId + "/assessment", json("decision", "REJECTED")),
                sendAsync("POST", "claims/claims/" + claimId + "/assessment", json("decision", "ACCEPTED", "assessedAmount", 450)));
        List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(Response::status).toList();

        assertThat(statuses).containsOnlyOnce(200).containsOnly(200, 409);
        assertThat(count("SELECT count(*) FROM claims.outbox WHERE aggregate_id = ? AND event_type = 'ClaimAssessed'",
                claimId)).isEqualTo(1);
    }

    @Test
    void theEventSchemasRefuseIncompleteOrMistypedData() throws Exception {
        String envelope = """
                {"eventId":"e-1","eventType":"ClaimSettled","aggregateId":"CLM-1","aggregateVersion":3,
                 "occurredAt":"2026-01-02T10:00:00.000Z","data":{"claimId":"CLM-1","claimNumber":"CLA-00000001",
                 "policyId":"P-1","customerId":"C-1","incidentDate":"%s","claimedAmount":100,"currency":"EUR",
                 "status":"SETTLED","version":3,"decision":"ACCEPTED","assessedAmount":90,"settledAmount":90%s}}""";
        assertThat(MockHttp.violations("ClaimSettled", MockHttp.JSON.readTree(envelope.formatted("2026-01-01", ",\"amount\":90"))))
                .isEmpty();
        assertThat(MockHttp.violations("ClaimSettled", MockHttp.JSON.readTree(envelope.formatted("2026-01-01", ""))))
                .as("amount missing").isNotEmpty();
        assertThat(MockHttp.violations("ClaimSettled", MockHttp.JSON.readTree(envelope.formatted("yesterday", ",\"amount\":90"))))
                .as("incidentDate not a date").isNotEmpty();
        assertThat(MockHttp.violations("ClaimSettled", MockHttp.JSON.readTree(envelope.formatted("2026-01-01", ",\"amount\":\"90\""))))
                .as("amount a string").isNotEmpty();
    }

    private static String newClaim(String policyId, String requestId, String amount) {
        return json("policyId", policyId, "policyNumber", "POL-00000042", "customerId", "C-claimant",
                "description", "water damage in the kitchen", "incidentDate",
                LocalDate.now(ZoneOffset.UTC).minusDays(3).toString(), "claimedAmount", new java.math.BigDecimal(amount),
                "currency", "EUR", "requestId", requestId);
    }
}
