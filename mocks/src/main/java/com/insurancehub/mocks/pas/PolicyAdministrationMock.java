package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
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
 * PAS (Policy Administration): the system of record for policies. Every change of a policy and its event row
 * in {@code pas.outbox} are written in one database transaction (transactional outbox, relayed by Debezium):
 * an event exists exactly when its change is committed. {@code X-Mock-Rollback: true} makes a creation fail
 * after both writes, to prove that a rolled-back transaction publishes nothing.
 *
 * <p>Every policy event (aggregate {@code policy}, id = policyId, version = the policy's version after the change,
 * +1 per change) carries the policy's snapshot ({@link #SNAPSHOT}), so that a consumer can keep a replica from the
 * events alone. Lifecycle: PENDING → ISSUED → ACTIVE (first premium paid) → CANCELLED.
 */
@RestController
@RequestMapping("/pas")
public class PolicyAdministrationMock implements MockSystem {

    private static final String OUTBOX = "pas.outbox";
    private static final String AGGREGATE = "policy";
    private static final String PENDING = "PENDING";
    private static final String ISSUED = "ISSUED";
    private static final String ACTIVE = "ACTIVE";
    private static final String CANCELLED = "CANCELLED";
    private static final Set<String> PRODUCTS = Set.of("AUTO", "HOME");

    /** The fields of the policy snapshot every policy event's data carries (those with a value). */
    static final String[] SNAPSHOT = {"policyId", "policyNumber", "quoteId", "customerId", "product", "coverage",
            "premium", "currency", "status", "version", "claimCount", "claimedTotal", "premiumPaid", "activatedAt",
            "cancellationReason", "cancellationEffectiveDate"};

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;
    private final ObjectMapper json;

