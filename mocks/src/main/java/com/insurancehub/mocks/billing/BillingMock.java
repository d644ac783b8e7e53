package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.MockSystem;
import com.insurancehub.mocks.platform.Outbox;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.conflict;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Problems.notFound;
import static com.insurancehub.mocks.platform.Problems.problem;

/**
 * Billing: one account per policy, the policy's invoices, payments, adjustments, refunds and claim payouts. Like PAS
 * it has a transactional outbox ({@code billing.outbox}), written in the transaction of each change.
 *
 * <p>Every billing event is keyed by the policy's <b>account</b> (aggregate {@code billing-account}, id = accountId,
 * version = the account's version after the event, + 1 per event), so that one policy's billing events stay in order
 * on one partition; every event's data carries accountId, policyId and (when known) customerId. An account is opened
 * on demand (with a BillingAccountOpened) when an invoice, adjustment, payout or termination arrives for a policy that
 * has none yet. A CLOSED account takes no new invoice or adjustment (409 ACCOUNT_CLOSED); payouts still go through.
 *
 * <p>Every write is idempotent, because the hub calls Billing from at-least-once event consumers: an account per
 * policyId, an invoice, adjustment or payout per sourceEventId, a payment per paymentId, a payout per claimId, a
 * termination per policyId (and sourceEventId). A repeat answers 200 with what was done the first time and writes
 * nothing.
 */
@RestController
@RequestMapping("/billing")
public class BillingMock implements MockSystem {

    private static final String OUTBOX = "billing.outbox";
    private static final String AGGREGATE = "billing-account";
    private static final int PAYMENT_TERM_DAYS = 30;
    private static final int COVERAGE_DAYS = 365;
    private static final int DEFAULT_GRACE_DAYS = 14;
    private static final String DEFAULT_CURRENCY = "EUR";
    private static final String OPEN = "OPEN";
    private static final String PAID = "PAID";
    private static final String CLOSED = "CLOSED";
    private static final String INVOICES = """
            SELECT i.*, a.customer_id FROM billing.invoices i LEFT JOIN billing.accounts a ON a.account_id = i.account_id
            """;
    private static final String[] INVOICE_EVENT_FIELDS = {"invoiceId", "kind", "amount", "amountPaid", "currency",
            "status", "dueDate", "dunningLevel", "sourceEventId"};

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;
    private final ObjectMapper json;

