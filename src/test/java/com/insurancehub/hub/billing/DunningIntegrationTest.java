package com.insurancehub.hub.billing;

import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;

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
 * E08 (the dunning run: Billing writes each PaymentOverdue to its outbox, the relay publishes it, Notifications sends
 * the reminder) and E10's compensation (unpaid past the grace period: the policy is cancelled for non-payment, Billing
 * terminated, the customer told), on real parts.
 *
 * <p>The test profile pins the dunning clock at 2001-01-10 with 3 days of grace (application-test.yaml), the run every
 * second: an invoice due 2001-01-08 is past due but within its grace, one due 2000-12-01 is past its grace too. Only
 * invoices dated that far back are dunned, so the run never touches another test's invoices.
 */
@HubIntegrationTest
class DunningIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    @LocalServerPort
    int port;
    @Autowired
    CamelContext camelContext;
    /** The database owner: Billing's outbox is beyond the hub's own role */
    final JdbcTemplate jdbc = new JdbcTemplate(DevServices.shared().superuserDataSource());

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

    @Test
    void aTransitionBillingMakesIsPublishedFromItsOutboxWithoutTheHub() throws Exception {
        Policies.Subscribed sub = Policies.subscribe(api());
        String accountId = get("billing/accounts?policyId=" + sub.policyId()).get(0).get("accountId").asText();

        // the hub's schedule stopped: the run below, Billing's alone, is the only one to dun the invoice
        camelContext.getRouteController().stopRoute("run-dunning");
        JsonNode notice;
        try (KafkaRecords billingEvents = KafkaRecords.of("insurance.billing.events")) {
            String invoiceId = overdueInvoice(sub.policyId(), "2001-01-08");
            int accountVersion = get("billing/accounts/" + accountId).get("version").asInt();
            JsonHttp.Response run = Mocks.call("POST", "billing/dunning-runs", "{\"asOf\":\"2001-01-10T00:00:00Z\",\"graceDays\":3}");
            assertThat(run.status()).isEqualTo(200);
            notice = java.util.stream.StreamSupport.stream(run.body().spliterator(), false)
                    .filter(t -> invoiceId.equals(t.get("invoiceId").asText())).findFirst().orElseThrow();

            ConsumerRecord<String, String> record = billingEvents.await(r -> accountId.equals(r.key())
                    && "PaymentOverdue".equals(KafkaRecords.header(r, "eventType")), Duration.ofSeconds(20));
            JsonNode event = JSON.readTree(record.value());
            assertThat(event.get("eventId").asText()).isEqualTo("PaymentOverdue-" + invoiceId + "-1");
            assertThat(event.get("aggregateId").asText()).isEqualTo(accountId);
            assertThat(event.get("aggregateVersion").asInt()).isEqualTo(accountVersion);
            // the transition as Billing answered it (numbers compared by value: the envelope writes 80.00 as 80)
            assertThat(event.get("data").equals(NUMBERS_BY_VALUE, notice)).as(event + " carries " + notice).isTrue();
            // the event is the outbox row Billing wrote with the transition
            assertThat(jdbc.queryForObject("SELECT payload->>'invoiceId' FROM billing.outbox WHERE id = ?", String.class,
                    "PaymentOverdue-" + invoiceId + "-1")).isEqualTo(invoiceId);
        } finally {
            camelContext.getRouteController().startRoute("run-dunning");
        }
        // the consumers are those of any PaymentOverdue: the customer is reminded once
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(messages(sub.policyId(), "payment-reminder")).hasSize(1));
        assertThat(notice.get("notice").asText()).isEqualTo("REMINDER");
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