    public PolicyAdministrationMock(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Outbox outbox,
                                    ObjectMapper json) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
        this.outbox = outbox;
        this.json = json;
    }

    @Override
    public String base() {
        return "pas";
    }

    /** {@code status} is optional: ISSUED (the default) or PENDING (issued later by {@code /issuance}). */
    public record NewPolicy(String quoteId, String customerId, String product, BigDecimal premium, String currency,
                            String status) {
    }

    /** {@code effectiveDate} defaults to today (UTC). */
    public record Cancellation(String reason, LocalDate effectiveDate) {
    }

    /** At least one of premium, product, coverage; {@code requestId} makes it idempotent. */
    public record Modification(BigDecimal premium, String product, JsonNode coverage, String reason, String requestId) {
    }

    public record PremiumPayment(String invoiceId, String paymentId, BigDecimal amount, String sourceEventId) {
    }

    public record AssessedClaim(String claimId, BigDecimal assessedAmount, String sourceEventId) {
    }

    /** Thrown inside the transaction after both writes, so that it rolls back. */
    static final class SimulatedFailure extends RuntimeException {
        SimulatedFailure() {
            super("simulated failure after the outbox write, transaction rolled back");
        }
    }

    @PostMapping("/policies")
    public ResponseEntity<Map<String, Object>> create(@RequestBody NewPolicy policy,
                                                      @RequestHeader(value = "traceparent", required = false) String traceparent,
                                                      @RequestHeader(value = "X-Mock-Rollback", required = false) String rollback) {
        if (blank(policy.quoteId()) || blank(policy.customerId()) || blank(policy.product())
                || policy.premium() == null || blank(policy.currency())) {
            return problem(HttpStatus.BAD_REQUEST, "quoteId, customerId, product, premium and currency are required");
        }
        if (policy.currency().length() != 3) {
            return problem(HttpStatus.BAD_REQUEST, "currency must be an ISO 4217 code, not " + policy.currency());
        }
        String initialStatus = policy.status() == null ? ISSUED : policy.status();
        if (!ISSUED.equals(initialStatus) && !PENDING.equals(initialStatus)) {
            return problem(HttpStatus.BAD_REQUEST, "status must be ISSUED (the default) or PENDING, not " + initialStatus);
        }
        try {
            return tx.execute(status -> {
                String policyId = "P-" + UUID.randomUUID();
                int inserted = jdbc.update("""
                        INSERT INTO pas.policies (policy_id, policy_number, quote_id, customer_id, product, premium,
                                                  currency, status, version)
                        VALUES (?, 'POL-' || lpad(nextval('pas.policy_numbers')::text, 8, '0'), ?, ?, ?, ?, ?, ?, 1)
                        ON CONFLICT (quote_id) WHERE status <> 'CANCELLED' DO NOTHING""",
                        policyId, policy.quoteId(), policy.customerId(), policy.product(), policy.premium(),
                        policy.currency(), initialStatus);
                if (inserted == 0) {
                    List<Map<String, Object>> existing = jdbc.query(
                            "SELECT * FROM pas.policies WHERE quote_id = ? AND status <> 'CANCELLED'", this::row, policy.quoteId());
                    String existingId = existing.isEmpty() ? null : (String) existing.get(0).get("policyId");
                    Map<String, Object> body = conflict("QUOTE_ALREADY_SUBSCRIBED",
                            "quote " + policy.quoteId() + " is already subscribed by policy " + existingId).body();
                    body.put("policyId", existingId);
                    return problem(HttpStatus.CONFLICT, body);
                }
                Map<String, Object> created = find(policyId).get(0);
                if (ISSUED.equals(initialStatus)) {
                    publish(created, "PolicyCreated", Map.of(), traceparent);
                }
                if ("true".equalsIgnoreCase(rollback)) {
                    throw new SimulatedFailure();
                }
                return ResponseEntity.status(HttpStatus.CREATED).body(created);
            });
        } catch (SimulatedFailure e) {
            return problem(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        }
    }

    /**
     * Issues a PENDING policy: ISSUED, version + 1 and PolicyCreated in the outbox, in one transaction.
     * Idempotent (an ISSUED policy is answered as it is); 409 for a CANCELLED policy.
     */
    @PostMapping("/policies/{policyId}/issuance")
    public ResponseEntity<Map<String, Object>> issue(@PathVariable String policyId,
                                                     @RequestHeader(value = "traceparent", required = false) String traceparent,
                                                     @RequestHeader(value = "X-Mock-Rollback", required = false) String rollback) {
        try {
            return tx.execute(status -> {
                Map<String, Object> locked = lock(policyId);
                String current = (String) locked.get("status");
                if (ISSUED.equals(current) || ACTIVE.equals(current)) {
                    return ResponseEntity.ok(locked);
                }
                if (!PENDING.equals(current)) {
                    throw conflict("POLICY_" + current, "policy " + policyId + " is " + current + ": it cannot be issued");
                }
                jdbc.update("""
                        UPDATE pas.policies SET status = 'ISSUED', version = version + 1, updated_at = now()
                        WHERE policy_id = ?""", policyId);
                Map<String, Object> issued = find(policyId).get(0);
                publish(issued, "PolicyCreated", Map.of(), traceparent);
                if ("true".equalsIgnoreCase(rollback)) {
                    throw new SimulatedFailure();
                }
                return ResponseEntity.ok(issued);
            });
        } catch (SimulatedFailure e) {
            return problem(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        }
    }

    /**
     * Cancels a policy: CANCELLED, version + 1 and PolicyCancelled in the outbox, in one transaction. Idempotent:
     * a policy already CANCELLED is answered as it is, with no second event. A PENDING policy, never announced
     * by a PolicyCreated, is cancelled without an event.
     */
    @PostMapping("/policies/{policyId}/cancellation")
    public ResponseEntity<Map<String, Object>> cancel(@PathVariable String policyId,
                                                      @RequestBody(required = false) Cancellation cancellation,
                                                      @RequestHeader(value = "traceparent", required = false) String traceparent) {
        Map<String, Object> policy = tx.execute(status -> cancelInTransaction(policyId, cancellation, traceparent));
        return policy == null ? notFound("policy " + policyId) : ResponseEntity.ok(policy);
    }

    /** Cancels the policy of a quote (a saga compensation): 200 with it, or 204 when the quote has none. */
    @PostMapping("/policies/cancellation")
    public ResponseEntity<Map<String, Object>> cancelByQuote(@RequestParam String quoteId,
                                                             @RequestBody(required = false) Cancellation cancellation,
                                                             @RequestHeader(value = "traceparent", required = false) String traceparent) {
        Map<String, Object> policy = tx.execute(status -> {
            List<String> ids = jdbc.queryForList("""
                    SELECT policy_id FROM pas.policies WHERE quote_id = ?
                    ORDER BY status = 'CANCELLED', created_at DESC LIMIT 1""", String.class, quoteId);
            return ids.isEmpty() ? null : cancelInTransaction(ids.get(0), cancellation, traceparent);
        });
        return policy == null ? ResponseEntity.noContent().build() : ResponseEntity.ok(policy);
    }

    /** null when there is no such policy. */
    private Map<String, Object> cancelInTransaction(String policyId, Cancellation cancellation, String traceparent) {
        List<Map<String, Object>> locked = jdbc.query("SELECT * FROM pas.policies WHERE policy_id = ? FOR UPDATE",
                this::row, policyId);
        if (locked.isEmpty()) {
            return null;
        }
        String previous = (String) locked.get(0).get("status");
        if (CANCELLED.equals(previous)) {
            return locked.get(0);
        }
        String reason = cancellation == null ? null : cancellation.reason();
        LocalDate effectiveDate = cancellation == null || cancellation.effectiveDate() == null
                ? LocalDate.now(ZoneOffset.UTC) : cancellation.effectiveDate();
        jdbc.update("""
                UPDATE pas.policies SET status = 'CANCELLED', version = version + 1, cancellation_reason = ?,
                                        cancellation_effective_date = ?, updated_at = now()
                WHERE policy_id = ?""", reason, Date.valueOf(effectiveDate), policyId);
        Map<String, Object> policy = find(policyId).get(0);
        if (!PENDING.equals(previous)) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("reason", reason);
            extra.put("effectiveDate", effectiveDate.toString());
            extra.put("previousStatus", previous);
            publish(policy, "PolicyCancelled", extra, traceparent);
        }
        return policy;
    }

    /**
     * Modifies an ISSUED or ACTIVE policy (premium, product, coverage): version + 1 and PolicyModified (with
     * previousPremium and premiumDelta). 201 with the policy and its {@code modification}; the same requestId again
     * answers 200 with the policy as it is now and the modification already made, and writes nothing.
     */
    @PostMapping("/policies/{policyId}/modifications")
    public ResponseEntity<Map<String, Object>> modify(@PathVariable String policyId, @RequestBody Modification modification,
                                                      @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (modification.premium() == null && blank(modification.product()) && modification.coverage() == null) {
            throw invalid("premium", "at least one of premium, product and coverage is required");
        }
        if (modification.premium() != null && modification.premium().signum() <= 0) {
            throw invalid("premium", "premium must be > 0, not " + modification.premium());
        }
        if (!blank(modification.product()) && !PRODUCTS.contains(modification.product())) {
            throw invalid("product", "product must be one of " + PRODUCTS + ", not " + modification.product());
        }
        if (modification.coverage() != null && !modification.coverage().isObject()) {
            throw invalid("coverage", "coverage must be a JSON object");
        }
        if (blank(modification.reason())) {
            throw invalid("reason", "reason is required");
        }
        String requestId = blank(modification.requestId()) ? null : modification.requestId();
        return tx.execute(status -> {
            Map<String, Object> policy = lock(policyId);
            if (requestId != null) {
                List<Map<String, Object>> done = jdbc.query(
                        "SELECT * FROM pas.modifications WHERE policy_id = ? AND request_id = ?", this::modificationRow,
                        policyId, requestId);
                if (!done.isEmpty()) {
                    return ResponseEntity.ok(with(policy, "modification", done.get(0)));
                }
            }
            String current = (String) policy.get("status");
            if (!ISSUED.equals(current) && !ACTIVE.equals(current)) {
                throw conflict("POLICY_" + current, "policy " + policyId + " is " + current
                        + ": only an ISSUED or ACTIVE policy can be modified");
            }
            BigDecimal previousPremium = (BigDecimal) policy.get("premium");
            String previousProduct = (String) policy.get("product");
            BigDecimal premium = modification.premium() != null ? modification.premium() : previousPremium;
            String product = blank(modification.product()) ? previousProduct : modification.product();
            String coverage = modification.coverage() == null ? null : write(modification.coverage());
            jdbc.update("""
                    UPDATE pas.policies SET premium = ?, product = ?, coverage = coalesce(?::jsonb, coverage),
                                            version = version + 1, updated_at = now()
                    WHERE policy_id = ?""", premium, product, coverage, policyId);
            Map<String, Object> modified = find(policyId).get(0);
            String modificationId = "MOD-" + UUID.randomUUID();
            jdbc.update("""
                    INSERT INTO pas.modifications (modification_id, policy_id, request_id, previous_premium, premium,
                                                   previous_product, product, coverage, reason, policy_version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""",
                    modificationId, policyId, requestId, previousPremium, premium, previousProduct, product, coverage,
                    modification.reason(), modified.get("version"));
            Map<String, Object> made = jdbc.query("SELECT * FROM pas.modifications WHERE modification_id = ?",
                    this::modificationRow, modificationId).get(0);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("modificationId", modificationId);
            extra.put("requestId", requestId);
            extra.put("reason", modification.reason());
            extra.put("previousPremium", previousPremium);
            extra.put("premiumDelta", made.get("premiumDelta"));
            extra.put("previousProduct", previousProduct);
            publish(modified, "PolicyModified", extra, traceparent);
            return ResponseEntity.status(HttpStatus.CREATED).body(with(modified, "modification", made));
        });
    }

    /**
     * Records a premium payment (once per paymentId and per sourceEventId): premiumPaid + amount, version + 1 and
     * PolicyPremiumPaid; an ISSUED policy then becomes ACTIVE, version + 1 again and PolicyActivated (two changes,
     * two events, one transaction). 201 with the policy and its {@code payment}; a repeat answers 200 and writes
     * nothing; 409 on a PENDING or CANCELLED policy.
     */
    @PostMapping("/policies/{policyId}/payments")
    public ResponseEntity<Map<String, Object>> pay(@PathVariable String policyId, @RequestBody PremiumPayment payment,
                                                   @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(payment.paymentId())) {
            throw invalid("paymentId", "paymentId is required");
        }
        if (payment.amount() == null || payment.amount().signum() <= 0) {
            throw invalid("amount", "amount is required and must be > 0");
        }
        String sourceEventId = blank(payment.sourceEventId()) ? null : payment.sourceEventId();
        return tx.execute(status -> {
            Map<String, Object> policy = lock(policyId);
            List<Map<String, Object>> recorded = jdbc.query("""
                    SELECT * FROM pas.policy_payments WHERE (policy_id = ? AND payment_id = ?) OR source_event_id = ?""",
                    this::paymentRow, policyId, payment.paymentId(), sourceEventId);
            if (!recorded.isEmpty()) {
                return ResponseEntity.ok(with(policy, "payment", recorded.get(0)));
            }
            String current = (String) policy.get("status");
            if (!ISSUED.equals(current) && !ACTIVE.equals(current)) {
                throw conflict("POLICY_" + current, "policy " + policyId + " is " + current
                        + ": a premium payment can only be recorded on an ISSUED or ACTIVE policy");
            }
            jdbc.update("""
                    INSERT INTO pas.policy_payments (policy_id, payment_id, invoice_id, amount, source_event_id)
                    VALUES (?, ?, ?, ?, ?)""", policyId, payment.paymentId(), payment.invoiceId(), payment.amount(),
                    sourceEventId);
            jdbc.update("""
                    UPDATE pas.policies SET premium_paid = premium_paid + ?, version = version + 1, updated_at = now()
                    WHERE policy_id = ?""", payment.amount(), policyId);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("paymentId", payment.paymentId());
            extra.put("invoiceId", payment.invoiceId());
            extra.put("amount", payment.amount());
            Map<String, Object> paid = find(policyId).get(0);
            publish(paid, "PolicyPremiumPaid", extra, traceparent);
            if (ISSUED.equals(current)) {
                jdbc.update("""
                        UPDATE pas.policies SET status = 'ACTIVE', activated_at = now(), version = version + 1,
                                                updated_at = now()
                        WHERE policy_id = ?""", policyId);
                paid = find(policyId).get(0);
                publish(paid, "PolicyActivated", extra, traceparent);
            }
            Map<String, Object> stored = jdbc.query(
                    "SELECT * FROM pas.policy_payments WHERE policy_id = ? AND payment_id = ?", this::paymentRow,
                    policyId, payment.paymentId()).get(0);
            return ResponseEntity.status(HttpStatus.CREATED).body(with(paid, "payment", stored));
        });
    }

    /**
     * Counts an assessed claim on the policy, once per claimId (and per sourceEventId): claimCount + 1, claimedTotal +
     * assessedAmount, version + 1 and PolicyClaimsUpdated. Allowed on ISSUED, ACTIVE and CANCELLED policies (an
     * incident of the covered period may be assessed after the cancellation); 409 on a PENDING one. 201 with the policy
     * and its {@code claim}; a repeat answers 200 and writes nothing.
     */
    @PostMapping("/policies/{policyId}/claims")
    public ResponseEntity<Map<String, Object>> claim(@PathVariable String policyId, @RequestBody AssessedClaim claim,
                                                     @RequestHeader(value = "traceparent", required = false) String traceparent) {
        if (blank(claim.claimId())) {
            throw invalid("claimId", "claimId is required");
        }
        if (claim.assessedAmount() == null || claim.assessedAmount().signum() < 0) {
            throw invalid("assessedAmount", "assessedAmount is required and must be >= 0");
        }
        String sourceEventId = blank(claim.sourceEventId()) ? null : claim.sourceEventId();
        return tx.execute(status -> {
            Map<String, Object> policy = lock(policyId);
            List<Map<String, Object>> counted = jdbc.query("""
                    SELECT * FROM pas.policy_claims WHERE (policy_id = ? AND claim_id = ?) OR source_event_id = ?""",
                    this::claimRow, policyId, claim.claimId(), sourceEventId);
            if (!counted.isEmpty()) {
                return ResponseEntity.ok(with(policy, "claim", counted.get(0)));
            }
            String current = (String) policy.get("status");
            if (PENDING.equals(current)) {
                throw conflict("POLICY_PENDING", "policy " + policyId + " is PENDING: it has not been issued");
            }
            jdbc.update("""
                    INSERT INTO pas.policy_claims (policy_id, claim_id, assessed_amount, source_event_id)
                    VALUES (?, ?, ?, ?)""", policyId, claim.claimId(), claim.assessedAmount(), sourceEventId);
            jdbc.update("""
                    UPDATE pas.policies SET claim_count = claim_count + 1, claimed_total = claimed_total + ?,
                                            version = version + 1, updated_at = now()
                    WHERE policy_id = ?""", claim.assessedAmount(), policyId);
            Map<String, Object> updated = find(policyId).get(0);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("claimId", claim.claimId());
            extra.put("assessedAmount", claim.assessedAmount());
            publish(updated, "PolicyClaimsUpdated", extra, traceparent);
            Map<String, Object> stored = jdbc.query(
                    "SELECT * FROM pas.policy_claims WHERE policy_id = ? AND claim_id = ?", this::claimRow,
                    policyId, claim.claimId()).get(0);
            return ResponseEntity.status(HttpStatus.CREATED).body(with(updated, "claim", stored));
        });
    }

    /** The event's data: the policy snapshot, then the event's own fields (those with a value). */
    private void publish(Map<String, Object> policy, String eventType, Map<String, Object> extra, String traceparent) {
        Map<String, Object> payload = snapshot(policy);
        extra.forEach((field, value) -> {
            if (value != null) {
                payload.put(field, value);
            }
        });
        outbox.write(OUTBOX, AGGREGATE, (String) policy.get("policyId"), (Integer) policy.get("version"), eventType,
                payload, traceparent);
    }

    static Map<String, Object> snapshot(Map<String, Object> policy) {
        Map<String, Object> payload = new LinkedHashMap<>();
        for (String field : SNAPSHOT) {
            if (policy.get(field) != null) {
                payload.put(field, policy.get(field));
            }
        }
        return payload;
    }

    @GetMapping("/policies/{policyId}")
    public ResponseEntity<Map<String, Object>> get(@PathVariable String policyId) {
        List<Map<String, Object>> found = find(policyId);
        return found.isEmpty() ? notFound("policy " + policyId) : ResponseEntity.ok(found.get(0));
    }

    @GetMapping("/policies")
    public List<Map<String, Object>> list(@RequestParam(required = false) String quoteId,
                                          @RequestParam(required = false) String customerId,
                                          @RequestParam(required = false) String policyNumber) {
        StringBuilder sql = new StringBuilder("SELECT * FROM pas.policies WHERE true");
        List<Object> args = new ArrayList<>();
        if (quoteId != null) {
            sql.append(" AND quote_id = ?");
            args.add(quoteId);
        }
        if (customerId != null) {
            sql.append(" AND customer_id = ?");
            args.add(customerId);
        }
        if (policyNumber != null) {
            sql.append(" AND policy_number = ?");
            args.add(policyNumber);
        }
        sql.append(" ORDER BY created_at, policy_id LIMIT 1000");
        return jdbc.query(sql.toString(), this::row, args.toArray());
    }

    /** The modifications of a policy, oldest first. */
    @GetMapping("/policies/{policyId}/modifications")
    public ResponseEntity<?> modifications(@PathVariable String policyId) {
        if (find(policyId).isEmpty()) {
            return notFound("policy " + policyId);
        }
        return ResponseEntity.ok(jdbc.query(
                "SELECT * FROM pas.modifications WHERE policy_id = ? ORDER BY policy_version", this::modificationRow,
                policyId));
    }

    private List<Map<String, Object>> find(String policyId) {
        return jdbc.query("SELECT * FROM pas.policies WHERE policy_id = ?", this::row, policyId);
    }

    /** The policy, locked until the end of the transaction; 404 when there is none. */
    private Map<String, Object> lock(String policyId) {
        List<Map<String, Object>> locked = jdbc.query("SELECT * FROM pas.policies WHERE policy_id = ? FOR UPDATE",
                this::row, policyId);
        if (locked.isEmpty()) {
            throw missing("policy " + policyId);
        }
        return locked.get(0);
    }

    private static Map<String, Object> with(Map<String, Object> policy, String field, Map<String, Object> value) {
        Map<String, Object> answer = new LinkedHashMap<>(policy);
        answer.put(field, value);
        return answer;
    }

    private String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode read(String value) {
        try {
            return value == null ? null : json.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("policyId", rs.getString("policy_id"));
        policy.put("policyNumber", rs.getString("policy_number"));
        policy.put("quoteId", rs.getString("quote_id"));
        policy.put("customerId", rs.getString("customer_id"));
        policy.put("product", rs.getString("product"));
        JsonNode coverage = read(rs.getString("coverage"));
        if (coverage != null) {
            policy.put("coverage", coverage);
        }
        policy.put("premium", rs.getBigDecimal("premium"));
        policy.put("currency", rs.getString("currency"));
        policy.put("status", rs.getString("status"));
        policy.put("version", rs.getInt("version"));
        policy.put("claimCount", rs.getInt("claim_count"));
        policy.put("claimedTotal", rs.getBigDecimal("claimed_total"));
        policy.put("premiumPaid", rs.getBigDecimal("premium_paid"));
        if (rs.getTimestamp("activated_at") != null) {
            policy.put("activatedAt", rs.getTimestamp("activated_at").toInstant().toString());
        }
        if (rs.getString("cancellation_reason") != null) {
            policy.put("cancellationReason", rs.getString("cancellation_reason"));
        }
        if (rs.getObject("cancellation_effective_date") != null) {
            policy.put("cancellationEffectiveDate", rs.getObject("cancellation_effective_date", LocalDate.class).toString());
        }
        policy.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        policy.put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString());
        return policy;
    }

    private Map<String, Object> modificationRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> modification = new LinkedHashMap<>();
        modification.put("modificationId", rs.getString("modification_id"));
        if (rs.getString("request_id") != null) {
            modification.put("requestId", rs.getString("request_id"));
        }
        modification.put("previousPremium", rs.getBigDecimal("previous_premium"));
        modification.put("premium", rs.getBigDecimal("premium"));
        modification.put("premiumDelta", rs.getBigDecimal("premium").subtract(rs.getBigDecimal("previous_premium")));
        modification.put("previousProduct", rs.getString("previous_product"));
        modification.put("product", rs.getString("product"));
        JsonNode coverage = read(rs.getString("coverage"));
        if (coverage != null) {
            modification.put("coverage", coverage);
        }
        modification.put("reason", rs.getString("reason"));
        modification.put("policyVersion", rs.getInt("policy_version"));
        modification.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        return modification;
    }

    private Map<String, Object> paymentRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> payment = new LinkedHashMap<>();
        payment.put("paymentId", rs.getString("payment_id"));
        if (rs.getString("invoice_id") != null) {
            payment.put("invoiceId", rs.getString("invoice_id"));
        }
        payment.put("amount", rs.getBigDecimal("amount"));
        if (rs.getString("source_event_id") != null) {
            payment.put("sourceEventId", rs.getString("source_event_id"));
        }
        payment.put("recordedAt", rs.getTimestamp("created_at").toInstant().toString());
        return payment;
    }

    private Map<String, Object> claimRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("claimId", rs.getString("claim_id"));
        claim.put("assessedAmount", rs.getBigDecimal("assessed_amount"));
        if (rs.getString("source_event_id") != null) {
            claim.put("sourceEventId", rs.getString("source_event_id"));
        }
        claim.put("recordedAt", rs.getTimestamp("created_at").toInstant().toString());
        return claim;
    }
}
