package com.insurancehub.mocks;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import com.insurancehub.testing.JsonHttp.Response;

import static com.insurancehub.mocks.MockHttp.assertEvents;
import static com.insurancehub.mocks.MockHttp.assertProblem;
import static com.insurancehub.mocks.MockHttp.assertValid;
import static com.insurancehub.mocks.MockHttp.count;
import static com.insurancehub.mocks.MockHttp.get;
import static com.insurancehub.mocks.MockHttp.id;
import static com.insurancehub.mocks.MockHttp.post;
import static com.insurancehub.mocks.MockHttp.sendAsync;
import static com.insurancehub.testing.JsonHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Billing beyond the first invoice: payments, adjustments, payouts, termination with refund and dunning, every event
 * keyed by the policy's account with consecutive versions.
 */
class BillingLifecycleMockTest {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

    @Test
    void everyBillingEventOfAPolicyIsKeyedByItsAccountWithConsecutiveVersions() {
        String policyId = "P-" + id();
        String accountId = post("billing/accounts", json("customerId", "C-payer", "policyId", policyId)).text("accountId");

        Response issued = post("billing/invoices", json("policyId", policyId, "amount", 365.00, "currency", "EUR",
                "sourceEventId", id(), "dueDate", TODAY.plusDays(5).toString()));
        assertThat(issued.status()).isEqualTo(201);
        String invoiceId = issued.text("invoiceId");
        Response invoice = get("billing/invoices/" + invoiceId);
        assertThat(invoice.text("status")).isEqualTo("OPEN");
        assertThat(invoice.text("accountId")).isEqualTo(accountId);
        assertThat(invoice.text("customerId")).isEqualTo("C-payer");
        assertThat(invoice.text("policyId")).isEqualTo(policyId);
        assertThat(invoice.text("dueDate")).isEqualTo(TODAY.plusDays(5).toString());
        assertThat(invoice.decimal("amount")).isEqualByComparingTo("365");
        assertThat(invoice.decimal("amountPaid")).isEqualByComparingTo("0");
        assertThat(invoice.integer("dunningLevel")).isZero();
        assertProblem(get("billing/invoices/I-" + id()), 404, null);

        // payments: partial, repeated, too much, the rest, on a paid invoice, unknown invoice, other currency
        String partial = json("invoiceId", invoiceId, "amount", 100.00, "currency", "EUR", "reference", "SEPA-1",
                "paymentId", "PAY-" + id());
        Response first = post("billing/payments", partial);
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.text("invoiceStatus")).isEqualTo("OPEN");
        assertThat(first.text("accountId")).isEqualTo(accountId);
        assertThat(first.text("customerId")).isEqualTo("C-payer");
        assertThat(post("billing/payments", partial).status()).isEqualTo(200);
        assertProblem(post("billing/payments", json("invoiceId", invoiceId, "amount", 265.01, "currency", "EUR")),
                400, "amount");
        assertProblem(post("billing/payments", json("invoiceId", invoiceId, "amount", 10, "currency", "USD")),
                400, "currency");
        String traceparent = "00-" + id().replace("-", "") + "-00f067aa0ba902b7-01";
        Response rest = MockHttp.send("POST", "billing/payments", json("invoiceId", invoiceId, "amount", 265.00,
                "currency", "EUR", "paymentId", "PAY-" + id()), "traceparent", traceparent);
        assertThat(rest.text("invoiceStatus")).isEqualTo("PAID");
        assertThat(get("billing/invoices/" + invoiceId).text("status")).isEqualTo("PAID");
        assertThat(get("billing/invoices/" + invoiceId).decimal("amountPaid")).isEqualByComparingTo("365");
        assertProblem(post("billing/payments", json("invoiceId", invoiceId, "amount", 1, "currency", "EUR")),
                409, "INVOICE_PAID");
        assertProblem(post("billing/payments", json("invoiceId", "I-" + id(), "amount", 1, "currency", "EUR")), 404, null);
        assertProblem(post("billing/payments", json("amount", 1, "currency", "EUR")), 400, "invoiceId");
        assertThat(get("billing/payments?invoiceId=" + invoiceId).body()).hasSize(2);

