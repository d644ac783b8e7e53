package com.insurancehub.hub.billing;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;
import com.insurancehub.hub.support.Policies;

import static com.insurancehub.hub.support.Policies.get;
import static com.insurancehub.hub.support.Policies.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * E08 (the dunning run publishes PaymentOverdue, Notifications sends the reminder) and E10's compensation (unpaid past
 * the grace period: the policy is cancelled for non-payment, Billing terminated, the customer told), on real parts.
 *
 * <p>The test profile pins the dunning clock at 2001-01-10 with 3 days of grace (application-test.yaml), the run every
 * second: an invoice due 2001-01-08 is past due but within its grace, one due 2000-12-01 is past its grace too. Only
 * invoices dated that far back are dunned, so the run never touches another test's invoices.
 */
@HubIntegrationTest
class DunningIntegrationTest {

    @LocalServerPort
    int port;

    @Test
    void anInvoicePastDueGetsOneReminderPublishedAsPaymentOverdueAndThePolicyStays() {
        Policies.Subscribed sub = Policies.subscribe(api());
        String accountId = get("billing/accounts?policyId=" + sub.policyId()).get(0).get("accountId").asText();

        try (KafkaRecords billingEvents = KafkaRecords.of("insurance.billing.events")) {
            String invoiceId = overdueInvoice(sub.policyId(), "2001-01-08");

            ConsumerRecord<String, String> overdue = billingEvents.await(r -> accountId.equals(r.key())
                    && "PaymentOverdue".equals(KafkaRecords.header(r, "eventType")), Duration.ofSeconds(20));
            assertThat(overdue.value()).contains(invoiceId).contains("\"eventId\":\"PaymentOverdue-" + invoiceId + "-1\"");
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(messages(sub.policyId(), "payment-reminder")).hasSize(1));
            JsonNode reminder = messages(sub.policyId(), "payment-reminder").get(0);
            assertThat(reminder.get("to").asText()).isEqualTo(sub.email());
            assertThat(reminder.get("body").asText()).contains(invoiceId).contains("2001-01-08");

            // within its grace: no final notice, the policy stays
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(get("billing/invoices/" + invoiceId).get("dunningLevel").asInt()).isEqualTo(1);
                assertThat(get("pas/policies/" + sub.policyId()).get("status").asText()).isEqualTo("ISSUED");
            });
            assertThat(billingEvents.matching(r -> accountId.equals(r.key())
                    && "PaymentOverdue".equals(KafkaRecords.header(r, "eventType")))).hasSize(1);
        }
    }

    @Test
    void anInvoiceUnpaidPastTheGracePeriodCancelsThePolicyTerminatesBillingAndTellsTheCustomer() {
        Policies.Subscribed sub = Policies.subscribe(api());
        String invoiceId = overdueInvoice(sub.policyId(), "2000-12-01");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode policy = get("pas/policies/" + sub.policyId());
            assertThat(policy.get("status").asText()).isEqualTo("CANCELLED");
            assertThat(policy.get("cancellationReason").asText()).isEqualTo("NON_PAYMENT");
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(get("billing/invoices/" + invoiceId).get("status").asText()).isEqualTo("CANCELLED");
            assertThat(get("billing/invoices/" + sub.invoiceId()).get("status").asText()).isEqualTo("CANCELLED");
            assertThat(get("billing/accounts?policyId=" + sub.policyId()).get(0).get("status").asText()).isEqualTo("CLOSED");
            assertThat(messages(sub.policyId(), "payment-reminder")).hasSize(1);
            assertThat(messages(sub.policyId(), "payment-final-notice")).hasSize(1);
            assertThat(messages(sub.policyId(), "policy-cancelled")).hasSize(1);
        });
        JsonNode told = messages(sub.policyId(), "policy-cancelled").get(0);
        assertThat(told.get("to").asText()).isEqualTo(sub.email());
        assertThat(told.get("body").asText()).contains("NON_PAYMENT");
        assertThat(get("billing/refunds?policyId=" + sub.policyId())).isEmpty();
    }

    /** An extra premium invoice of the policy, due on a date before the test's dunning clock. */
    private static String overdueInvoice(String policyId, String dueDate) {
        JsonHttp.Response issued = Mocks.call("POST", "billing/invoices", """
                {"policyId":"%s","amount":80.00,"currency":"EUR","sourceEventId":"%s","dueDate":"%s"}"""
                .formatted(policyId, UUID.randomUUID(), dueDate));
        assertThat(issued.status()).isEqualTo(201);
        return issued.body().get("invoiceId").asText();
    }

    private HubApi api() {
        return new HubApi(port);
    }
}
