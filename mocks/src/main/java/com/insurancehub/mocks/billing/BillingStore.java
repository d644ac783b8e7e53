package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

import com.insurancehub.mocks.platform.JsonColumns;
import com.insurancehub.mocks.platform.Rows;
import com.insurancehub.mocks.platform.Where;

import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Rows.first;

/**
 * Billing's tables (schema {@code billing}): what the controllers read and write, and nothing of the rules. The
 * {@code lock...} reads take the rows {@code FOR UPDATE}, until the end of the caller's transaction.
 */
@Component
class BillingStore {

    private static final RowMapper<Account> ACCOUNT = Rows.of(Account.class);
    private static final RowMapper<Invoice> INVOICE = Rows.of(Invoice.class);
    private static final RowMapper<Payment> PAYMENT = Rows.of(Payment.class);
    private static final RowMapper<Adjustment> ADJUSTMENT = Rows.of(Adjustment.class);
    private static final RowMapper<Refund> REFUND = Rows.of(Refund.class);
    private static final RowMapper<Payout> PAYOUT = Rows.of(Payout.class);
    private static final String INVOICES = """
            SELECT i.*, a.customer_id FROM billing.invoices i LEFT JOIN billing.accounts a ON a.account_id = i.account_id
            """;
    private static final String PAYMENTS = """
            SELECT p.*, a.customer_id FROM billing.payments p LEFT JOIN billing.accounts a ON a.account_id = p.account_id
            """;
    private static final String PAYOUTS = """
            SELECT p.*, a.customer_id FROM billing.payouts p LEFT JOIN billing.accounts a ON a.account_id = p.account_id
            """;
    private static final int MAX_LISTED = 1000;

    private final JdbcTemplate jdbc;
    private final JsonColumns json;

