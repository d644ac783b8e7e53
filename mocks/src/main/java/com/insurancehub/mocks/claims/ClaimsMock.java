package com.insurancehub.mocks.claims;

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
import static com.insurancehub.mocks.platform.Problems.conflict;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Problems.notFound;

/**
 * Claims: the system of record for claims. OPEN → ASSESSED (accepted) or REJECTED → SETTLED (accepted ones only).
 * Every change and its event row in {@code claims.outbox} (aggregate {@code claim}, id = claimId, version = the
 * claim's version after the change) are written in one transaction; every event's data carries the claim's snapshot.
 * Claims does not check the policy with PAS (the mocks never call each other): the hub does, before opening a claim.
 */
@RestController
@RequestMapping("/claims")
public class ClaimsMock implements MockSystem {

    private static final String OUTBOX = "claims.outbox";
    private static final String AGGREGATE = "claim";
    private static final String OPEN = "OPEN";
    private static final String ASSESSED = "ASSESSED";
    private static final String REJECTED = "REJECTED";
    private static final String SETTLED = "SETTLED";
    private static final String ACCEPTED = "ACCEPTED";

    /** The fields of the claim snapshot every claim event's data carries (those with a value). */
    static final String[] SNAPSHOT = {"claimId", "claimNumber", "policyId", "policyNumber", "customerId", "description",
            "incidentDate", "claimedAmount", "currency", "status", "version", "decision", "assessedAmount",
            "assessmentNotes", "settledAmount"};

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;