        // adjustments: a charge (an adjustment invoice), a credit note; idempotent by source event
        String charge = json("policyId", policyId, "amountDelta", 50.00, "reason", "premium increase", "sourceEventId", id());
        Response charged = post("billing/adjustments", charge);
        assertThat(charged.status()).isEqualTo(201);
        assertThat(charged.text("kind")).isEqualTo("INVOICE");
        String adjustmentInvoice = charged.text("invoiceId");
        assertThat(get("billing/invoices/" + adjustmentInvoice).text("kind")).isEqualTo("ADJUSTMENT");
        assertThat(post("billing/adjustments", charge).status()).isEqualTo(200);
        Response credited = post("billing/adjustments", json("policyId", policyId, "amountDelta", -20.00,
                "reason", "premium decrease", "sourceEventId", id()));
        assertThat(credited.text("kind")).isEqualTo("CREDIT_NOTE");
        assertThat(get("billing/accounts/" + accountId).decimal("creditBalance")).isEqualByComparingTo("20");
        assertThat(get("billing/adjustments?policyId=" + policyId).body()).hasSize(2);
        assertProblem(post("billing/adjustments", json("policyId", policyId, "amountDelta", 0, "sourceEventId", id())),
                400, "amountDelta");
        assertProblem(post("billing/adjustments", json("policyId", policyId, "amountDelta", 5)), 400, "sourceEventId");

        // a claim payout, once per claim
        String payout = json("claimId", "CLM-" + id(), "policyId", policyId, "amount", 800.00, "currency", "EUR",
                "sourceEventId", id());
        Response paidOut = post("billing/payouts", payout);
        assertThat(paidOut.status()).isEqualTo(201);
        assertThat(paidOut.text("payoutId")).startsWith("PO-");
        assertThat(post("billing/payouts", payout).status()).isEqualTo(200);
        assertProblem(post("billing/payouts", payout.replace("800.0", "900.0")), 409, "CLAIM_ALREADY_PAID_OUT");
        assertThat(get("billing/payouts?policyId=" + policyId).body()).hasSize(1);
        assertThat(get("billing/payouts?claimId=" + paidOut.text("claimId")).body()).hasSize(1);

        // termination 73 days in: the open adjustment invoice cancelled; refund 365 × 292/365 + credit 20 = 312.00
        String termination = json("policyId", policyId, "reason", "policy cancelled", "sourceEventId", id(),
                "effectiveDate", TODAY.plusDays(73).toString());
        Response terminated = post("billing/terminations", termination);
        assertThat(terminated.status()).isEqualTo(201);
        assertThat(terminated.body().get("cancelledInvoices")).hasSize(1);
        assertThat(terminated.body().at("/cancelledInvoices/0/invoiceId").asText()).isEqualTo(adjustmentInvoice);
        assertThat(terminated.body().at("/refund/amount").decimalValue()).isEqualByComparingTo("312.00");
        assertThat(terminated.text("accountStatus")).isEqualTo("CLOSED");
        Response terminatedAgain = post("billing/terminations", termination);
        assertThat(terminatedAgain.status()).isEqualTo(200);
        assertThat(terminatedAgain.body()).isEqualTo(terminated.body());
        assertThat(get("billing/invoices/" + adjustmentInvoice).text("status")).isEqualTo("CANCELLED");
        assertThat(get("billing/refunds?policyId=" + policyId).body()).hasSize(1);
        assertThat(get("billing/accounts/" + accountId).text("status")).isEqualTo("CLOSED");

        // billing stopped: no invoice, no adjustment; a payout of the covered period still goes through
        assertProblem(post("billing/invoices", json("policyId", policyId, "amount", 1, "currency", "EUR",
                "sourceEventId", id())), 409, "ACCOUNT_CLOSED");
        assertProblem(post("billing/adjustments", json("policyId", policyId, "amountDelta", 1, "sourceEventId", id())),
                409, "ACCOUNT_CLOSED");
        assertThat(post("billing/payouts", json("claimId", "CLM-" + id(), "policyId", policyId, "amount", 10,
                "currency", "EUR")).status()).isEqualTo(201);

