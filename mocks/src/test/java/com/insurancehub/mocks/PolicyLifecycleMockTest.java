package com.insurancehub.mocks;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import com.insurancehub.testing.JsonHttp.Response;

import static com.insurancehub.mocks.MockHttp.assertEvents;
import static com.insurancehub.mocks.MockHttp.assertProblem;
import static com.insurancehub.mocks.MockHttp.count;
import static com.insurancehub.mocks.MockHttp.get;
import static com.insurancehub.mocks.MockHttp.id;
import static com.insurancehub.mocks.MockHttp.post;
import static com.insurancehub.mocks.MockHttp.sendAsync;
import static com.insurancehub.testing.JsonHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

/** PAS beyond issuance: payments, activation, modifications, claims and cancellation, each a versioned event. */
class PolicyLifecycleMockTest {

    private static final String[] SNAPSHOT = {"policyId", "policyNumber", "quoteId", "customerId", "product", "premium",
            "currency", "status", "version", "claimCount", "claimedTotal", "premiumPaid"};

    @Test
    void everyChangeOfAPolicyIsOneEventCarryingItsSnapshot() {
        Response created = post("pas/policies", policy());
        String policyId = created.text("policyId");
        assertThat(created.integer("claimCount")).isZero();
        assertThat(created.decimal("premiumPaid")).isEqualByComparingTo("0");

        // the first payment: recorded (v2), then the policy is ACTIVE (v3); the same event again changes nothing
        String paymentEvent = id();
        String payment = json("invoiceId", "I-1", "paymentId", "PAY-1", "amount", 200.00, "sourceEventId", paymentEvent);
        Response paid = post("pas/policies/" + policyId + "/payments", payment);
        assertThat(paid.status()).isEqualTo(201);
        assertThat(paid.text("status")).isEqualTo("ACTIVE");
        assertThat(paid.integer("version")).isEqualTo(3);
        assertThat(paid.decimal("premiumPaid")).isEqualByComparingTo("200");
        assertThat(paid.text("activatedAt")).endsWith("Z");
        assertThat(paid.body().at("/payment/paymentId").asText()).isEqualTo("PAY-1");
        Response repeated = post("pas/policies/" + policyId + "/payments", payment);
        assertThat(repeated.status()).isEqualTo(200);
        assertThat(repeated.integer("version")).isEqualTo(3);
        // the same payment under another event id is the same payment
        assertThat(post("pas/policies/" + policyId + "/payments", payment.replace(paymentEvent, id())).status()).isEqualTo(200);
        // a second payment of an ACTIVE policy: PolicyPremiumPaid only
        Response second = post("pas/policies/" + policyId + "/payments",
                json("invoiceId", "I-1", "paymentId", "PAY-2", "amount", 212.50, "sourceEventId", id()));
        assertThat(second.integer("version")).isEqualTo(4);
        assertThat(second.decimal("premiumPaid")).isEqualByComparingTo("412.50");

        String modification = json("premium", 500.00, "coverage", java.util.Map.of("deductible", 300), "reason",
                "new garage", "requestId", "R-" + policyId);
        Response modified = post("pas/policies/" + policyId + "/modifications", modification);
        assertThat(modified.status()).isEqualTo(201);
        assertThat(modified.decimal("premium")).isEqualByComparingTo("500");
        assertThat(modified.integer("version")).isEqualTo(5);
        assertThat(modified.body().at("/coverage/deductible").asInt()).isEqualTo(300);
        assertThat(modified.body().at("/modification/premiumDelta").decimalValue()).isEqualByComparingTo("87.50");
        Response modifiedAgain = post("pas/policies/" + policyId + "/modifications", modification);
        assertThat(modifiedAgain.status()).isEqualTo(200);
        assertThat(modifiedAgain.body().at("/modification/modificationId").asText())
                .isEqualTo(modified.body().at("/modification/modificationId").asText());
        assertThat(modifiedAgain.integer("version")).isEqualTo(5);

        String claim = json("claimId", "CLM-a", "assessedAmount", 800.00, "sourceEventId", id());
        Response claimed = post("pas/policies/" + policyId + "/claims", claim);
        assertThat(claimed.status()).isEqualTo(201);
        assertThat(claimed.integer("claimCount")).isEqualTo(1);
        assertThat(claimed.decimal("claimedTotal")).isEqualByComparingTo("800");
        // the same claim again, even under another event id: counted once
        assertThat(post("pas/policies/" + policyId + "/claims", json("claimId", "CLM-a", "assessedAmount", 800,
                "sourceEventId", id())).status()).isEqualTo(200);
        Response claimedTwice = post("pas/policies/" + policyId + "/claims",
                json("claimId", "CLM-b", "assessedAmount", 150.25, "sourceEventId", id()));
        assertThat(claimedTwice.integer("claimCount")).isEqualTo(2);
        assertThat(claimedTwice.decimal("claimedTotal")).isEqualByComparingTo("950.25");
        assertThat(claimedTwice.integer("version")).isEqualTo(7);

        String effective = LocalDate.now(ZoneOffset.UTC).plusDays(10).toString();
        Response cancelled = post("pas/policies/" + policyId + "/cancellation",
                json("reason", "sold the house", "effectiveDate", effective));
        assertThat(cancelled.text("status")).isEqualTo("CANCELLED");
        assertThat(cancelled.text("cancellationEffectiveDate")).isEqualTo(effective);
        assertThat(cancelled.integer("version")).isEqualTo(8);

        // after the cancellation: no modification, no payment; a claim of the covered period still counts
        assertProblem(post("pas/policies/" + policyId + "/modifications", json("premium", 1, "reason", "x")),
                409, "POLICY_CANCELLED");
        assertProblem(post("pas/policies/" + policyId + "/payments", json("paymentId", "PAY-3", "amount", 1)),
                409, "POLICY_CANCELLED");
        assertThat(post("pas/policies/" + policyId + "/claims", json("claimId", "CLM-c", "assessedAmount", 10))
                .integer("version")).isEqualTo(9);

        List<MockHttp.OutboxRow> events = assertEvents("pas.outbox", "policy", policyId, 1, "PolicyCreated",
                "PolicyPremiumPaid", "PolicyActivated", "PolicyPremiumPaid", "PolicyModified", "PolicyClaimsUpdated",
                "PolicyClaimsUpdated", "PolicyCancelled", "PolicyClaimsUpdated");
        for (MockHttp.OutboxRow event : events) {
            assertThat(event.data().fieldNames()).toIterable().as(event.eventType()).contains(SNAPSHOT);
        }
        assertThat(events.get(1).data().get("status").asText()).isEqualTo("ISSUED");
        assertThat(events.get(1).data().get("paymentId").asText()).isEqualTo("PAY-1");
        assertThat(events.get(2).data().get("status").asText()).isEqualTo("ACTIVE");
        JsonNode modifiedData = events.get(4).data();
        assertThat(modifiedData.get("previousPremium").decimalValue()).isEqualByComparingTo("412.50");
        assertThat(modifiedData.get("premium").decimalValue()).isEqualByComparingTo("500");
        assertThat(modifiedData.get("premiumDelta").decimalValue()).isEqualByComparingTo("87.50");
        assertThat(modifiedData.get("reason").asText()).isEqualTo("new garage");
        assertThat(events.get(6).data().get("claimId").asText()).isEqualTo("CLM-b");
        assertThat(events.get(6).data().get("claimedTotal").decimalValue()).isEqualByComparingTo("950.25");
        JsonNode cancelledData = events.get(7).data();
        assertThat(cancelledData.get("reason").asText()).isEqualTo("sold the house");
        assertThat(cancelledData.get("effectiveDate").asText()).isEqualTo(effective);
        assertThat(cancelledData.get("premiumPaid").decimalValue()).isEqualByComparingTo("412.50");
        assertThat(cancelledData.get("claimCount").asInt()).isEqualTo(2);

        JsonNode byNumber = get("pas/policies?policyNumber=" + created.text("policyNumber")).body();
        assertThat(byNumber).hasSize(1);
        assertThat(byNumber.get(0).get("claimCount").asInt()).isEqualTo(3);
        assertThat(get("pas/policies/" + policyId).body().get("premiumPaid").decimalValue()).isEqualByComparingTo("412.50");
        assertThat(get("pas/policies/" + policyId + "/modifications").body()).hasSize(1);
    }