    public ClaimsMock(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Outbox outbox) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
        this.outbox = outbox;
    }

    @Override
    public String base() {
        return "claims";
    }

    public record NewClaim(String policyId, String policyNumber, String customerId, String description,
                           LocalDate incidentDate, BigDecimal claimedAmount, String currency, String requestId) {
    }

    public record Assessment(String decision, BigDecimal assessedAmount, String notes) {
    }

    public record Settlement(BigDecimal amount) {
    }

    /** 201 with a new OPEN claim and ClaimOpened; with a requestId already used, 200 with that claim and no event. */
    @PostMapping("/claims")
    public ResponseEntity<Map<String, Object>> open(@RequestBody NewClaim claim,
                                                    @RequestHeader(value = "traceparent", required = false) String traceparent) {
        require(claim.policyId(), "policyId");
        require(claim.customerId(), "customerId");
        require(claim.description(), "description");
        if (claim.incidentDate() == null) {
            throw invalid("incidentDate", "incidentDate (yyyy-MM-dd) is required");
        }
        if (claim.incidentDate().isAfter(LocalDate.now(ZoneOffset.UTC))) {
            throw invalid("incidentDate", "incidentDate must not be in the future, not " + claim.incidentDate());
        }
        if (claim.claimedAmount() == null || claim.claimedAmount().signum() <= 0) {
            throw invalid("claimedAmount", "claimedAmount is required and must be > 0");
        }
        if (blank(claim.currency()) || !claim.currency().matches("[A-Z]{3}")) {
            throw invalid("currency", "currency must be an ISO 4217 code, not " + claim.currency());
        }
        String requestId = blank(claim.requestId()) ? null : claim.requestId();
        return tx.execute(status -> {
            String claimId = "CLM-" + UUID.randomUUID();
            int inserted = jdbc.update("""
                    INSERT INTO claims.claims (claim_id, claim_number, policy_id, policy_number, customer_id, description,
                                               incident_date, claimed_amount, currency, status, request_id, version)
                    VALUES (?, 'CLA-' || lpad(nextval('claims.claim_numbers')::text, 8, '0'), ?, ?, ?, ?, ?, ?, ?,
                            'OPEN', ?, 1)
                    ON CONFLICT (request_id) DO NOTHING""",
                    claimId, claim.policyId(), blank(claim.policyNumber()) ? null : claim.policyNumber(),
                    claim.customerId(), claim.description(), Date.valueOf(claim.incidentDate()), claim.claimedAmount(),
                    claim.currency(), requestId);
            if (inserted == 0) {
                return ResponseEntity.ok(jdbc.query("SELECT * FROM claims.claims WHERE request_id = ?", this::row,
                        requestId).get(0));
            }
            Map<String, Object> opened = find(claimId).get(0);
            publish(opened, "ClaimOpened", Map.of(), traceparent);
            return ResponseEntity.status(HttpStatus.CREATED).body(opened);
        });
    }

    /**
     * OPEN → ASSESSED (ACCEPTED, assessedAmount required, 0 < assessedAmount ≤ claimedAmount) or REJECTED
     * (assessedAmount 0), version + 1 and ClaimAssessed. The same decision and amount again answer 200 with the claim
     * and write nothing; another decision or amount on an assessed claim is a 409 (reason CLAIM_ALREADY_ASSESSED).
     */
    @PostMapping("/claims/{claimId}/assessment")
    public ResponseEntity<Map<String, Object>> assess(@PathVariable String claimId, @RequestBody Assessment assessment,
                                                      @RequestHeader(value = "traceparent", required = false) String traceparent) {
        String decision = assessment.decision();
        if (!ACCEPTED.equals(decision) && !REJECTED.equals(decision)) {
            throw invalid("decision", "decision must be ACCEPTED or REJECTED, not " + decision);
        }
        BigDecimal amount;
        if (ACCEPTED.equals(decision)) {
            if (assessment.assessedAmount() == null || assessment.assessedAmount().signum() <= 0) {
                throw invalid("assessedAmount", "an ACCEPTED claim needs an assessedAmount > 0");
            }
            amount = assessment.assessedAmount();
        } else {
            if (assessment.assessedAmount() != null && assessment.assessedAmount().signum() != 0) {
                throw invalid("assessedAmount", "a REJECTED claim has no assessedAmount (or 0)");
            }
            amount = BigDecimal.ZERO;
        }
        return tx.execute(status -> {
            Map<String, Object> claim = lock(claimId);
            String current = (String) claim.get("status");
            if (!OPEN.equals(current)) {
                if (decision.equals(claim.get("decision"))
                        && amount.compareTo((BigDecimal) claim.get("assessedAmount")) == 0) {
                    return ResponseEntity.ok(claim);
                }
                throw conflict("CLAIM_ALREADY_ASSESSED", "claim " + claimId + " is " + current + " (" + claim.get("decision")
                        + ", " + claim.get("assessedAmount") + "): it cannot be assessed again");
            }
            if (amount.compareTo((BigDecimal) claim.get("claimedAmount")) > 0) {
                throw invalid("assessedAmount", "assessedAmount " + amount + " exceeds the claimed amount "
                        + claim.get("claimedAmount"));
            }
            jdbc.update("""
                    UPDATE claims.claims SET status = ?, decision = ?, assessed_amount = ?, assessment_notes = ?,
                                             assessed_at = now(), version = version + 1, updated_at = now()
                    WHERE claim_id = ?""", ACCEPTED.equals(decision) ? ASSESSED : REJECTED, decision, amount,
                    assessment.notes(), claimId);
            Map<String, Object> assessed = find(claimId).get(0);
            publish(assessed, "ClaimAssessed", Map.of(), traceparent);
            return ResponseEntity.ok(assessed);
        });
    }

    /**
     * ASSESSED (accepted) → SETTLED with {@code amount} (default: the assessed amount; must be > 0 and ≤ the assessed
     * amount, else 400), version + 1 and ClaimSettled. The same amount again answers 200 and writes nothing; 409 when
     * the claim is OPEN (CLAIM_NOT_ASSESSED), REJECTED (CLAIM_REJECTED) or settled with another amount
     * (CLAIM_ALREADY_SETTLED).
     */
    @PostMapping("/claims/{claimId}/settlement")
    public ResponseEntity<Map<String, Object>> settle(@PathVariable String claimId,
                                                      @RequestBody(required = false) Settlement settlement,
                                                      @RequestHeader(value = "traceparent", required = false) String traceparent) {
        BigDecimal requested = settlement == null ? null : settlement.amount();
        if (requested != null && requested.signum() <= 0) {
            throw invalid("amount", "amount must be > 0, not " + requested);
        }
        return tx.execute(status -> {
            Map<String, Object> claim = lock(claimId);
            String current = (String) claim.get("status");
            BigDecimal assessed = (BigDecimal) claim.get("assessedAmount");
            BigDecimal amount = requested != null ? requested : assessed;
            switch (current) {
                case OPEN -> throw conflict("CLAIM_NOT_ASSESSED", "claim " + claimId + " is OPEN: it must be assessed first");
                case REJECTED -> throw conflict("CLAIM_REJECTED", "claim " + claimId + " was REJECTED: nothing to settle");
                case SETTLED -> {
                    if (amount.compareTo((BigDecimal) claim.get("settledAmount")) == 0) {
                        return ResponseEntity.ok(claim);
                    }
                    throw conflict("CLAIM_ALREADY_SETTLED", "claim " + claimId + " is already settled with "
                            + claim.get("settledAmount"));
                }
                default -> {
                }
            }
            if (amount.compareTo(assessed) > 0) {
                throw invalid("amount", "amount " + amount + " exceeds the assessed amount " + assessed);
            }
            jdbc.update("""
                    UPDATE claims.claims SET status = 'SETTLED', settled_amount = ?, settled_at = now(),
                                             version = version + 1, updated_at = now()
                    WHERE claim_id = ?""", amount, claimId);
            Map<String, Object> settled = find(claimId).get(0);
            publish(settled, "ClaimSettled", Map.of("amount", amount), traceparent);
            return ResponseEntity.ok(settled);
        });
    }

    @GetMapping("/claims/{claimId}")
    public ResponseEntity<Map<String, Object>> get(@PathVariable String claimId) {
        List<Map<String, Object>> found = find(claimId);
        return found.isEmpty() ? notFound("claim " + claimId) : ResponseEntity.ok(found.get(0));
    }

    /** Oldest first; both filters optional. */
    @GetMapping("/claims")
    public List<Map<String, Object>> list(@RequestParam(required = false) String policyId,
                                          @RequestParam(required = false) String customerId) {
        StringBuilder sql = new StringBuilder("SELECT * FROM claims.claims WHERE true");
        List<Object> args = new ArrayList<>();
        if (policyId != null) {
            sql.append(" AND policy_id = ?");
            args.add(policyId);
        }
        if (customerId != null) {
            sql.append(" AND customer_id = ?");
            args.add(customerId);
        }
        sql.append(" ORDER BY created_at, claim_id LIMIT 1000");
        return jdbc.query(sql.toString(), this::row, args.toArray());
    }

    private void publish(Map<String, Object> claim, String eventType, Map<String, Object> extra, String traceparent) {
        Map<String, Object> payload = new LinkedHashMap<>();
        for (String field : SNAPSHOT) {
            if (claim.get(field) != null) {
                payload.put(field, claim.get(field));
            }
        }
        payload.putAll(extra);
        outbox.write(OUTBOX, AGGREGATE, (String) claim.get("claimId"), (Integer) claim.get("version"), eventType, payload,
                traceparent);
    }

    private static void require(String value, String field) {
        if (blank(value)) {
            throw invalid(field, field + " is required");
        }
    }

    private List<Map<String, Object>> find(String claimId) {
        return jdbc.query("SELECT * FROM claims.claims WHERE claim_id = ?", this::row, claimId);
    }

    private Map<String, Object> lock(String claimId) {
        List<Map<String, Object>> locked = jdbc.query("SELECT * FROM claims.claims WHERE claim_id = ? FOR UPDATE",
                this::row, claimId);
        if (locked.isEmpty()) {
            throw missing("claim " + claimId);
        }
        return locked.get(0);
    }

    private Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("claimId", rs.getString("claim_id"));
        claim.put("claimNumber", rs.getString("claim_number"));
        claim.put("policyId", rs.getString("policy_id"));
        if (rs.getString("policy_number") != null) {
            claim.put("policyNumber", rs.getString("policy_number"));
        }
        claim.put("customerId", rs.getString("customer_id"));
        claim.put("description", rs.getString("description"));
        claim.put("incidentDate", rs.getObject("incident_date", LocalDate.class).toString());
        claim.put("claimedAmount", rs.getBigDecimal("claimed_amount"));
        claim.put("currency", rs.getString("currency"));
        claim.put("status", rs.getString("status"));
        claim.put("version", rs.getInt("version"));
        if (rs.getString("decision") != null) {
            claim.put("decision", rs.getString("decision"));
            claim.put("assessedAmount", rs.getBigDecimal("assessed_amount"));
            claim.put("assessedAt", rs.getTimestamp("assessed_at").toInstant().toString());
        }
        if (rs.getString("assessment_notes") != null) {
            claim.put("assessmentNotes", rs.getString("assessment_notes"));
        }
        if (rs.getBigDecimal("settled_amount") != null) {
            claim.put("settledAmount", rs.getBigDecimal("settled_amount"));
            claim.put("settledAt", rs.getTimestamp("settled_at").toInstant().toString());
        }
        if (rs.getString("request_id") != null) {
            claim.put("requestId", rs.getString("request_id"));
        }
        claim.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        claim.put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString());
        return claim;
    }
}
