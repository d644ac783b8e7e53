package com.insurancehub.hub.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Policies;

import static com.insurancehub.hub.support.Policies.get;
import static com.insurancehub.hub.support.Policies.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * E02 and E03 end to end: the policy changes API, PAS's outbox relayed to Kafka, and the consumers' outcome in
 * Billing and Notifications. Starting state: a quote subscribed through the hub (policy ISSUED, first invoice).
 */
@HubIntegrationTest
class PolicyLifecycleIntegrationTest {

    @LocalServerPort
    int port;

    @Test
    void aPremiumIncreaseIsInvoicedAsAnAdjustmentAndTheCustomerInformedOnceEvenWhenTheRequestIsRetried() {
        Policies.Subscribed sub = Policies.subscribe(api());
        // premiums are decimals: double arithmetic would turn 906.34 + 120 into 1026.3400000000001
        BigDecimal increased = sub.policy().get("premium").decimalValue().add(new BigDecimal("120"));
        String key = UUID.randomUUID().toString();
        String body = "{\"premium\":" + increased.toPlainString() + ",\"reason\":\"second driver\"}";

        HubApi.Response modified = api().post("/api/policies/" + sub.policyId() + "/modifications", body, "Idempotency-Key", key);
        HubApi.Response retried = api().post("/api/policies/" + sub.policyId() + "/modifications", body, "Idempotency-Key", key);

        assertThat(modified.status()).as(String.valueOf(modified.body())).isEqualTo(201);
        assertThat(modified.body().get("premium").decimalValue()).isEqualByComparingTo(increased);
        assertThat(modified.body().get("modification").get("premiumDelta").decimalValue()).isEqualByComparingTo("120");
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body().get("modification").get("modificationId").asText())
                .isEqualTo(modified.body().get("modification").get("modificationId").asText());
        assertThat(get("pas/policies/" + sub.policyId() + "/modifications")).hasSize(1);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode adjustments = get("billing/adjustments?policyId=" + sub.policyId());
            assertThat(adjustments).hasSize(1);
            assertThat(adjustments.get(0).get("amountDelta").decimalValue()).isEqualByComparingTo("120");
            assertThat(adjustments.get(0).get("kind").asText()).isEqualTo("INVOICE");
            assertThat(messages(sub.policyId(), "policy-modified")).hasSize(1);
        });
        assertThat(get("billing/invoices?policyId=" + sub.policyId() + "&status=OPEN")).hasSize(2);
        JsonNode email = messages(sub.policyId(), "policy-modified").get(0);
        assertThat(email.get("to").asText()).isEqualTo(sub.email());
        assertThat(email.get("body").asText()).contains("second driver");
    }

    @Test
    void aChangeOfCoverageAloneChangesNoBillingButIsToldToTheCustomer() {
        Policies.Subscribed sub = Policies.subscribe(api());

        HubApi.Response modified = api().post("/api/policies/" + sub.policyId() + "/modifications",
                "{\"coverage\":{\"glassBreakage\":true},\"reason\":\"option added\"}");

        assertThat(modified.status()).as(String.valueOf(modified.body())).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(messages(sub.policyId(), "policy-modified")).hasSize(1));
        assertThat(get("billing/adjustments?policyId=" + sub.policyId())).isEmpty();
    }

    @Test
    void aPaidPolicyCancelledIsTerminatedInBillingWithARefundAndTheCustomerToldOfBoth() {
        Policies.Subscribed sub = Policies.subscribe(api());
        HubApi.Response paid = api().post("/api/payments", """
                {"invoiceId":"%s","amount":%s,"currency":"EUR","reference":"SEPA-%s"}"""
                .formatted(sub.invoiceId(), sub.invoice().get("amount").asText(), UUID.randomUUID()));
        assertThat(paid.status()).as(String.valueOf(paid.body())).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(get("pas/policies/" + sub.policyId()).get("status").asText()).isEqualTo("ACTIVE"));

        HubApi.Response cancelled = api().post("/api/policies/" + sub.policyId() + "/cancellation",
                "{\"reason\":\"CUSTOMER_REQUEST\"}");

        assertThat(cancelled.status()).as(String.valueOf(cancelled.body())).isEqualTo(200);
        assertThat(cancelled.body().get("status").asText()).isEqualTo("CANCELLED");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode terminations = get("billing/terminations?policyId=" + sub.policyId());
            assertThat(terminations).hasSize(1);
            assertThat(terminations.get(0).get("accountStatus").asText()).isEqualTo("CLOSED");
            assertThat(get("billing/refunds?policyId=" + sub.policyId())).hasSize(1);
            assertThat(messages(sub.policyId(), "policy-cancelled")).hasSize(1);
            assertThat(messages(sub.policyId(), "premium-refund")).hasSize(1);
        });
        JsonNode refund = get("billing/refunds?policyId=" + sub.policyId()).get(0);
        assertThat(refund.get("amount").decimalValue()).isPositive();
        assertThat(messages(sub.policyId(), "premium-refund").get(0).get("body").asText())
                .contains(refund.get("amount").decimalValue().toPlainString());
        assertThat(messages(sub.policyId(), "policy-cancelled").get(0).get("to").asText()).isEqualTo(sub.email());

        // the same cancellation again changes nothing
        assertThat(api().post("/api/policies/" + sub.policyId() + "/cancellation", "{\"reason\":\"CUSTOMER_REQUEST\"}")
                .status()).isEqualTo(200);
    }

    @Test
    void anUnpaidPolicyCancelledHasItsOpenInvoiceCancelledAndNoRefund() {
        Policies.Subscribed sub = Policies.subscribe(api());

        assertThat(api().post("/api/policies/" + sub.policyId() + "/cancellation", "{\"reason\":\"CUSTOMER_REQUEST\"}")
                .status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(get("billing/invoices/" + sub.invoiceId()).get("status").asText()).isEqualTo("CANCELLED");
            assertThat(messages(sub.policyId(), "policy-cancelled")).hasSize(1);
        });
        assertThat(get("billing/refunds?policyId=" + sub.policyId())).isEmpty();
    }

    @Test
    void refusalsAreProblemsNamingTheFieldThePolicyOrPassReason() {
        Policies.Subscribed sub = Policies.subscribe(api());
        String path = "/api/policies/" + sub.policyId() + "/modifications";

        HubApi.Response noReason = api().post(path, "{\"premium\":500}");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.contentType()).startsWith("application/problem+json");
        assertThat(noReason.body().get("errors").findValuesAsText("field")).contains("$.reason");
        HubApi.Response negative = api().post(path, "{\"premium\":-5,\"reason\":\"x\"}");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.body().get("errors").findValuesAsText("field")).contains("$.premium");
        assertThat(api().post(path, "{\"reason\":\"nothing to change\"}").status()).isEqualTo(400);
        assertThat(get("pas/policies/" + sub.policyId() + "/modifications")).isEmpty();

        HubApi.Response unknown = api().post("/api/policies/P-" + UUID.randomUUID() + "/modifications",
                "{\"premium\":500,\"reason\":\"x\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(api().post("/api/policies/P-" + UUID.randomUUID() + "/cancellation", "{\"reason\":\"x\"}").status())
                .isEqualTo(404);
        assertThat(api().post("/api/policies/not-a-policy/cancellation", "{\"reason\":\"x\"}").status()).isEqualTo(404);

        assertThat(api().post("/api/policies/" + sub.policyId() + "/cancellation", "{\"reason\":\"x\"}").status()).isEqualTo(200);
        HubApi.Response conflict = api().post(path, "{\"premium\":500,\"reason\":\"too late\"}");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.body().get("reason").asText()).isEqualTo("POLICY_CANCELLED");
    }

    private HubApi api() {
        return new HubApi(port);
    }
}
