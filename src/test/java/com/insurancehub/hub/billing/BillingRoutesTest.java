package com.insurancehub.hub.billing;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.Model;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith tests of the billing routes: F08 register-payment, E07 payment-received-to-pas / -notifications, E08
 * run-dunning / payment-overdue-to-notifications, E10 payment-overdue-to-cancellation.
 * Kafka and the systems are replaced by endpoints of this test; the idempotent repository is the real one.
 */
@RouteDomains("billing")
class BillingRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MeterRegistry meters;

    @Override
    protected void adviceRoutes() {
        route("register-payment")
                .mockCall("read-invoice", "billing-invoice")
                .mockCall("record-payment-in-billing", "billing-payment")
                .mockCall("read-paid-invoice", "billing-invoice")
                .mockCall("look-up-paying-customer", "customer-hub");
        route("payment-received-to-pas").from("direct:received-to-pas").mockCall("record-premium-paid", "pas");
        route("payment-received-to-notifications").from("direct:received-to-notifications")
                .mockCall("send-payment-receipt", "notify");
        route("payment-overdue-to-notifications").from("direct:overdue-to-notifications")
                .mockCall("send-payment-reminder", "notify");
        route("payment-overdue-to-cancellation").from("direct:overdue-to-cancellation")
                .mockCall("read-overdue-invoice", "billing-invoice").mockCall("cancel-policy-for-non-payment", "pas");
        route("run-dunning").from("direct:run-dunning").mockCall("ask-billing-for-dunning-run", "billing-dunning");
        mockDeadLetterTopic();
    }

    @Test
    void aPaymentIsCheckedRecordedAndAnsweredWithTheInvoiceAndTheCustomer() throws Exception {
        List<String> invoices = List.of(invoice("OPEN", "100.00"), invoice("PAID", "0.00"));
        mock("billing-invoice").whenExchangeReceived(1, e -> e.getMessage().setBody(invoices.get(0)));
        mock("billing-invoice").whenExchangeReceived(2, e -> e.getMessage().setBody(invoices.get(1)));
        answer("billing-payment", 201, """
                {"paymentId":"key-9","invoiceId":"I-1","policyId":"P-1","accountId":"A-1","amount":100.00,"currency":"EUR",
                 "reference":"SEPA-1","invoiceStatus":"PAID","receivedAt":"2026-11-22T10:00:00Z"}""");
        answer("customer-hub", 200, "{\"customerId\":\"C-1\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.com\"}");

        Exchange answer = template.request("direct:register-payment", e -> {
            e.getMessage().setHeader("Idempotency-Key", "key-9");
            e.getMessage().setBody(paymentRequest());
        });

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(201);
        JsonNode recorded = JSON.readTree(mock("billing-payment").getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(recorded.get("paymentId").asText()).isEqualTo("key-9");
        JsonNode payment = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(payment.get("invoice").get("status").asText()).isEqualTo("PAID");
        assertThat(payment.get("invoice").get("outstanding").asDouble()).isZero();
        assertThat(payment.get("policyId").asText()).isEqualTo("P-1");
        assertThat(payment.get("customer").get("email").asText()).isEqualTo("ada@example.com");
    }

    @Test
    void aPaymentOfAnUnknownInvoiceIsRefusedWithA422NamingTheInvoiceAndNothingIsRecorded() throws Exception {
        mock("billing-invoice").whenAnyExchangeReceived(e -> e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404));
        mock("billing-payment").expectedMessageCount(0);

        Exchange answer = template.request("direct:register-payment", e -> e.getMessage().setBody(paymentRequest()));

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(422);
        JsonNode problem = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(problem.get("reason").asText()).isEqualTo("UNKNOWN_INVOICE");
        assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("$.invoiceId");
        assertThat(answer.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo("application/problem+json");
    }

    @Test
    void aPaymentReceivedIsRecordedInPasOnceAndItsReceiptSentOnce() throws Exception {
        mock("pas").expectedMessageCount(1);
        mock("notify").expectedMessageCount(1);
        String event = paymentReceived();

        for (int delivery = 0; delivery < 2; delivery++) {
            template.sendBody("direct:received-to-pas", event);
            template.sendBody("direct:received-to-notifications", event);
        }

        MockEndpoint.assertIsSatisfied(camelContext);
        Exchange toPas = mock("pas").getReceivedExchanges().get(0);
        JsonNode premiumPaid = JSON.readTree(toPas.getMessage().getBody(String.class));
        assertThat(premiumPaid.get("paymentId").asText()).isEqualTo("PAY-1");
        assertThat(premiumPaid.get("sourceEventId").asText()).isEqualTo(JSON.readTree(event).get("eventId").asText());
        JsonNode receipt = JSON.readTree(mock("notify").getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(receipt.get("template").asText()).isEqualTo("payment-receipt");
        assertThat(receipt.get("body").asText()).contains("paid in full");
        assertThat(receipt.get("customerId").asText()).isEqualTo("C-1");
    }

    @Test
    void aPaymentPasRefusesBecauseThePolicyIsCancelledIsSupersededNotDeadLettered() throws Exception {
        mock("dlq").expectedMessageCount(0);
        answer("pas", 409, "{\"status\":409,\"reason\":\"POLICY_CANCELLED\"}");

        template.sendBody("direct:received-to-pas", paymentReceived());

        mock("dlq").setAssertPeriod(500);
        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("pas").getReceivedCounter()).isEqualTo(1);
    }

    @Test
    void aDunningRunAsksBillingWithTheRunsClockAndCountsTheNoticesButPublishesNothingItself() throws Exception {
        answer("billing-dunning", "[" + transition("I-1", 1, false) + "," + transition("I-2", 2, true) + "]");
        double before = dunningNotices();

        template.sendBody("direct:run-dunning", null);

        JsonNode run = JSON.readTree(mock("billing-dunning").getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(run.get("asOf").asText()).isEqualTo("2001-01-10T00:00:00Z");
        assertThat(run.get("graceDays").asInt()).isEqualTo(3);
        assertThat(dunningNotices() - before).isEqualTo(2);
        // Billing wrote each PaymentOverdue to its outbox with its transition (D01): the hub sends no event of its own
        assertThat(camelContext.getRoute("publish-payment-overdue")).isNull();
        assertThat(camelContext.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition("run-dunning")
                .toString()).doesNotContain("kamelet:").doesNotContain("kafka:");
    }

    @Test
    void aDunningRunThatFailsIsLeftToTheNextRun() throws Exception {
        mock("billing-dunning").whenAnyExchangeReceived(e -> {
            throw new java.io.IOException("billing down");
        });
        double before = dunningNotices();

        Exchange run = template.send("direct:run-dunning", e -> { });

        assertThat(run.getException()).isNull();
        assertThat(dunningNotices()).isEqualTo(before);
    }

    @Test
    void aRunThatDunsNothingCountsNothing() {
        answer("billing-dunning", "[]");
        double before = dunningNotices();

        template.sendBody("direct:run-dunning", null);

        assertThat(mock("billing-dunning").getReceivedCounter()).isEqualTo(1);
        assertThat(dunningNotices()).isEqualTo(before);
    }

    private double dunningNotices() {
        Counter counter = meters.find("hub.billing.dunning.notices").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aReminderAndAFinalNoticeAreSentOnceEach() throws Exception {
        mock("notify").expectedMessageCount(2);
        String reminder = paymentOverdue("PaymentOverdue-I-5-1", "I-5", 1, false);
        String finalNotice = paymentOverdue("PaymentOverdue-I-5-2", "I-5", 2, true);

        for (int delivery = 0; delivery < 2; delivery++) {
            template.sendBody("direct:overdue-to-notifications", reminder);
            template.sendBody("direct:overdue-to-notifications", finalNotice);
        }

        MockEndpoint.assertIsSatisfied(camelContext);
        List<JsonNode> sent = mock("notify").getReceivedExchanges().stream()
                .map(e -> readTree(e.getMessage().getBody(String.class))).toList();
        assertThat(sent).extracting(m -> m.get("template").asText()).containsExactly("payment-reminder", "payment-final-notice");
        assertThat(sent.get(0).get("body").asText()).contains("3 days of grace");
    }

    @Test
    void onlyAFinalNoticeOfAnInvoiceStillOpenCancelsThePolicyForNonPayment() throws Exception {
        mock("billing-invoice").whenExchangeReceived(1, e -> e.getMessage().setBody(invoice("OPEN", "80.00")));
        mock("billing-invoice").whenExchangeReceived(2, e -> e.getMessage().setBody(invoice("PAID", "0.00")));
        mock("billing-invoice").expectedMessageCount(2);
        mock("pas").expectedMessageCount(1);
        String unpaid = "I-" + UUID.randomUUID();
        String paidMeanwhile = "I-" + UUID.randomUUID();

        template.sendBody("direct:overdue-to-cancellation", paymentOverdue("PaymentOverdue-" + unpaid + "-1", unpaid, 1, false));
        template.sendBody("direct:overdue-to-cancellation", paymentOverdue("PaymentOverdue-" + unpaid + "-2", unpaid, 2, true));
        template.sendBody("direct:overdue-to-cancellation", paymentOverdue("PaymentOverdue-" + unpaid + "-2", unpaid, 2, true));
        template.sendBody("direct:overdue-to-cancellation",
                paymentOverdue("PaymentOverdue-" + paidMeanwhile + "-2", paidMeanwhile, 2, true));

        MockEndpoint.assertIsSatisfied(camelContext);
        Exchange cancellation = mock("pas").getReceivedExchanges().get(0);
        assertThat(JSON.readTree(cancellation.getMessage().getBody(String.class)).get("reason").asText()).isEqualTo("NON_PAYMENT");
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String paymentRequest() {
        return "{\"invoiceId\":\"I-" + UUID.randomUUID() + "\",\"amount\":100.00,\"currency\":\"EUR\",\"reference\":\"SEPA-1\"}";
    }

    private static String invoice(String status, String outstanding) {
        return """
                {"invoiceId":"I-1","accountId":"A-1","policyId":"P-1","customerId":"C-1","kind":"PREMIUM","amount":100.00,
                 "amountPaid":0,"outstanding":%s,"currency":"EUR","status":"%s","dueDate":"2026-12-22","dunningLevel":0}"""
                .formatted(outstanding, status);
    }

    private static String paymentReceived() {
        return Events.of("PaymentReceived").aggregate("A-1", 3).data("""
                {"accountId":"A-1","policyId":"P-1","customerId":"C-1","paymentId":"PAY-1","invoiceId":"I-1",
                 "amount":100.00,"currency":"EUR","reference":"SEPA-1","invoiceStatus":"PAID","invoiceAmount":100.00,
                 "invoiceAmountPaid":100.00,"outstanding":0}""").json();
    }

    private static String transition(String invoiceId, int level, boolean graceExpired) {
        return """
                {"invoiceId":"%s","policyId":"P-1","accountId":"A-1","customerId":"C-1","kind":"PREMIUM","amount":80.00,
                 "amountPaid":0,"outstanding":80.00,"currency":"EUR","dueDate":"2000-12-01","dunningLevel":%d,
                 "notice":"%s","graceExpired":%s,"graceDays":3,"accountVersion":5,"asOf":"2001-01-10T00:00:00Z"}"""
                .formatted(invoiceId, level, level == 1 ? "REMINDER" : "FINAL", graceExpired);
    }

    private static String paymentOverdue(String eventId, String invoiceId, int level, boolean graceExpired) {
        return Events.of("PaymentOverdue").id(eventId).aggregate("A-1", 5).data(transition(invoiceId, level, graceExpired)).json();
    }
}
