package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

import com.insurancehub.mocks.platform.JsonColumns;
import com.insurancehub.mocks.platform.Rows;
import com.insurancehub.mocks.platform.Where;

import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Rows.first;

/**
 * PAS's tables (schema {@code pas}): what the controllers read and write, and nothing of the rules. {@link #lock}
 * takes the policy's row {@code FOR UPDATE}, until the end of the caller's transaction; every change of a policy
 * raises its version by one.
 */
@Component
class PasStore {

    private static final RowMapper<Policy> POLICY = Rows.of(Policy.class);
    private static final RowMapper<PolicyModification> MODIFICATION = Rows.of(PolicyModification.class);
    private static final RowMapper<PolicyPayment> PAYMENT = Rows.of(PolicyPayment.class);
    private static final RowMapper<PolicyClaim> CLAIM = Rows.of(PolicyClaim.class);

    private final JdbcTemplate jdbc;
    private final JsonColumns json;

    PasStore(JdbcTemplate jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    // ------------------------------------------------------------------------------------------------ policies

    Optional<Policy> policy(String policyId) {
        return first(jdbc.query("SELECT * FROM pas.policies WHERE policy_id = ?", POLICY, policyId));
    }

    Optional<Policy> tryLock(String policyId) {
        return first(jdbc.query("SELECT * FROM pas.policies WHERE policy_id = ? FOR UPDATE", POLICY, policyId));
    }

    /** The policy, locked; 404 when there is none. */
    Policy lock(String policyId) {
        return tryLock(policyId).orElseThrow(() -> missing("policy " + policyId));
    }

    /** Oldest first, at most 1000; every filter optional. */
    List<Policy> policies(String quoteId, String customerId, String policyNumber) {
        Where where = Where.filters().and("quote_id", quoteId).and("customer_id", customerId)
                .and("policy_number", policyNumber);
        return jdbc.query("SELECT * FROM pas.policies" + where.sql() + " ORDER BY created_at, policy_id LIMIT 1000",
                POLICY, where.args());
    }

    /** A policy numbered from pas.policy_numbers at version 1; false when the quote has a live policy already. */
    boolean insertPolicy(String policyId, String quoteId, String customerId, String product, BigDecimal premium,
                         String currency, String status) {
        return jdbc.update("""
                INSERT INTO pas.policies (policy_id, policy_number, quote_id, customer_id, product, premium,
                                          currency, status, version)
                VALUES (?, 'POL-' || lpad(nextval('pas.policy_numbers')::text, 8, '0'), ?, ?, ?, ?, ?, ?, 1)
                ON CONFLICT (quote_id) WHERE status <> 'CANCELLED' DO NOTHING""",
                policyId, quoteId, customerId, product, premium, currency, status) == 1;
    }

    /** The quote's policy that is not CANCELLED. */
    Optional<Policy> livePolicyOf(String quoteId) {
        return first(jdbc.query("SELECT * FROM pas.policies WHERE quote_id = ? AND status <> 'CANCELLED'", POLICY,
                quoteId));
    }

    /** The quote's live policy, else its latest one. */
    Optional<String> policyIdOf(String quoteId) {
        return first(jdbc.queryForList("""
                SELECT policy_id FROM pas.policies WHERE quote_id = ?
                ORDER BY status = 'CANCELLED', created_at DESC LIMIT 1""", String.class, quoteId));
    }

    void issue(String policyId) {
        jdbc.update("""
                UPDATE pas.policies SET status = 'ISSUED', version = version + 1, updated_at = now()
                WHERE policy_id = ?""", policyId);
    }

    void cancel(String policyId, String reason, LocalDate effectiveDate) {
        jdbc.update("""
                UPDATE pas.policies SET status = 'CANCELLED', version = version + 1, cancellation_reason = ?,
                                        cancellation_effective_date = ?, updated_at = now()
                WHERE policy_id = ?""", reason, Date.valueOf(effectiveDate), policyId);
    }

    /** {@code coverage} null keeps the policy's coverage. */
    void modify(String policyId, BigDecimal premium, String product, JsonNode coverage) {
        jdbc.update("""
                UPDATE pas.policies SET premium = ?, product = ?, coverage = coalesce(?::jsonb, coverage),
                                        version = version + 1, updated_at = now()
                WHERE policy_id = ?""", premium, product, jsonOrNull(coverage), policyId);
    }

    void addPremiumPaid(String policyId, BigDecimal amount) {
        jdbc.update("""
                UPDATE pas.policies SET premium_paid = premium_paid + ?, version = version + 1, updated_at = now()
                WHERE policy_id = ?""", amount, policyId);
    }

    void activate(String policyId) {
        jdbc.update("""
                UPDATE pas.policies SET status = 'ACTIVE', activated_at = now(), version = version + 1,
                                        updated_at = now()
                WHERE policy_id = ?""", policyId);
    }

    void countClaim(String policyId, BigDecimal assessedAmount) {
        jdbc.update("""
                UPDATE pas.policies SET claim_count = claim_count + 1, claimed_total = claimed_total + ?,
                                        version = version + 1, updated_at = now()
                WHERE policy_id = ?""", assessedAmount, policyId);
    }

    // ------------------------------------------------------------------------------------------------ modifications

    Optional<PolicyModification> modification(String modificationId) {
        return first(jdbc.query("SELECT * FROM pas.modifications WHERE modification_id = ?", MODIFICATION,
                modificationId));
    }

    Optional<PolicyModification> modificationRequested(String policyId, String requestId) {
        return first(jdbc.query("SELECT * FROM pas.modifications WHERE policy_id = ? AND request_id = ?", MODIFICATION,
                policyId, requestId));
    }

    /** Oldest first. */
    List<PolicyModification> modificationsOf(String policyId) {
        return jdbc.query("SELECT * FROM pas.modifications WHERE policy_id = ? ORDER BY policy_version", MODIFICATION,
                policyId);
    }

    void insertModification(String modificationId, String policyId, String requestId, BigDecimal previousPremium,
                            BigDecimal premium, String previousProduct, String product, JsonNode coverage,
                            String reason, int policyVersion) {
        jdbc.update("""
                INSERT INTO pas.modifications (modification_id, policy_id, request_id, previous_premium, premium,
                                               previous_product, product, coverage, reason, policy_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""",
                modificationId, policyId, requestId, previousPremium, premium, previousProduct, product,
                jsonOrNull(coverage), reason, policyVersion);
    }

    // ------------------------------------------------------------------------------------------------ payments

    Optional<PolicyPayment> payment(String policyId, String paymentId) {
        return first(jdbc.query("SELECT * FROM pas.policy_payments WHERE policy_id = ? AND payment_id = ?", PAYMENT,
                policyId, paymentId));
    }

    /** The payment paymentId of the policy, or the one sourceEventId recorded. */
    Optional<PolicyPayment> paymentRecorded(String policyId, String paymentId, String sourceEventId) {
        return first(jdbc.query("""
                SELECT * FROM pas.policy_payments WHERE (policy_id = ? AND payment_id = ?) OR source_event_id = ?""",
                PAYMENT, policyId, paymentId, sourceEventId));
    }

    void insertPayment(String policyId, String paymentId, String invoiceId, BigDecimal amount, String sourceEventId) {
        jdbc.update("""
                INSERT INTO pas.policy_payments (policy_id, payment_id, invoice_id, amount, source_event_id)
                VALUES (?, ?, ?, ?, ?)""", policyId, paymentId, invoiceId, amount, sourceEventId);
    }

    // ------------------------------------------------------------------------------------------------ claims

    Optional<PolicyClaim> claim(String policyId, String claimId) {
        return first(jdbc.query("SELECT * FROM pas.policy_claims WHERE policy_id = ? AND claim_id = ?", CLAIM,
                policyId, claimId));
    }

    /** The claim claimId of the policy, or the one sourceEventId counted. */
    Optional<PolicyClaim> claimCounted(String policyId, String claimId, String sourceEventId) {
        return first(jdbc.query("""
                SELECT * FROM pas.policy_claims WHERE (policy_id = ? AND claim_id = ?) OR source_event_id = ?""",
                CLAIM, policyId, claimId, sourceEventId));
    }

    void insertClaim(String policyId, String claimId, BigDecimal assessedAmount, String sourceEventId) {
        jdbc.update("""
                INSERT INTO pas.policy_claims (policy_id, claim_id, assessed_amount, source_event_id)
                VALUES (?, ?, ?, ?)""", policyId, claimId, assessedAmount, sourceEventId);
    }

    private String jsonOrNull(JsonNode value) {
        return value == null ? null : json.write(value);
    }
}