    public BillingMock(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Outbox outbox, ObjectMapper json) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
        this.outbox = outbox;
        this.json = json;
    }

    @Override
    public String base() {
        return "billing";
    }

    public record NewAccount(String customerId, String policyId) {
    }

    public record Closure(String reason) {
    }

    /** {@code dueDate} defaults to today + 30 days; {@code customerId} is used if the account has to be opened. */
    public record NewInvoice(String policyId, BigDecimal amount, String currency, String sourceEventId,
                             LocalDate dueDate, String customerId) {
    }

    /** {@code paymentId} makes it idempotent (generated when absent). */
    public record NewPayment(String invoiceId, BigDecimal amount, String currency, String reference, String paymentId) {
    }

    public record NewAdjustment(String policyId, BigDecimal amountDelta, String reason, String sourceEventId,
                                String currency, String customerId) {
    }

    public record NewTermination(String policyId, String reason, LocalDate effectiveDate, String sourceEventId,
                                 String customerId) {
    }

    public record NewPayout(String claimId, String policyId, BigDecimal amount, String currency, String sourceEventId,
                            String customerId) {
    }

    public record DunningRun(Instant asOf, Integer graceDays) {
    }

    // ------------------------------------------------------------------------------------------------ accounts

    /** 201 with a new OPEN account, or 200 with the account the policy already has. */
    @PostMapping("/accounts")
    public ResponseEntity<Map<String, Object>> open(@RequestBody NewAccount account,
                                                    @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(account.customerId()) || blank(account.policyId())) {
            return problem(HttpStatus.BAD_REQUEST, "customerId and policyId are required");
        }
        return tx.execute(status -> {
            String accountId = insertAccount(account.policyId(), account.customerId(), traceparent);
            if (accountId == null) {
                // opened before (maybe on demand, without a customer): the customer is filled in, no event
                jdbc.update("UPDATE billing.accounts SET customer_id = ? WHERE policy_id = ? AND customer_id IS NULL",
                        account.customerId(), account.policyId());
                return ResponseEntity.ok(accountsOf(account.policyId()).get(0));
            }
            return ResponseEntity.status(HttpStatus.CREATED).body(findAccount(accountId).get(0));
        });
    }

    /** Idempotent: an account already CLOSED is answered as it is, with no second BillingAccountClosed. */
    @PostMapping("/accounts/{accountId}/closure")
    public ResponseEntity<Map<String, Object>> close(@PathVariable String accountId,
                                                     @RequestBody(required = false) Closure closure,
                                                     @RequestHeader(value = "traceparent", required = false) String traceparent) {
        String reason = closure == null ? null : closure.reason();
        Map<String, Object> account = tx.execute(status -> {
            List<Map<String, Object>> locked = jdbc.query(
                    "SELECT * FROM billing.accounts WHERE account_id = ? FOR UPDATE", this::accountRow, accountId);
            return locked.isEmpty() ? null : closeInTransaction(locked.get(0), reason, traceparent);
        });
        return account == null ? notFound("billing account " + accountId) : ResponseEntity.ok(account);
    }

    /** Closes the account of a policy (a saga compensation): 200 with it, or 204 when the policy has none. */
    @PostMapping("/accounts/closure")
    public ResponseEntity<Map<String, Object>> closeByPolicy(@RequestParam String policyId,
                                                             @RequestBody(required = false) Closure closure,
                                                             @RequestHeader(value = "traceparent", required = false) String traceparent) {
        String reason = closure == null ? null : closure.reason();
        Map<String, Object> account = tx.execute(status -> {
            List<Map<String, Object>> locked = jdbc.query(
                    "SELECT * FROM billing.accounts WHERE policy_id = ? FOR UPDATE", this::accountRow, policyId);
            return locked.isEmpty() ? null : closeInTransaction(locked.get(0), reason, traceparent);
        });
        return account == null ? ResponseEntity.noContent().build() : ResponseEntity.ok(account);
    }

    /** The account (locked), CLOSED with a BillingAccountClosed unless it already was. */
    private Map<String, Object> closeInTransaction(Map<String, Object> account, String reason, String traceparent) {
        if (CLOSED.equals(account.get("status"))) {
            return account;
        }
        String accountId = (String) account.get("accountId");
        jdbc.update("""
                UPDATE billing.accounts SET status = 'CLOSED', closure_reason = ?, closed_at = now(), updated_at = now()
                WHERE account_id = ?""", reason, accountId);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", CLOSED);
        fields.put("reason", reason);
        emit(account, "BillingAccountClosed", fields, traceparent);
        return findAccount(accountId).get(0);
    }

    @GetMapping("/accounts/{accountId}")
    public ResponseEntity<Map<String, Object>> account(@PathVariable String accountId) {
        List<Map<String, Object>> found = findAccount(accountId);
        return found.isEmpty() ? notFound("billing account " + accountId) : ResponseEntity.ok(found.get(0));
    }

    @GetMapping("/accounts")
    public List<Map<String, Object>> accounts(@RequestParam String policyId) {
        return accountsOf(policyId);
    }

    // ------------------------------------------------------------------------------------------------ invoices

    /**
     * Issues an OPEN invoice for the policy on its account (opened on demand), due on {@code dueDate} (default in 30
     * days): InvoiceIssued. Idempotent by sourceEventId: a repeat answers 200 with the invoice already issued and
     * writes no second InvoiceIssued. 409 ACCOUNT_CLOSED when billing of the policy was stopped.
     */
    @PostMapping("/invoices")
    public ResponseEntity<Map<String, Object>> invoice(@RequestBody NewInvoice invoice,
                                                       @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(invoice.policyId()) || invoice.amount() == null || blank(invoice.currency())) {
            return problem(HttpStatus.BAD_REQUEST, "policyId, amount and currency are required");
        }
        if (invoice.amount().signum() <= 0) {
            throw invalid("amount", "amount must be > 0, not " + invoice.amount());
        }
        checkCurrency(invoice.currency());
        String sourceEventId = blank(invoice.sourceEventId()) ? null : invoice.sourceEventId();
        return tx.execute(status -> {
            if (sourceEventId != null) {
                List<Map<String, Object>> issued = jdbc.query(INVOICES + " WHERE i.source_event_id = ?", this::invoiceRow,
                        sourceEventId);
                if (!issued.isEmpty()) {
                    return ResponseEntity.ok(issued.get(0));
                }
            }
            Map<String, Object> account = lockAccountOf(invoice.policyId(), invoice.customerId(), traceparent);
            if (CLOSED.equals(account.get("status"))) {
                throw accountClosed(account);
            }
            String invoiceId = "I-" + UUID.randomUUID();
            LocalDate dueDate = invoice.dueDate() != null ? invoice.dueDate()
                    : LocalDate.now(ZoneOffset.UTC).plusDays(PAYMENT_TERM_DAYS);
            int inserted = jdbc.update("""
                    INSERT INTO billing.invoices (invoice_id, account_id, policy_id, kind, amount, currency, status,
                                                  due_date, source_event_id)
                    VALUES (?, ?, ?, 'PREMIUM', ?, ?, 'OPEN', ?, ?)
                    ON CONFLICT DO NOTHING""",
                    invoiceId, account.get("accountId"), invoice.policyId(), invoice.amount(), invoice.currency(),
                    Date.valueOf(dueDate), sourceEventId);
            if (inserted == 0) {
                return ResponseEntity.ok(jdbc.query(INVOICES + " WHERE i.source_event_id = ?", this::invoiceRow,
                        sourceEventId).get(0));
            }
            Map<String, Object> issued = findInvoice(invoiceId).get(0);
            emit(account, "InvoiceIssued", pick(issued, INVOICE_EVENT_FIELDS), traceparent);
            return ResponseEntity.status(HttpStatus.CREATED).body(issued);
        });
    }

    @GetMapping("/invoices/{invoiceId}")
    public ResponseEntity<Map<String, Object>> invoice(@PathVariable String invoiceId) {
        List<Map<String, Object>> found = findInvoice(invoiceId);
        return found.isEmpty() ? notFound("invoice " + invoiceId) : ResponseEntity.ok(found.get(0));
    }

    @GetMapping("/invoices")
    public List<Map<String, Object>> invoices(@RequestParam String policyId,
                                              @RequestParam(required = false) String status) {
        List<Object> args = new ArrayList<>(List.of(policyId));
        String where = " WHERE i.policy_id = ?";
        if (status != null) {
            where += " AND i.status = ?";
            args.add(status);
        }
        return jdbc.query(INVOICES + where + " ORDER BY i.created_at, i.invoice_id", this::invoiceRow, args.toArray());
    }

    // ------------------------------------------------------------------------------------------------ payments

    /**
     * Records a payment of an OPEN invoice (0 < amount ≤ outstanding, same currency): the invoice is PAID once fully
     * paid; PaymentReceived. Idempotent by paymentId (the same paymentId for another invoice: 409 PAYMENT_ID_REUSED).
     * 404 for an unknown invoice, 409 INVOICE_PAID / INVOICE_CANCELLED for an invoice that takes no payment.
     */
    @PostMapping("/payments")
    public ResponseEntity<Map<String, Object>> pay(@RequestBody NewPayment payment,
                                                   @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(payment.invoiceId())) {
            throw invalid("invoiceId", "invoiceId is required");
        }
        if (payment.amount() == null || payment.amount().signum() <= 0) {
            throw invalid("amount", "amount is required and must be > 0");
        }
        if (blank(payment.currency())) {
            throw invalid("currency", "currency is required");
        }
        checkCurrency(payment.currency());
        String paymentId = blank(payment.paymentId()) ? "PAY-" + UUID.randomUUID() : payment.paymentId();
        return tx.execute(status -> {
            List<Map<String, Object>> unlocked = findInvoice(payment.invoiceId());
            if (unlocked.isEmpty()) {
                throw missing("invoice " + payment.invoiceId());
            }
            Map<String, Object> account = lockAccountOfInvoice(unlocked.get(0), traceparent);
            Map<String, Object> invoice = jdbc.query(INVOICES + " WHERE i.invoice_id = ? FOR UPDATE OF i",
                    this::invoiceRow, payment.invoiceId()).get(0);
            List<Map<String, Object>> recorded = findPayment(paymentId);
            if (!recorded.isEmpty()) {
                if (!payment.invoiceId().equals(recorded.get(0).get("invoiceId"))) {
                    throw conflict("PAYMENT_ID_REUSED", "payment " + paymentId + " was recorded for invoice "
                            + recorded.get(0).get("invoiceId"));
                }
                return ResponseEntity.ok(recorded.get(0));
            }
            if (!OPEN.equals(invoice.get("status"))) {
                throw conflict("INVOICE_" + invoice.get("status"), "invoice " + payment.invoiceId() + " is "
                        + invoice.get("status") + ": it takes no payment");
            }
            if (!payment.currency().equals(invoice.get("currency"))) {
                throw invalid("currency", "invoice " + payment.invoiceId() + " is in " + invoice.get("currency")
                        + ", not " + payment.currency());
            }
            BigDecimal outstanding = (BigDecimal) invoice.get("outstanding");
            if (payment.amount().compareTo(outstanding) > 0) {
                throw invalid("amount", "amount " + payment.amount() + " exceeds the outstanding " + outstanding
                        + " of invoice " + payment.invoiceId());
            }
            String invoiceStatus = payment.amount().compareTo(outstanding) == 0 ? PAID : OPEN;
            jdbc.update("""
                    UPDATE billing.invoices SET amount_paid = amount_paid + ?, status = ?, updated_at = now()
                    WHERE invoice_id = ?""", payment.amount(), invoiceStatus, payment.invoiceId());
            jdbc.update("""
                    INSERT INTO billing.payments (payment_id, invoice_id, account_id, policy_id, amount, currency,
                                                  reference, invoice_status)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    paymentId, payment.invoiceId(), account.get("accountId"), invoice.get("policyId"), payment.amount(),
                    payment.currency(), payment.reference(), invoiceStatus);
            Map<String, Object> paid = findInvoice(payment.invoiceId()).get(0);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("paymentId", paymentId);
            fields.put("invoiceId", payment.invoiceId());
            fields.put("amount", payment.amount());
            fields.put("currency", payment.currency());
            fields.put("reference", payment.reference());
            fields.put("invoiceStatus", invoiceStatus);
            fields.put("invoiceAmount", paid.get("amount"));
            fields.put("invoiceAmountPaid", paid.get("amountPaid"));
            fields.put("outstanding", paid.get("outstanding"));
            emit(account, "PaymentReceived", fields, traceparent);
            return ResponseEntity.status(HttpStatus.CREATED).body(findPayment(paymentId).get(0));
        });
    }

    @GetMapping("/payments/{paymentId}")
    public ResponseEntity<Map<String, Object>> payment(@PathVariable String paymentId) {
        List<Map<String, Object>> found = findPayment(paymentId);
        return found.isEmpty() ? notFound("payment " + paymentId) : ResponseEntity.ok(found.get(0));
    }

    @GetMapping("/payments")
    public List<Map<String, Object>> payments(@RequestParam(required = false) String policyId,
                                              @RequestParam(required = false) String invoiceId) {
        return list("billing.payments p LEFT JOIN billing.accounts a ON a.account_id = p.account_id",
                "p.", policyId, "invoice_id", invoiceId, "p.*, a.customer_id", this::paymentRow);
    }

    // ------------------------------------------------------------------------------------------------ adjustments

    /**
     * Adjusts the policy's billing by {@code amountDelta} (≠ 0): a positive delta issues an OPEN ADJUSTMENT invoice
     * (due in 30 days), a negative one a CREDIT_NOTE (credit on the account, refunded at termination); InvoiceAdjusted.
     * Idempotent by sourceEventId (required). 409 ACCOUNT_CLOSED when billing of the policy was stopped.
     */
    @PostMapping("/adjustments")
    public ResponseEntity<Map<String, Object>> adjust(@RequestBody NewAdjustment adjustment,
                                                      @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(adjustment.policyId())) {
            throw invalid("policyId", "policyId is required");
        }
        if (adjustment.amountDelta() == null || adjustment.amountDelta().signum() == 0) {
            throw invalid("amountDelta", "amountDelta is required and must not be 0");
        }
        if (blank(adjustment.sourceEventId())) {
            throw invalid("sourceEventId", "sourceEventId is required (it makes the adjustment idempotent)");
        }
        if (!blank(adjustment.currency())) {
            checkCurrency(adjustment.currency());
        }
        return tx.execute(status -> {
            Map<String, Object> account = lockAccountOf(adjustment.policyId(), adjustment.customerId(), traceparent);
            List<Map<String, Object>> done = jdbc.query(
                    "SELECT * FROM billing.adjustments WHERE source_event_id = ?", this::adjustmentRow,
                    adjustment.sourceEventId());
            if (!done.isEmpty()) {
                return ResponseEntity.ok(done.get(0));
            }
            if (CLOSED.equals(account.get("status"))) {
                throw accountClosed(account);
            }
            String accountId = (String) account.get("accountId");
            String currency = !blank(adjustment.currency()) ? adjustment.currency() : currencyOf(accountId);
            String adjustmentId = "ADJ-" + UUID.randomUUID();
            boolean charge = adjustment.amountDelta().signum() > 0;
            String invoiceId = null;
            LocalDate dueDate = null;
            if (charge) {
                invoiceId = "I-" + UUID.randomUUID();
                dueDate = LocalDate.now(ZoneOffset.UTC).plusDays(PAYMENT_TERM_DAYS);
                jdbc.update("""
                        INSERT INTO billing.invoices (invoice_id, account_id, policy_id, kind, amount, currency, status,
                                                      due_date)
                        VALUES (?, ?, ?, 'ADJUSTMENT', ?, ?, 'OPEN', ?)""",
                        invoiceId, accountId, adjustment.policyId(), adjustment.amountDelta(), currency,
                        Date.valueOf(dueDate));
            } else {
                jdbc.update("UPDATE billing.accounts SET credit_balance = credit_balance + ? WHERE account_id = ?",
                        adjustment.amountDelta().negate(), accountId);
            }
            jdbc.update("""
                    INSERT INTO billing.adjustments (adjustment_id, account_id, policy_id, kind, amount_delta, currency,
                                                     invoice_id, reason, source_event_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    adjustmentId, accountId, adjustment.policyId(), charge ? "INVOICE" : "CREDIT_NOTE",
                    adjustment.amountDelta(), currency, invoiceId, adjustment.reason(), adjustment.sourceEventId());
            Map<String, Object> made = jdbc.query("SELECT * FROM billing.adjustments WHERE adjustment_id = ?",
                    this::adjustmentRow, adjustmentId).get(0);
            Map<String, Object> fields = pick(made, "adjustmentId", "kind", "amountDelta", "amount", "currency",
                    "invoiceId", "reason", "sourceEventId");
            if (dueDate != null) {
                fields.put("dueDate", dueDate.toString());
                fields.put("invoiceStatus", OPEN);
            }
            fields.put("creditBalance", findAccount(accountId).get(0).get("creditBalance"));
            emit(account, "InvoiceAdjusted", fields, traceparent);
            return ResponseEntity.status(HttpStatus.CREATED).body(made);
        });
    }

    @GetMapping("/adjustments")
    public List<Map<String, Object>> adjustments(@RequestParam String policyId) {
        return jdbc.query("SELECT * FROM billing.adjustments WHERE policy_id = ? ORDER BY created_at, adjustment_id",
                this::adjustmentRow, policyId);
    }

    // ------------------------------------------------------------------------------------------------ terminations

    /**
     * Stops the billing of a policy, in one transaction: every OPEN invoice CANCELLED (InvoiceCancelled each), the
     * refund issued (RefundIssued, when > 0), the account CLOSED (BillingAccountClosed, unless it already was).
     * Refund rule: the premium paid covers one year (365 days) from the account's opening date; refund = everything
     * paid on the policy's invoices × unused days / 365 (unused = days from effectiveDate to the end of that year,
     * 0..365, half-up to cents), plus the account's credit balance (credit notes). effectiveDate defaults to today.
     * One termination per policy: a repeat (same policy or sourceEventId) answers 200 with the first summary.
     */
    @PostMapping("/terminations")
    public ResponseEntity<Map<String, Object>> terminate(@RequestBody NewTermination termination,
                                                         @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(termination.policyId())) {
            throw invalid("policyId", "policyId is required");
        }
        String sourceEventId = blank(termination.sourceEventId()) ? null : termination.sourceEventId();
        return tx.execute(status -> {
            Map<String, Object> account = lockAccountOf(termination.policyId(), termination.customerId(), traceparent);
            List<Map<String, Object>> done = jdbc.query("""
                    SELECT summary::text FROM billing.terminations WHERE policy_id = ? OR source_event_id = ?""",
                    (rs, n) -> readMap(rs.getString(1)), termination.policyId(), sourceEventId);
            if (!done.isEmpty()) {
                return ResponseEntity.ok(done.get(0));
            }
            String accountId = (String) account.get("accountId");
            String terminationId = "T-" + UUID.randomUUID();
            LocalDate effectiveDate = termination.effectiveDate() != null ? termination.effectiveDate()
                    : LocalDate.now(ZoneOffset.UTC);
            String currency = currencyOf(accountId);

            List<Map<String, Object>> cancelled = new ArrayList<>();
            for (Map<String, Object> invoice : jdbc.query(INVOICES + """
                     WHERE i.policy_id = ? AND i.status = 'OPEN' ORDER BY i.invoice_id FOR UPDATE OF i""",
                    this::invoiceRow, termination.policyId())) {
                jdbc.update("""
                        UPDATE billing.invoices SET status = 'CANCELLED', cancellation_reason = ?, updated_at = now()
                        WHERE invoice_id = ?""", termination.reason(), invoice.get("invoiceId"));
                Map<String, Object> now = findInvoice((String) invoice.get("invoiceId")).get(0);
                Map<String, Object> fields = pick(now, INVOICE_EVENT_FIELDS);
                fields.put("reason", termination.reason());
                emit(account, "InvoiceCancelled", fields, traceparent);
                cancelled.add(pick(now, "invoiceId", "kind", "amount", "amountPaid", "currency"));
            }

            BigDecimal paid = jdbc.queryForObject(
                    "SELECT coalesce(sum(amount), 0) FROM billing.payments WHERE policy_id = ?", BigDecimal.class,
                    termination.policyId());
            BigDecimal credit = (BigDecimal) account.get("creditBalance");
            LocalDate start = LocalDate.ofInstant(Instant.parse((String) account.get("createdAt")), ZoneOffset.UTC);
            long unusedDays = Math.max(0, Math.min(COVERAGE_DAYS,
                    ChronoUnit.DAYS.between(effectiveDate, start.plusDays(COVERAGE_DAYS))));
            BigDecimal prorata = paid.multiply(BigDecimal.valueOf(unusedDays))
                    .divide(BigDecimal.valueOf(COVERAGE_DAYS), 2, RoundingMode.HALF_UP);
            BigDecimal amount = prorata.add(credit).setScale(2, RoundingMode.HALF_UP);
            Map<String, Object> refund = null;
            if (amount.signum() > 0) {
                String refundId = "RF-" + UUID.randomUUID();
                jdbc.update("""
                        INSERT INTO billing.refunds (refund_id, account_id, policy_id, termination_id, amount, currency,
                                                     reason)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""", refundId, accountId, termination.policyId(), terminationId,
                        amount, currency, termination.reason());
                jdbc.update("UPDATE billing.accounts SET credit_balance = 0 WHERE account_id = ?", accountId);
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("refundId", refundId);
                fields.put("terminationId", terminationId);
                fields.put("amount", amount);
                fields.put("currency", currency);
                fields.put("reason", termination.reason());
                fields.put("effectiveDate", effectiveDate.toString());
                fields.put("premiumPaid", paid);
                fields.put("unusedDays", unusedDays);
                fields.put("creditApplied", credit);
                emit(account, "RefundIssued", fields, traceparent);
                refund = new LinkedHashMap<>();
                refund.put("refundId", refundId);
                refund.put("amount", amount);
                refund.put("currency", currency);
                refund.put("premiumPaid", paid);
                refund.put("unusedDays", unusedDays);
                refund.put("creditApplied", credit);
            }
            Map<String, Object> closed = closeInTransaction(findAccount(accountId).get(0), termination.reason(),
                    traceparent);

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("terminationId", terminationId);
            summary.put("policyId", termination.policyId());
            summary.put("accountId", accountId);
            if (closed.get("customerId") != null) {
                summary.put("customerId", closed.get("customerId"));
            }
            summary.put("reason", termination.reason());
            summary.put("effectiveDate", effectiveDate.toString());
            summary.put("cancelledInvoices", cancelled);
            summary.put("refund", refund);
            summary.put("accountStatus", closed.get("status"));
            summary.put("accountVersion", closed.get("version"));
            if (sourceEventId != null) {
                summary.put("sourceEventId", sourceEventId);
            }
            jdbc.update("""
                    INSERT INTO billing.terminations (termination_id, policy_id, account_id, reason, effective_date,
                                                      source_event_id, summary)
                    VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)""", terminationId, termination.policyId(), accountId,
                    termination.reason(), Date.valueOf(effectiveDate), sourceEventId, write(summary));
            return ResponseEntity.status(HttpStatus.CREATED).body(summary);
        });
    }

    @GetMapping("/terminations")
    public List<Map<String, Object>> terminations(@RequestParam String policyId) {
        return jdbc.query("SELECT summary::text FROM billing.terminations WHERE policy_id = ?",
                (rs, n) -> readMap(rs.getString(1)), policyId);
    }

    @GetMapping("/refunds")
    public List<Map<String, Object>> refunds(@RequestParam String policyId) {
        return jdbc.query("""
                SELECT r.*, a.customer_id FROM billing.refunds r LEFT JOIN billing.accounts a ON a.account_id = r.account_id
                WHERE r.policy_id = ? ORDER BY r.created_at, r.refund_id""", this::refundRow, policyId);
    }

    // ------------------------------------------------------------------------------------------------ payouts

    /**
     * Pays a settled claim out: PayoutIssued. One payout per claim: a repeat (same claimId or sourceEventId) with the
     * same amount answers 200 with it; the same claim with another amount is a 409 CLAIM_ALREADY_PAID_OUT. Allowed on a
     * CLOSED account (a claim of the covered period may be settled after the policy ended).
     */
    @PostMapping("/payouts")
    public ResponseEntity<Map<String, Object>> payout(@RequestBody NewPayout payout,
                                                      @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(payout.claimId())) {
            throw invalid("claimId", "claimId is required");
        }
        if (blank(payout.policyId())) {
            throw invalid("policyId", "policyId is required");
        }
        if (payout.amount() == null || payout.amount().signum() <= 0) {
            throw invalid("amount", "amount is required and must be > 0");
        }
        if (blank(payout.currency())) {
            throw invalid("currency", "currency is required");
        }
        checkCurrency(payout.currency());
        String sourceEventId = blank(payout.sourceEventId()) ? null : payout.sourceEventId();
        return tx.execute(status -> {
            Map<String, Object> account = lockAccountOf(payout.policyId(), payout.customerId(), traceparent);
            List<Map<String, Object>> done = jdbc.query("""
                    SELECT p.*, a.customer_id FROM billing.payouts p LEFT JOIN billing.accounts a ON a.account_id = p.account_id
                    WHERE p.claim_id = ? OR p.source_event_id = ?""", this::payoutRow, payout.claimId(), sourceEventId);
            if (!done.isEmpty()) {
                Map<String, Object> existing = done.get(0);
                if (payout.claimId().equals(existing.get("claimId"))
                        && payout.amount().compareTo((BigDecimal) existing.get("amount")) != 0) {
                    throw conflict("CLAIM_ALREADY_PAID_OUT", "claim " + payout.claimId() + " was already paid out with "
                            + existing.get("amount"));
                }
                return ResponseEntity.ok(existing);
            }
            String payoutId = "PO-" + UUID.randomUUID();
            jdbc.update("""
                    INSERT INTO billing.payouts (payout_id, claim_id, account_id, policy_id, amount, currency,
                                                 source_event_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", payoutId, payout.claimId(), account.get("accountId"),
                    payout.policyId(), payout.amount(), payout.currency(), sourceEventId);
            Map<String, Object> issued = findPayout(payoutId).get(0);
            emit(account, "PayoutIssued", pick(issued, "payoutId", "claimId", "amount", "currency", "status",
                    "sourceEventId"), traceparent);
            return ResponseEntity.status(HttpStatus.CREATED).body(issued);
        });
    }

    @GetMapping("/payouts")
    public List<Map<String, Object>> payouts(@RequestParam(required = false) String policyId,
                                             @RequestParam(required = false) String claimId) {
        return list("billing.payouts p LEFT JOIN billing.accounts a ON a.account_id = p.account_id",
                "p.", policyId, "claim_id", claimId, "p.*, a.customer_id", this::payoutRow);
    }

    // ------------------------------------------------------------------------------------------------ dunning

    /**
     * One dunning run as of {@code asOf} (default now) with {@code graceDays} (default 14): each OPEN invoice moves at
     * most one level per run, 0 → 1 (REMINDER) once its due date is before asOf's date (UTC), 1 → 2 (FINAL, grace
     * expired) once dueDate + graceDays is before it. Each transition is one conditional update of rows locked with
     * SKIP LOCKED: concurrent runs (several hub instances) never make, nor answer, the same transition twice (an invoice
     * being paid at that moment is left to the next run). Writes no event (the hub publishes PaymentOverdue from the
     * answer) and does not change the account's version: {@code accountVersion} is the version the notice was computed
     * against (the account's last billing event).
     */
    @PostMapping("/dunning-runs")
    public List<Map<String, Object>> dunning(@RequestBody(required = false) DunningRun run) {
        Instant asOf = run == null || run.asOf() == null ? Instant.now() : run.asOf();
        int graceDays = run == null || run.graceDays() == null ? DEFAULT_GRACE_DAYS : run.graceDays();
        if (graceDays < 0) {
            throw invalid("graceDays", "graceDays must be >= 0, not " + graceDays);
        }
        Date asOfDate = Date.valueOf(LocalDate.ofInstant(asOf, ZoneOffset.UTC));
        return jdbc.query("""
                WITH due AS (
                    SELECT invoice_id FROM billing.invoices
                    WHERE status = 'OPEN'
                      AND ((dunning_level = 0 AND due_date < ?) OR (dunning_level = 1 AND due_date + ?::integer < ?))
                    ORDER BY invoice_id
                    FOR UPDATE SKIP LOCKED),
                moved AS (
                    UPDATE billing.invoices i SET dunning_level = i.dunning_level + 1, dunned_at = now(),
                                                  updated_at = now()
                    FROM due WHERE i.invoice_id = due.invoice_id
                    RETURNING i.*)
                SELECT m.*, a.customer_id, a.version AS account_version
                FROM moved m LEFT JOIN billing.accounts a ON a.account_id = m.account_id
                ORDER BY m.invoice_id""", (rs, n) -> {
                    Map<String, Object> invoice = invoiceRow(rs, n);
                    Map<String, Object> transition = pick(invoice, "invoiceId", "policyId", "accountId", "customerId",
                            "kind", "amount", "amountPaid", "outstanding", "currency", "dueDate", "dunningLevel");
                    int level = (Integer) invoice.get("dunningLevel");
                    transition.put("notice", level == 1 ? "REMINDER" : "FINAL");
                    transition.put("graceExpired", level == 2);
                    transition.put("graceDays", graceDays);
                    if (rs.getObject("account_version") != null) {
                        transition.put("accountVersion", rs.getInt("account_version"));
                    }
                    transition.put("asOf", asOf.toString());
                    return transition;
                }, asOfDate, graceDays, asOfDate);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * The account of the policy, locked until the end of the transaction; opened (OPEN, version 1,
     * BillingAccountOpened) when the policy has none yet. A known customerId fills in an account without one.
     */
    private Map<String, Object> lockAccountOf(String policyId, String customerId, String traceparent) {
        List<Map<String, Object>> locked = jdbc.query("SELECT * FROM billing.accounts WHERE policy_id = ? FOR UPDATE",
                this::accountRow, policyId);
        if (locked.isEmpty()) {
            insertAccount(policyId, blank(customerId) ? null : customerId, traceparent);
            locked = jdbc.query("SELECT * FROM billing.accounts WHERE policy_id = ? FOR UPDATE", this::accountRow, policyId);
        }
        Map<String, Object> account = locked.get(0);
        if (account.get("customerId") == null && !blank(customerId)) {
            jdbc.update("UPDATE billing.accounts SET customer_id = ? WHERE account_id = ?", customerId,
                    account.get("accountId"));
            account = findAccount((String) account.get("accountId")).get(0);
        }
        return account;
    }

    /** The account of an invoice, locked; an invoice issued before accounts were required gets its policy's one. */
    private Map<String, Object> lockAccountOfInvoice(Map<String, Object> invoice, String traceparent) {
        Map<String, Object> account = lockAccountOf((String) invoice.get("policyId"), null, traceparent);
        if (invoice.get("accountId") == null) {
            jdbc.update("UPDATE billing.invoices SET account_id = ? WHERE invoice_id = ?", account.get("accountId"),
                    invoice.get("invoiceId"));
        }
        return account;
    }

    /** The id of the new account with its BillingAccountOpened (version 1), or null when the policy has one. */
    private String insertAccount(String policyId, String customerId, String traceparent) {
        String accountId = "A-" + UUID.randomUUID();
        int inserted = jdbc.update("""
                INSERT INTO billing.accounts (account_id, customer_id, policy_id, status, version)
                VALUES (?, ?, ?, 'OPEN', 1) ON CONFLICT (policy_id) DO NOTHING""", accountId, customerId, policyId);
        if (inserted == 0) {
            return null;
        }
        Map<String, Object> opened = findAccount(accountId).get(0);
        outbox.write(OUTBOX, AGGREGATE, accountId, 1, "BillingAccountOpened",
                pick(opened, "accountId", "customerId", "policyId", "status"), traceparent);
        return accountId;
    }

    /**
     * Writes a billing event of the (locked) account: its version + 1, and the outbox row with that version; the data
     * starts with accountId, policyId and customerId, then the event's own fields (those with a value).
     */
    private void emit(Map<String, Object> account, String eventType, Map<String, Object> fields, String traceparent) {
        String accountId = (String) account.get("accountId");
        Integer version = jdbc.queryForObject("""
                UPDATE billing.accounts SET version = version + 1, updated_at = now() WHERE account_id = ?
                RETURNING version""", Integer.class, accountId);
        Map<String, Object> payload = pick(account, "accountId", "policyId", "customerId");
        fields.forEach((field, value) -> {
            if (value != null) {
                payload.put(field, value);
            }
        });
        outbox.write(OUTBOX, AGGREGATE, accountId, version, eventType, payload, traceparent);
    }

    private static RuntimeException accountClosed(Map<String, Object> account) {
        return conflict("ACCOUNT_CLOSED", "the billing account " + account.get("accountId") + " of policy "
                + account.get("policyId") + " is CLOSED: billing of the policy was stopped");
    }

    private static void checkCurrency(String currency) {
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw invalid("currency", "currency must be an ISO 4217 code, not " + currency);
        }
    }

    /** The currency of the account's latest invoice, EUR if it has none. */
    private String currencyOf(String accountId) {
        return jdbc.queryForList("""
                SELECT currency FROM billing.invoices WHERE account_id = ? ORDER BY created_at DESC, invoice_id LIMIT 1""",
                String.class, accountId).stream().findFirst().orElse(DEFAULT_CURRENCY);
    }

    private List<Map<String, Object>> findAccount(String accountId) {
        return jdbc.query("SELECT * FROM billing.accounts WHERE account_id = ?", this::accountRow, accountId);
    }

    private List<Map<String, Object>> accountsOf(String policyId) {
        return jdbc.query("SELECT * FROM billing.accounts WHERE policy_id = ?", this::accountRow, policyId);
    }

    private List<Map<String, Object>> findInvoice(String invoiceId) {
        return jdbc.query(INVOICES + " WHERE i.invoice_id = ?", this::invoiceRow, invoiceId);
    }

    private List<Map<String, Object>> findPayment(String paymentId) {
        return jdbc.query("""
                SELECT p.*, a.customer_id FROM billing.payments p LEFT JOIN billing.accounts a ON a.account_id = p.account_id
                WHERE p.payment_id = ?""", this::paymentRow, paymentId);
    }

    private List<Map<String, Object>> findPayout(String payoutId) {
        return jdbc.query("""
                SELECT p.*, a.customer_id FROM billing.payouts p LEFT JOIN billing.accounts a ON a.account_id = p.account_id
                WHERE p.payout_id = ?""", this::payoutRow, payoutId);
    }

    private List<Map<String, Object>> list(String from, String alias, String policyId, String otherColumn,
                                           String otherValue, String columns,
                                           RowMapper<Map<String, Object>> mapper) {
        StringBuilder sql = new StringBuilder("SELECT " + columns + " FROM " + from + " WHERE true");
        List<Object> args = new ArrayList<>();
        if (policyId != null) {
            sql.append(" AND ").append(alias).append("policy_id = ?");
            args.add(policyId);
        }
        if (otherValue != null) {
            sql.append(" AND ").append(alias).append(otherColumn).append(" = ?");
            args.add(otherValue);
        }
        if (args.isEmpty()) {
            throw invalid("policyId", "policyId or " + otherColumn + " is required");
        }
        sql.append(" ORDER BY ").append(alias).append("created_at LIMIT 1000"); // oldest first
        return jdbc.query(sql.toString(), mapper, args.toArray());
    }

    private static Map<String, Object> pick(Map<String, Object> row, String... fields) {
        Map<String, Object> payload = new LinkedHashMap<>();
        for (String field : fields) {
            if (row.get(field) != null) {
                payload.put(field, row.get(field));
            }
        }
        return payload;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readMap(String value) {
        try {
            return json.readerFor(LinkedHashMap.class).with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readValue(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> accountRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("accountId", rs.getString("account_id"));
        if (rs.getString("customer_id") != null) {
            account.put("customerId", rs.getString("customer_id"));
        }
        account.put("policyId", rs.getString("policy_id"));
        account.put("status", rs.getString("status"));
        account.put("version", rs.getInt("version"));
        account.put("creditBalance", rs.getBigDecimal("credit_balance"));
        if (rs.getString("closure_reason") != null) {
            account.put("closureReason", rs.getString("closure_reason"));
        }
        if (rs.getTimestamp("closed_at") != null) {
            account.put("closedAt", rs.getTimestamp("closed_at").toInstant().toString());
        }
        account.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        account.put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString());
        return account;
    }

    private Map<String, Object> invoiceRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> invoice = new LinkedHashMap<>();
        invoice.put("invoiceId", rs.getString("invoice_id"));
        if (rs.getString("account_id") != null) {
            invoice.put("accountId", rs.getString("account_id"));
        }
        invoice.put("policyId", rs.getString("policy_id"));
        if (rs.getString("customer_id") != null) {
            invoice.put("customerId", rs.getString("customer_id"));
        }
        invoice.put("kind", rs.getString("kind"));
        invoice.put("amount", rs.getBigDecimal("amount"));
        invoice.put("amountPaid", rs.getBigDecimal("amount_paid"));
        invoice.put("outstanding", "OPEN".equals(rs.getString("status"))
                ? rs.getBigDecimal("amount").subtract(rs.getBigDecimal("amount_paid")) : BigDecimal.ZERO.setScale(2));
        invoice.put("currency", rs.getString("currency"));
        invoice.put("status", rs.getString("status"));
        invoice.put("dueDate", rs.getObject("due_date", LocalDate.class).toString());
        invoice.put("dunningLevel", rs.getInt("dunning_level"));
        if (rs.getString("cancellation_reason") != null) {
            invoice.put("cancellationReason", rs.getString("cancellation_reason"));
        }
        if (rs.getString("source_event_id") != null) {
            invoice.put("sourceEventId", rs.getString("source_event_id"));
        }
        invoice.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        invoice.put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString());
        return invoice;
    }

    private Map<String, Object> paymentRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> payment = new LinkedHashMap<>();
        payment.put("paymentId", rs.getString("payment_id"));
        payment.put("invoiceId", rs.getString("invoice_id"));
        payment.put("policyId", rs.getString("policy_id"));
        payment.put("accountId", rs.getString("account_id"));
        if (rs.getString("customer_id") != null) {
            payment.put("customerId", rs.getString("customer_id"));
        }
        payment.put("amount", rs.getBigDecimal("amount"));
        payment.put("currency", rs.getString("currency"));
        if (rs.getString("reference") != null) {
            payment.put("reference", rs.getString("reference"));
        }
        payment.put("invoiceStatus", rs.getString("invoice_status"));
        payment.put("receivedAt", rs.getTimestamp("created_at").toInstant().toString());
        return payment;
    }

    private Map<String, Object> adjustmentRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> adjustment = new LinkedHashMap<>();
        adjustment.put("adjustmentId", rs.getString("adjustment_id"));
        adjustment.put("accountId", rs.getString("account_id"));
        adjustment.put("policyId", rs.getString("policy_id"));
        adjustment.put("kind", rs.getString("kind"));
        adjustment.put("amountDelta", rs.getBigDecimal("amount_delta"));
        adjustment.put("amount", rs.getBigDecimal("amount_delta").abs());
        adjustment.put("currency", rs.getString("currency"));
        if (rs.getString("invoice_id") != null) {
            adjustment.put("invoiceId", rs.getString("invoice_id"));
        }
        if (rs.getString("reason") != null) {
            adjustment.put("reason", rs.getString("reason"));
        }
        adjustment.put("sourceEventId", rs.getString("source_event_id"));
        adjustment.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        return adjustment;
    }

    private Map<String, Object> refundRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> refund = new LinkedHashMap<>();
        refund.put("refundId", rs.getString("refund_id"));
        refund.put("accountId", rs.getString("account_id"));
        refund.put("policyId", rs.getString("policy_id"));
        if (rs.getString("customer_id") != null) {
            refund.put("customerId", rs.getString("customer_id"));
        }
        if (rs.getString("termination_id") != null) {
            refund.put("terminationId", rs.getString("termination_id"));
        }
        refund.put("amount", rs.getBigDecimal("amount"));
        refund.put("currency", rs.getString("currency"));
        if (rs.getString("reason") != null) {
            refund.put("reason", rs.getString("reason"));
        }
        refund.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        return refund;
    }

    private Map<String, Object> payoutRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> payout = new LinkedHashMap<>();
        payout.put("payoutId", rs.getString("payout_id"));
        payout.put("claimId", rs.getString("claim_id"));
        payout.put("policyId", rs.getString("policy_id"));
        payout.put("accountId", rs.getString("account_id"));
        if (rs.getString("customer_id") != null) {
            payout.put("customerId", rs.getString("customer_id"));
        }
        payout.put("amount", rs.getBigDecimal("amount"));
        payout.put("currency", rs.getString("currency"));
        payout.put("status", "ISSUED");
        if (rs.getString("source_event_id") != null) {
            payout.put("sourceEventId", rs.getString("source_event_id"));
        }
        payout.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        return payout;
    }
}