    @Test
    void invalidRequestsNameTheFieldAndUnknownOrPendingPoliciesAreRefused() {
        String policyId = post("pas/policies", policy()).text("policyId");
        String modifications = "pas/policies/" + policyId + "/modifications";
        assertProblem(post(modifications, json("reason", "nothing")), 400, "premium");
        assertProblem(post(modifications, json("premium", -5, "reason", "x")), 400, "premium");
        assertProblem(post(modifications, json("product", "BOAT", "reason", "x")), 400, "product");
        assertProblem(post(modifications, json("premium", 10)), 400, "reason");
        assertProblem(post(modifications, "{\"premium\":\"cheap\",\"reason\":\"x\"}"), 400, "premium");
        assertProblem(post("pas/policies/" + policyId + "/payments", json("amount", 10)), 400, "paymentId");
        assertProblem(post("pas/policies/" + policyId + "/payments", json("paymentId", "P", "amount", 0)), 400, "amount");
        assertProblem(post("pas/policies/" + policyId + "/claims", json("assessedAmount", 1)), 400, "claimId");
        assertProblem(post("pas/policies/" + policyId + "/cancellation", json("effectiveDate", "soon")), 400, "effectiveDate");
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ?", policyId)).isEqualTo(1);

        String unknown = "pas/policies/P-" + id();
        assertProblem(post(unknown + "/modifications", json("premium", 1, "reason", "x")), 404, null);
        assertProblem(post(unknown + "/payments", json("paymentId", "P", "amount", 1)), 404, null);
        assertProblem(post(unknown + "/claims", json("claimId", "C", "assessedAmount", 1)), 404, null);

        String pending = post("pas/policies", policy().replace("}", ",\"status\":\"PENDING\"}")).text("policyId");
        assertProblem(post("pas/policies/" + pending + "/payments", json("paymentId", "P", "amount", 1)), 409, "POLICY_PENDING");
        assertProblem(post("pas/policies/" + pending + "/modifications", json("premium", 1, "reason", "x")),
                409, "POLICY_PENDING");
        assertProblem(post("pas/policies/" + pending + "/claims", json("claimId", "C", "assessedAmount", 1)),
                409, "POLICY_PENDING");
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ?", pending)).isZero();
    }

    @Test
    void concurrentDeliveriesOfOnePaymentEventRecordItOnce() {
        String policyId = post("pas/policies", policy()).text("policyId");
        String payment = json("invoiceId", "I-2", "paymentId", "PAY-" + id(), "amount", 412.50, "sourceEventId", id());
        List<CompletableFuture<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(sendAsync("POST", "pas/policies/" + policyId + "/payments", payment));
        }
        List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(Response::status).toList();

        assertThat(statuses).containsOnlyOnce(201).containsOnly(200, 201);
        assertEvents("pas.outbox", "policy", policyId, 1, "PolicyCreated", "PolicyPremiumPaid", "PolicyActivated");
    }

    private static String policy() {
        return json("quoteId", "Q-" + id(), "customerId", "C-" + id(), "product", "HOME", "premium", 412.50,
                "currency", "EUR");
    }
}
