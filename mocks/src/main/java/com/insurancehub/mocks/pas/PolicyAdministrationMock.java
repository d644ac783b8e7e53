package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import static com.insurancehub.mocks.platform.Problems.notFound;
import static com.insurancehub.mocks.platform.Problems.problem;

/**
 * PAS (Policy Administration): the system of record for policies. Every change of a policy and its event row
 * in {@code pas.outbox} are written in one database transaction (transactional outbox, relayed by Debezium):
 * an event exists exactly when its change is committed. {@code X-Mock-Rollback: true} makes a creation fail
 * after both writes, to prove that a rolled-back transaction publishes nothing.
 */
@RestController
@RequestMapping("/pas")
public class PolicyAdministrationMock implements MockSystem {

    private static final String OUTBOX = "pas.outbox";
    private static final String PENDING = "PENDING";
    private static final String ISSUED = "ISSUED";
    private static final String CANCELLED = "CANCELLED";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;

    public PolicyAdministrationMock(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Outbox outbox) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
        this.outbox = outbox;
    }

    @Override
    public String base() {
        return "pas";
    }

    /** {@code status} is optional: ISSUED (the default) or PENDING (issued later by {@code /issuance}). */
    public record NewPolicy(String quoteId, String customerId, String product, BigDecimal premium, String currency,
                            String status) {
    }

    public record Cancellation(String reason) {
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
                    Map<String, Object> conflict = new LinkedHashMap<>();
                    conflict.put("status", 409);
                    conflict.put("detail", "quote " + policy.quoteId() + " is already subscribed by policy " + existingId);
                    conflict.put("policyId", existingId);
                    return ResponseEntity.status(HttpStatus.CONFLICT).body(conflict);
                }
                Map<String, Object> created = find(policyId).get(0);
                if (ISSUED.equals(initialStatus)) {
                    publishCreated(created, traceparent);
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
                List<Map<String, Object>> locked = jdbc.query(
                        "SELECT * FROM pas.policies WHERE policy_id = ? FOR UPDATE", this::row, policyId);
                if (locked.isEmpty()) {
                    return notFound("policy " + policyId);
                }
                String current = (String) locked.get(0).get("status");
                if (ISSUED.equals(current)) {
                    return ResponseEntity.ok(locked.get(0));
                }
                if (!PENDING.equals(current)) {
                    return problem(HttpStatus.CONFLICT, "policy " + policyId + " is " + current + ": it cannot be issued");
                }
                jdbc.update("""
                        UPDATE pas.policies SET status = 'ISSUED', version = version + 1, updated_at = now()
                        WHERE policy_id = ?""", policyId);
                Map<String, Object> issued = find(policyId).get(0);
                publishCreated(issued, traceparent);
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
        String reason = cancellation == null ? null : cancellation.reason();
        Map<String, Object> policy = tx.execute(status -> cancelInTransaction(policyId, reason, traceparent));
        return policy == null ? notFound("policy " + policyId) : ResponseEntity.ok(policy);
    }

    /** Cancels the policy of a quote (a saga compensation): 200 with it, or 204 when the quote has none. */
    @PostMapping("/policies/cancellation")
    public ResponseEntity<Map<String, Object>> cancelByQuote(@RequestParam String quoteId,
                                                             @RequestBody(required = false) Cancellation cancellation,
                                                             @RequestHeader(value = "traceparent", required = false) String traceparent) {
        String reason = cancellation == null ? null : cancellation.reason();
        Map<String, Object> policy = tx.execute(status -> {
            List<String> ids = jdbc.queryForList("SELECT policy_id FROM pas.policies WHERE quote_id = ?", String.class,
                    quoteId);
            return ids.isEmpty() ? null : cancelInTransaction(ids.get(0), reason, traceparent);
        });
        return policy == null ? ResponseEntity.noContent().build() : ResponseEntity.ok(policy);
    }

    /** null when there is no such policy. */
    private Map<String, Object> cancelInTransaction(String policyId, String reason, String traceparent) {
        List<Map<String, Object>> locked = jdbc.query("SELECT * FROM pas.policies WHERE policy_id = ? FOR UPDATE",
                this::row, policyId);
        if (locked.isEmpty()) {
            return null;
        }
        String previous = (String) locked.get(0).get("status");
        if (CANCELLED.equals(previous)) {
            return locked.get(0);
        }
        jdbc.update("""
                UPDATE pas.policies SET status = 'CANCELLED', version = version + 1, cancellation_reason = ?,
                                        updated_at = now()
                WHERE policy_id = ?""", reason, policyId);
        Map<String, Object> policy = find(policyId).get(0);
        if (ISSUED.equals(previous)) {
            Map<String, Object> payload = payload(policy, "policyId", "policyNumber", "quoteId", "customerId", "status");
            payload.put("reason", reason);
            outbox.write(OUTBOX, "policy", policyId, (Integer) policy.get("version"), "PolicyCancelled", payload,
                    traceparent);
        }
        return policy;
    }

    private void publishCreated(Map<String, Object> policy, String traceparent) {
        outbox.write(OUTBOX, "policy", (String) policy.get("policyId"), (Integer) policy.get("version"), "PolicyCreated",
                payload(policy, "policyId", "policyNumber", "quoteId", "customerId", "product", "premium", "currency",
                        "status"), traceparent);
    }

    @GetMapping("/policies/{policyId}")
    public ResponseEntity<Map<String, Object>> get(@PathVariable String policyId) {
        List<Map<String, Object>> found = find(policyId);
        return found.isEmpty() ? notFound("policy " + policyId) : ResponseEntity.ok(found.get(0));
    }

    @GetMapping("/policies")
    public List<Map<String, Object>> list(@RequestParam(required = false) String quoteId,
                                          @RequestParam(required = false) String customerId) {
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
        sql.append(" ORDER BY created_at, policy_id LIMIT 1000");
        return jdbc.query(sql.toString(), this::row, args.toArray());
    }

    private List<Map<String, Object>> find(String policyId) {
        return jdbc.query("SELECT * FROM pas.policies WHERE policy_id = ?", this::row, policyId);
    }

    private static Map<String, Object> payload(Map<String, Object> policy, String... fields) {
        Map<String, Object> payload = new LinkedHashMap<>();
        for (String field : fields) {
            payload.put(field, policy.get(field));
        }
        return payload;
    }

    private Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("policyId", rs.getString("policy_id"));
        policy.put("policyNumber", rs.getString("policy_number"));
        policy.put("quoteId", rs.getString("quote_id"));
        policy.put("customerId", rs.getString("customer_id"));
        policy.put("product", rs.getString("product"));
        policy.put("premium", rs.getBigDecimal("premium"));
        policy.put("currency", rs.getString("currency"));
        policy.put("status", rs.getString("status"));
        policy.put("version", rs.getInt("version"));
        if (rs.getString("cancellation_reason") != null) {
            policy.put("cancellationReason", rs.getString("cancellation_reason"));
        }
        policy.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        policy.put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString());
        return policy;
    }
}