    BillingStore(JdbcTemplate jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    // ------------------------------------------------------------------------------------------------ accounts

    Optional<Account> account(String accountId) {
        return first(jdbc.query("SELECT * FROM billing.accounts WHERE account_id = ?", ACCOUNT, accountId));
    }

    List<Account> accountsOf(String policyId) {
        return jdbc.query("SELECT * FROM billing.accounts WHERE policy_id = ?", ACCOUNT, policyId);
    }

    Optional<Account> lockAccount(String accountId) {
        return first(jdbc.query("SELECT * FROM billing.accounts WHERE account_id = ? FOR UPDATE", ACCOUNT, accountId));
    }

    Optional<Account> lockAccountOf(String policyId) {
        return first(jdbc.query("SELECT * FROM billing.accounts WHERE policy_id = ? FOR UPDATE", ACCOUNT, policyId));
    }

    /** False when the policy has an account already. */
    boolean insertAccount(String accountId, String customerId, String policyId) {
        return jdbc.update("""
                INSERT INTO billing.accounts (account_id, customer_id, policy_id, status, version)
                VALUES (?, ?, ?, 'OPEN', 1) ON CONFLICT (policy_id) DO NOTHING""",
                accountId, customerId, policyId) == 1;
    }

    /** Fills in the customer of the policy's account when it has none. */
    void fillInCustomer(String policyId, String customerId) {
        jdbc.update("UPDATE billing.accounts SET customer_id = ? WHERE policy_id = ? AND customer_id IS NULL",
                customerId, policyId);
    }

    void setCustomer(String accountId, String customerId) {
        jdbc.update("UPDATE billing.accounts SET customer_id = ? WHERE account_id = ?", customerId, accountId);
    }

    void closeAccount(String accountId, String reason) {
        jdbc.update("""
                UPDATE billing.accounts SET status = 'CLOSED', closure_reason = ?, closed_at = now(), updated_at = now()
                WHERE account_id = ?""", reason, accountId);
    }

    /** The account's version + 1, the version of its next event. */
    int nextVersion(String accountId) {
        return jdbc.queryForObject("""
                UPDATE billing.accounts SET version = version + 1, updated_at = now() WHERE account_id = ?
                RETURNING version""", Integer.class, accountId);
    }

    void addCredit(String accountId, BigDecimal amount) {
        jdbc.update("UPDATE billing.accounts SET credit_balance = credit_balance + ? WHERE account_id = ?", amount,
                accountId);
    }

    void clearCredit(String accountId) {
        jdbc.update("UPDATE billing.accounts SET credit_balance = 0 WHERE account_id = ?", accountId);
    }

    /** The currency of the account's latest invoice. */
    Optional<String> latestCurrency(String accountId) {
        return first(jdbc.queryForList("""
                SELECT currency FROM billing.invoices WHERE account_id = ?
                ORDER BY created_at DESC, invoice_id LIMIT 1""",
                String.class, accountId));
    }

    // ------------------------------------------------------------------------------------------------ invoices

    Optional<Invoice> invoice(String invoiceId) {
        return first(jdbc.query(INVOICES + " WHERE i.invoice_id = ?", INVOICE, invoiceId));
    }

    Optional<Invoice> invoiceIssuedBy(String sourceEventId) {
        return first(jdbc.query(INVOICES + " WHERE i.source_event_id = ?", INVOICE, sourceEventId));
    }

    Invoice lockInvoice(String invoiceId) {
        return jdbc.query(INVOICES + " WHERE i.invoice_id = ? FOR UPDATE OF i", INVOICE, invoiceId).get(0);
    }

    List<Invoice> lockOpenInvoicesOf(String policyId) {
        return jdbc.query(INVOICES + """
                 WHERE i.policy_id = ? AND i.status = 'OPEN' ORDER BY i.invoice_id FOR UPDATE OF i""", INVOICE, policyId);
    }

    /** The policy's invoices, oldest first; {@code status} optional. */
    List<Invoice> invoicesOf(String policyId, String status) {
        Where where = Where.filters().and("i.policy_id", policyId).and("i.status", status);
        return jdbc.query(INVOICES + where.sql() + " ORDER BY i.created_at, i.invoice_id", INVOICE, where.args());
    }

    /** An OPEN invoice; false when its sourceEventId issued one already. */
    boolean insertInvoice(String invoiceId, String accountId, String policyId, String kind, BigDecimal amount,
                          String currency, LocalDate dueDate, String sourceEventId) {
        return jdbc.update("""
                INSERT INTO billing.invoices (invoice_id, account_id, policy_id, kind, amount, currency, status,
                                              due_date, source_event_id)
                VALUES (?, ?, ?, ?, ?, ?, 'OPEN', ?, ?)
                ON CONFLICT DO NOTHING""",
                invoiceId, accountId, policyId, kind, amount, currency, Date.valueOf(dueDate), sourceEventId) == 1;
    }

    /** An invoice issued before accounts were required joins its policy's account. */
    void attachInvoice(String invoiceId, String accountId) {
        jdbc.update("UPDATE billing.invoices SET account_id = ? WHERE invoice_id = ?", accountId, invoiceId);
    }

    void addPaid(String invoiceId, BigDecimal amount, String status) {
        jdbc.update("""
                UPDATE billing.invoices SET amount_paid = amount_paid + ?, status = ?, updated_at = now()
                WHERE invoice_id = ?""", amount, status, invoiceId);
    }

    void cancelInvoice(String invoiceId, String reason) {
        jdbc.update("""
                UPDATE billing.invoices SET status = 'CANCELLED', cancellation_reason = ?, updated_at = now()
                WHERE invoice_id = ?""", reason, invoiceId);
    }

    /** An OPEN invoice moved one dunning level up, with the version of its account then. */
    record Dunned(Invoice invoice, Integer accountVersion) {
    }

    /**
     * Moves each OPEN invoice due before {@code asOf} at most one dunning level up (0 → 1; 1 → 2 once also
     * {@code graceDays} past due): one conditional update of the rows locked with SKIP LOCKED, so that concurrent
     * runs never move, nor answer, the same invoice twice. An invoice without an account (issued before accounts were
     * required) is left until it has one (its first payment attaches it): its notice would have no aggregate.
     */
    List<Dunned> dun(LocalDate asOf, int graceDays) {
        Date asOfDate = Date.valueOf(asOf);
        return jdbc.query("""
                WITH due AS (
                    SELECT invoice_id FROM billing.invoices
                    WHERE status = 'OPEN' AND account_id IS NOT NULL
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
                ORDER BY m.invoice_id""",
                (rs, n) -> new Dunned(INVOICE.mapRow(rs, n), rs.getObject("account_version", Integer.class)),
                asOfDate, graceDays, asOfDate);
    }

    // ------------------------------------------------------------------------------------------------ payments

    Optional<Payment> payment(String paymentId) {
        return first(jdbc.query(PAYMENTS + " WHERE p.payment_id = ?", PAYMENT, paymentId));
    }

    void insertPayment(String paymentId, String invoiceId, String accountId, String policyId, BigDecimal amount,
                       String currency, String reference, String invoiceStatus) {
        jdbc.update("""
                INSERT INTO billing.payments (payment_id, invoice_id, account_id, policy_id, amount, currency,
                                              reference, invoice_status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                paymentId, invoiceId, accountId, policyId, amount, currency, reference, invoiceStatus);
    }

    /** Oldest first; policyId or invoiceId required. */
    List<Payment> payments(String policyId, String invoiceId) {
        return list(PAYMENTS, PAYMENT, policyId, "invoice_id", invoiceId);
    }

    /** Everything paid on the policy's invoices. */
    BigDecimal paidOn(String policyId) {
        return jdbc.queryForObject("SELECT coalesce(sum(amount), 0) FROM billing.payments WHERE policy_id = ?",
                BigDecimal.class, policyId);
    }

    // ------------------------------------------------------------------------------------------------ adjustments

    Optional<Adjustment> adjustment(String adjustmentId) {
        return first(jdbc.query("SELECT * FROM billing.adjustments WHERE adjustment_id = ?", ADJUSTMENT, adjustmentId));
    }

    Optional<Adjustment> adjustmentMadeBy(String sourceEventId) {
        return first(jdbc.query("SELECT * FROM billing.adjustments WHERE source_event_id = ?", ADJUSTMENT,
                sourceEventId));
    }

    void insertAdjustment(String adjustmentId, String accountId, String policyId, String kind, BigDecimal amountDelta,
                          String currency, String invoiceId, String reason, String sourceEventId) {
        jdbc.update("""
                INSERT INTO billing.adjustments (adjustment_id, account_id, policy_id, kind, amount_delta, currency,
                                                 invoice_id, reason, source_event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                adjustmentId, accountId, policyId, kind, amountDelta, currency, invoiceId, reason, sourceEventId);
    }

    List<Adjustment> adjustmentsOf(String policyId) {
        return jdbc.query("SELECT * FROM billing.adjustments WHERE policy_id = ? ORDER BY created_at, adjustment_id",
                ADJUSTMENT, policyId);
    }

    // ------------------------------------------------------------------------------------------------ terminations

    /** The summary of the policy's termination, or of the one sourceEventId made. */
    Optional<Map<String, Object>> termination(String policyId, String sourceEventId) {
        return first(jdbc.query("""
                SELECT summary::text FROM billing.terminations WHERE policy_id = ? OR source_event_id = ?""",
                this::summary, policyId, sourceEventId));
    }

    /** A termination with the summary answered for it, then again on a repeat. */
    void insertTermination(String terminationId, String policyId, String accountId, String reason,
                           LocalDate effectiveDate, String sourceEventId, Map<String, Object> summary) {
        jdbc.update("""
                INSERT INTO billing.terminations (termination_id, policy_id, account_id, reason, effective_date,
                                                  source_event_id, summary)
                VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)""", terminationId, policyId, accountId, reason,
                Date.valueOf(effectiveDate), sourceEventId, json.write(summary));
    }

    /** The summaries of the policy's terminations. */
    List<Map<String, Object>> terminationsOf(String policyId) {
        return jdbc.query("SELECT summary::text FROM billing.terminations WHERE policy_id = ?", this::summary,
                policyId);
    }

    void insertRefund(String refundId, String accountId, String policyId, String terminationId, BigDecimal amount,
                      String currency, String reason) {
        jdbc.update("""
                INSERT INTO billing.refunds (refund_id, account_id, policy_id, termination_id, amount, currency,
                                             reason)
                VALUES (?, ?, ?, ?, ?, ?, ?)""",
                refundId, accountId, policyId, terminationId, amount, currency, reason);
    }

    List<Refund> refundsOf(String policyId) {
        return jdbc.query("""
                SELECT r.*, a.customer_id FROM billing.refunds r LEFT JOIN billing.accounts a ON a.account_id = r.account_id
                WHERE r.policy_id = ? ORDER BY r.created_at, r.refund_id""", REFUND, policyId);
    }

    // ------------------------------------------------------------------------------------------------ payouts

    Optional<Payout> payout(String payoutId) {
        return first(jdbc.query(PAYOUTS + " WHERE p.payout_id = ?", PAYOUT, payoutId));
    }

    /** The payout of the claim, or the one sourceEventId made. */
    Optional<Payout> payoutOf(String claimId, String sourceEventId) {
        return first(jdbc.query(PAYOUTS + " WHERE p.claim_id = ? OR p.source_event_id = ?", PAYOUT, claimId,
                sourceEventId));
    }

    void insertPayout(String payoutId, String claimId, String accountId, String policyId, BigDecimal amount,
                      String currency, String sourceEventId) {
        jdbc.update("""
                INSERT INTO billing.payouts (payout_id, claim_id, account_id, policy_id, amount, currency,
                                             source_event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)""",
                payoutId, claimId, accountId, policyId, amount, currency, sourceEventId);
    }

    /** Oldest first; policyId or claimId required. */
    List<Payout> payouts(String policyId, String claimId) {
        return list(PAYOUTS, PAYOUT, policyId, "claim_id", claimId);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A listing by policy or by another column, oldest first; at least one of them required. */
    private <T> List<T> list(String select, RowMapper<T> mapper, String policyId, String otherColumn,
                             String otherValue) {
        Where where = Where.filters().and("p.policy_id", policyId).and("p." + otherColumn, otherValue);
        if (where.none()) {
            throw invalid("policyId", "policyId or " + otherColumn + " is required");
        }
        return jdbc.query(select + where.sql() + " ORDER BY p.created_at LIMIT " + MAX_LISTED, mapper, where.args());
    }

    private Map<String, Object> summary(ResultSet rs, int n) throws SQLException {
        return json.readObject(rs.getString(1));
    }
}