        List<MockHttp.OutboxRow> events = assertEvents("billing.outbox", "billing-account", accountId, 1,
                "BillingAccountOpened", "InvoiceIssued", "PaymentReceived", "PaymentReceived", "InvoiceAdjusted",
                "InvoiceAdjusted", "PayoutIssued", "InvoiceCancelled", "RefundIssued", "BillingAccountClosed",
                "PayoutIssued");
        for (MockHttp.OutboxRow event : events) {
            assertThat(event.data().get("accountId").asText()).isEqualTo(accountId);
            assertThat(event.data().get("policyId").asText()).isEqualTo(policyId);
            assertThat(event.data().get("customerId").asText()).isEqualTo("C-payer");
        }
        assertThat(events.get(2).data().get("invoiceStatus").asText()).isEqualTo("OPEN");
        assertThat(events.get(3).data().get("invoiceStatus").asText()).isEqualTo("PAID");
        assertThat(events.get(3).traceparent()).isEqualTo(traceparent);
        assertThat(events.get(4).data().get("invoiceId").asText()).isEqualTo(adjustmentInvoice);
        assertThat(events.get(5).data().get("amountDelta").decimalValue()).isEqualByComparingTo("-20");
        assertThat(events.get(8).data().get("amount").decimalValue()).isEqualByComparingTo("312.00");
        assertThat(events.get(8).data().get("unusedDays").asInt()).isEqualTo(292);
        assertThat(get("billing/accounts/" + accountId).integer("version")).isEqualTo(11);
    }

    @Test
    void anInvoiceForAPolicyWithoutAccountOpensOneAndATerminationWithoutPaymentsRefundsNothing() {
        String policyId = "P-" + id();
        Response issued = post("billing/invoices", json("policyId", policyId, "amount", 99.90, "currency", "EUR",
                "sourceEventId", id()));
        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.text("dueDate")).isEqualTo(TODAY.plusDays(30).toString());
        String accountId = issued.text("accountId");
        assertThat(accountId).startsWith("A-");
        assertThat(issued.text("customerId")).isNull();
        // the saga's account step meets the account opened on demand, and fills in the customer
        Response account = post("billing/accounts", json("customerId", "C-late", "policyId", policyId));
        assertThat(account.status()).isEqualTo(200);
        assertThat(account.text("accountId")).isEqualTo(accountId);
        assertThat(account.text("customerId")).isEqualTo("C-late");

        Response terminated = post("billing/terminations", json("policyId", policyId, "reason", "withdrawn"));
        assertThat(terminated.status()).isEqualTo(201);
        assertThat(terminated.body().hasNonNull("refund")).as("no refund").isFalse();
        assertThat(terminated.body().get("cancelledInvoices")).hasSize(1);
        assertThat(terminated.text("effectiveDate")).isEqualTo(TODAY.toString());
        assertThat(get("billing/refunds?policyId=" + policyId).body()).isEmpty();
        assertEvents("billing.outbox", "billing-account", accountId, 1,
                "BillingAccountOpened", "InvoiceIssued", "InvoiceCancelled", "BillingAccountClosed");

        // a termination for a policy Billing never heard of: an account opened and closed, nothing else
        String unknown = "P-" + id();
        Response nothing = post("billing/terminations", json("policyId", unknown, "sourceEventId", id()));
        assertThat(nothing.status()).isEqualTo(201);
        assertThat(nothing.body().get("cancelledInvoices")).isEmpty();
        assertEvents("billing.outbox", "billing-account", nothing.text("accountId"), 1,
                "BillingAccountOpened", "BillingAccountClosed");
        assertProblem(post("billing/terminations", json("reason", "x")), 400, "policyId");
    }

    @Test
    void concurrentPaymentsOfOneInvoiceNeverPayItTwice() {
        String policyId = "P-" + id();
        String invoiceId = post("billing/invoices", json("policyId", policyId, "amount", 120.00, "currency", "EUR",
                "sourceEventId", id())).text("invoiceId");
        List<CompletableFuture<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(sendAsync("POST", "billing/payments", json("invoiceId", invoiceId, "amount", 120.00,
                    "currency", "EUR", "paymentId", "PAY-" + id())));
        }
        List<Response> answers = calls.stream().map(CompletableFuture::join).toList();

        assertThat(answers).extracting(Response::status).containsOnlyOnce(201).containsOnly(201, 409);
        assertThat(count("SELECT count(*) FROM billing.payments WHERE invoice_id = ?", invoiceId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM billing.outbox WHERE event_type = 'PaymentReceived' AND payload->>'invoiceId' = ?",
                invoiceId)).isEqualTo(1);
    }

    @Test
    void concurrentDunningRunsMakeEachTransitionAndItsPaymentOverdueOnce() {
        Payer payer = payer();
        String policyId = payer.policyId();
        String accountId = post("billing/accounts", json("customerId", payer.customerId(), "policyId", policyId)).text("accountId");
        List<String> withinGrace = new ArrayList<>();
        List<String> graceExpired = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            withinGrace.add(invoice(policyId, TODAY.minusDays(1 + i)));   // overdue, grace of 10 days not yet over
            graceExpired.add(invoice(policyId, TODAY.minusDays(20 + i))); // overdue and grace over
        }
        String notDue = invoice(policyId, TODAY);
        String paid = invoice(policyId, TODAY.minusDays(30));
        post("billing/payments", json("invoiceId", paid, "amount", 10.00, "currency", "EUR"));
        long eventsBefore = count("SELECT count(*) FROM billing.outbox WHERE aggregate_id = ?", accountId);
        int versionBefore = get("billing/accounts/" + accountId).integer("version");

        String run = json("asOf", Instant.now().toString(), "graceDays", 10);
        List<JsonNode> transitions = new ArrayList<>();
        List<CompletableFuture<Response>> parallel = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            parallel.add(sendAsync("POST", "billing/dunning-runs", run));
        }
        parallel.stream().map(CompletableFuture::join).forEach(r -> {
            assertThat(r.status()).isEqualTo(200);
            r.body().forEach(transitions::add);
        });
        // then runs one after the other until nothing moves any more (each run moves an invoice one level at most)
        for (int i = 0; i < 3; i++) {
            post("billing/dunning-runs", run).body().forEach(transitions::add);
        }

        List<JsonNode> ours = transitions.stream().filter(t -> policyId.equals(t.get("policyId").asText())).toList();
        List<String> moves = ours.stream().map(t -> t.get("invoiceId").asText() + ":" + t.get("dunningLevel").asInt()).toList();
        assertThat(moves).doesNotHaveDuplicates();
        Set<String> expected = new java.util.HashSet<>();
        withinGrace.forEach(invoice -> expected.add(invoice + ":1"));
        graceExpired.forEach(invoice -> {
            expected.add(invoice + ":1");
            expected.add(invoice + ":2");
        });
        assertThat(moves).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(moves).noneMatch(m -> m.startsWith(notDue) || m.startsWith(paid));

        JsonNode finalNotice = ours.stream().filter(t -> t.get("dunningLevel").asInt() == 2).findFirst().orElseThrow();
        assertThat(finalNotice.get("graceExpired").asBoolean()).isTrue();
        assertThat(finalNotice.get("notice").asText()).isEqualTo("FINAL");
        assertThat(finalNotice.get("accountId").asText()).isEqualTo(accountId);
        assertThat(finalNotice.get("customerId").asText()).isEqualTo(payer.customerId());
        assertThat(finalNotice.get("accountVersion").asInt()).isEqualTo(versionBefore);
        assertThat(finalNotice.get("amount").decimalValue()).isEqualByComparingTo("10.00");
        JsonNode reminder = ours.stream().filter(t -> t.get("dunningLevel").asInt() == 1).findFirst().orElseThrow();
        assertThat(reminder.get("graceExpired").asBoolean()).isFalse();
        assertThat(reminder.get("notice").asText()).isEqualTo("REMINDER");
        assertThat(get("billing/invoices/" + graceExpired.get(0)).integer("dunningLevel")).isEqualTo(2);
        assertThat(get("billing/invoices/" + withinGrace.get(0)).integer("dunningLevel")).isEqualTo(1);

        // each transition has its PaymentOverdue in Billing's outbox, once: named after the invoice and the level,
        // keyed by the account at the version the notice was computed against, its data the transition as answered
        Map<String, MockHttp.OutboxRow> notices = MockHttp.outbox("billing.outbox", accountId).stream()
                .filter(row -> "PaymentOverdue".equals(row.eventType()))
                .collect(Collectors.toMap(MockHttp.OutboxRow::id, row -> row));
        assertThat(notices).hasSize(ours.size());
        for (JsonNode transition : ours) {
            MockHttp.OutboxRow row = notices.get("PaymentOverdue-" + transition.get("invoiceId").asText() + "-"
                    + transition.get("dunningLevel").asInt());
            assertThat(row).as(transition.toString()).isNotNull();
            assertThat(row.aggregateType()).isEqualTo("billing-account");
            assertThat(row.version()).isEqualTo(versionBefore);
            assertThat(row.data()).isEqualTo(transition);
            assertValid(row);
        }
        // each invoice's last transition and its notice were written by one transaction
        assertThat(count("""
                SELECT count(*) FROM billing.invoices i
                JOIN billing.outbox o ON o.id = 'PaymentOverdue-' || i.invoice_id || '-' || i.dunning_level
                WHERE i.policy_id = ? AND o.xmin::text = i.xmin::text""", policyId)).isEqualTo(10);
        // and no other event: dunning leaves the account's version alone
        assertThat(count("SELECT count(*) FROM billing.outbox WHERE aggregate_id = ?", accountId))
                .isEqualTo(eventsBefore + ours.size());
        assertThat(get("billing/accounts/" + accountId).integer("version")).isEqualTo(versionBefore);
        assertProblem(post("billing/dunning-runs", json("graceDays", -1)), 400, "graceDays");
        assertProblem(post("billing/dunning-runs", json("asOf", "tomorrow")), 400, "asOf");
    }

    @Test
    void aDunningTransitionIsUndoneWhenItsPaymentOverdueCannotBeWritten() throws Exception {
        Payer payer = payer();
        post("billing/accounts", json("customerId", payer.customerId(), "policyId", payer.policyId()));
        String invoiceId = invoice(payer.policyId(), TODAY.minusDays(1));
        String notice = "PaymentOverdue-" + invoiceId + "-1";
        String run = json("asOf", Instant.now().toString(), "graceDays", 10);

        // the outbox refuses this one row (a disk full, a constraint): the run's transaction rolls back as a whole
        String refusal = "refuses_" + id().replace("-", "");
        ddl("ALTER TABLE billing.outbox ADD CONSTRAINT " + refusal + " CHECK (id <> '" + notice + "') NOT VALID");
        try {
            assertThat(post("billing/dunning-runs", run).status()).isEqualTo(500);
            assertThat(get("billing/invoices/" + invoiceId).integer("dunningLevel")).isZero();
            assertThat(count("SELECT count(*) FROM billing.outbox WHERE id = ?", notice)).isZero();
        } finally {
            ddl("ALTER TABLE billing.outbox DROP CONSTRAINT " + refusal);
        }

        // the next run makes the transition, with its notice
        List<String> moved = new ArrayList<>();
        post("billing/dunning-runs", run).body()
                .forEach(t -> moved.add(t.get("invoiceId").asText() + ":" + t.get("dunningLevel").asInt()));
        assertThat(moved).contains(invoiceId + ":1");
        assertThat(get("billing/invoices/" + invoiceId).integer("dunningLevel")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM billing.outbox WHERE id = ?", notice)).isEqualTo(1);
    }

    /** A payer the hub's PaymentOverdue consumers can act on, should they run in this JVM (see {@link #payer()}). */
    private record Payer(String customerId, String policyId) {
    }

    /**
     * A customer of the Customer Hub with a PENDING policy in PAS. The notices of a dunning run are published
     * (Billing's outbox is relayed whenever the hub's integration context runs in the same JVM), and the hub's
     * consumers address the reminder from the Customer Hub and cancel the policy on the final notice - a PENDING one
     * without any event. Real ones, so that this test's notices end in emails, not in dead letters.
     */
    private static Payer payer() {
        String token = id();
        String customerId = post("customers/customers", json("firstName", "Late", "lastName", "Payer " + token,
                "email", "late." + token + "@example.com", "birthDate", "1980-01-01")).text("customerId");
        String policyId = post("pas/policies", json("quoteId", "Q-" + token, "customerId", customerId, "product", "HOME",
                "premium", 10.00, "currency", "EUR", "status", "PENDING")).text("policyId");
        return new Payer(customerId, policyId);
    }

    private static void ddl(String sql) throws SQLException {
        try (Connection db = MockHttp.db(); Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String invoice(String policyId, LocalDate dueDate) {
        return post("billing/invoices", json("policyId", policyId, "amount", 10.00, "currency", "EUR", "sourceEventId", id(),
                "dueDate", dueDate.toString())).text("invoiceId");
    }
}
