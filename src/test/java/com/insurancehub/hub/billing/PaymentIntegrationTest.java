package com.insurancehub.hub.billing;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.hub.support.Policies;

import static com.insurancehub.hub.support.Policies.get;
import static com.insurancehub.hub.support.Policies.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * F08 (payment registration enriched with the invoice and the customer) and E07 (PaymentReceived: PAS marks the
 * premium paid and activates the policy, the customer gets a receipt) - the first half of E10's quote-to-cash.
 */
@HubIntegrationTest
class PaymentIntegrationTest {

    @LocalServerPort
    int port;

    @AfterEach
    void resetFaults() {
        Mocks.reset("customers");
    }

    @Test
    void aPaymentIsEnrichedThenThePolicyBecomesActiveAndTheCustomerGetsAReceipt() {
        Policies.Subscribed sub = Policies.subscribe(api());
        String amount = sub.invoice().get("amount").asText();

        HubApi.Response paid = api().post("/api/payments", payment(sub.invoiceId(), amount), "Idempotency-Key", "PAY-" + UUID.randomUUID());

        assertThat(paid.status()).as(String.valueOf(paid.body())).isEqualTo(201);
        JsonNode payment = paid.body();
        assertThat(payment.get("paymentId").asText()).isNotBlank();
        assertThat(payment.get("policyId").asText()).isEqualTo(sub.policyId());
        assertThat(payment.get("invoice").get("status").asText()).isEqualTo("PAID");
        assertThat(payment.get("invoice").get("outstanding").decimalValue()).isZero();
        assertThat(payment.get("customer").get("email").asText()).isEqualTo(sub.email());
        assertThat(payment.get("customer").get("lastName").asText()).isEqualTo("Lovelace");

        // E07 / E10: quote-to-cash - the premium paid makes the ISSUED policy ACTIVE, and a receipt is sent
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode policy = get("pas/policies/" + sub.policyId());
            assertThat(policy.get("status").asText()).isEqualTo("ACTIVE");
            assertThat(policy.get("premiumPaid").decimalValue()).isEqualByComparingTo(amount);
            assertThat(messages(sub.policyId(), "payment-receipt")).hasSize(1);
        });
        assertThat(messages(sub.policyId(), "payment-receipt").get(0).get("to").asText()).isEqualTo(sub.email());
    }

    @Test
    void theSamePaymentRetriedWithItsIdempotencyKeyIsRecordedOnce() {
        Policies.Subscribed sub = Policies.subscribe(api());
        String key = "PAY-" + UUID.randomUUID();

        HubApi.Response first = api().post("/api/payments", payment(sub.invoiceId(), "10.00"), "Idempotency-Key", key);
        HubApi.Response again = api().post("/api/payments", payment(sub.invoiceId(), "10.00"), "Idempotency-Key", key);

        assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("paymentId").asText()).isEqualTo(key);
        assertThat(get("billing/payments?invoiceId=" + sub.invoiceId())).hasSize(1);
        assertThat(first.body().get("invoice").get("status").asText()).isEqualTo("OPEN");
        assertThat(first.body().get("invoice").get("outstanding").decimalValue())
                .isEqualByComparingTo(sub.invoice().get("amount").decimalValue().subtract(new java.math.BigDecimal("10.00")));
    }

    @Test
    void aPaymentOfAnUnknownInvoiceIsRefusedWithTheReasonAndNothingIsRecorded() {
        String invoiceId = "I-" + UUID.randomUUID();

        HubApi.Response refused = api().post("/api/payments", payment(invoiceId, "100.00"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().get("reason").asText()).isEqualTo("UNKNOWN_INVOICE");
        assertThat(refused.body().get("detail").asText()).contains(invoiceId);
        assertThat(refused.body().get("errors").findValuesAsText("field")).containsExactly("$.invoiceId");
        assertThat(get("billing/payments?invoiceId=" + invoiceId)).isEmpty();
    }

    @Test
    void billingsOwnRefusalsArePassedOnAndBadInputNamesItsField() {
        Policies.Subscribed sub = Policies.subscribe(api());
        String amount = sub.invoice().get("amount").asText();

        HubApi.Response tooMuch = api().post("/api/payments", payment(sub.invoiceId(), "99999.00"));
        assertThat(tooMuch.status()).isEqualTo(400);
        assertThat(tooMuch.body().get("errors").findValuesAsText("field")).contains("$.amount");

        assertThat(api().post("/api/payments", payment(sub.invoiceId(), amount)).status()).isEqualTo(201);
        HubApi.Response twice = api().post("/api/payments", payment(sub.invoiceId(), amount));
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.body().get("reason").asText()).isEqualTo("INVOICE_PAID");

        HubApi.Response noCurrency = api().post("/api/payments",
                "{\"invoiceId\":\"" + sub.invoiceId() + "\",\"amount\":1,\"reference\":\"x\"}");
        assertThat(noCurrency.status()).isEqualTo(400);
        assertThat(noCurrency.body().get("errors").findValuesAsText("field")).contains("$.currency");
    }

    @Test
    void aCustomerHubOutageDoesNotFailARecordedPayment() {
        Policies.Subscribed sub = Policies.subscribe(api());
        Mocks.faults("customers", 0, 0, true);

        HubApi.Response paid = api().post("/api/payments", payment(sub.invoiceId(), "5.00"));

        assertThat(paid.status()).as(String.valueOf(paid.body())).isEqualTo(201);
        assertThat(paid.body().has("customer")).isFalse();
        assertThat(paid.body().get("invoice").get("status").asText()).isEqualTo("OPEN");
    }

    private static String payment(String invoiceId, String amount) {
        return """
                {"invoiceId":"%s","amount":%s,"currency":"EUR","reference":"SEPA-%s"}""".formatted(invoiceId, amount, UUID.randomUUID());
    }

    private HubApi api() {
        return new HubApi(port);
    }
}
