package com.insurancehub.mocks.claims;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.MockSystem;
import com.insurancehub.mocks.platform.Outbox;
import com.insurancehub.mocks.platform.Rows;
import com.insurancehub.mocks.platform.Where;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.conflict;
import static com.insurancehub.mocks.platform.Problems.currencyCode;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Problems.positive;
import static com.insurancehub.mocks.platform.Problems.required;
import static com.insurancehub.mocks.platform.Rows.first;

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

    private static final RowMapper<Claim> CLAIM = Rows.of(Claim.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;

    public ClaimsMock(JdbcTemplate jdbc, TransactionTemplate tx, Outbox outbox) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
    }

    @Override
    public String base() {
        return "claims";
    }

    @Override
    public boolean hasOutbox() {
        return true;
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
    public ResponseEntity<Claim> open(@RequestBody NewClaim claim) {
        required(claim.policyId(), "policyId");
        required(claim.customerId(), "customerId");
        required(claim.description(), "description");
        if (claim.incidentDate() == null) {
            throw invalid("incidentDate", "incidentDate (yyyy-MM-dd) is required");
        }
        if (claim.incidentDate().isAfter(LocalDate.now(ZoneOffset.UTC))) {
            throw invalid("incidentDate", "incidentDate must not be in the future, not " + claim.incidentDate());
        }
        positive(claim.claimedAmount(), "claimedAmount");
        currencyCode(claim.currency());
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
                return ResponseEntity.ok(jdbc.query("SELECT * FROM claims.claims WHERE request_id = ?", CLAIM,
                        requestId).get(0));
            }
            Claim opened = find(claimId).get(0);
            publish(opened, "ClaimOpened", Map.of());
            return ResponseEntity.status(HttpStatus.CREATED).body(opened);
        });
    }

    /**
     * OPEN → ASSESSED (ACCEPTED, assessedAmount required, 0 < assessedAmount ≤ claimedAmount) or REJECTED
     * (assessedAmount 0), version + 1 and ClaimAssessed. The same decision and amount again answer 200 with the claim
     * and write nothing; another decision or amount on an assessed claim is a 409 (reason CLAIM_ALREADY_ASSESSED).
     */
    @PostMapping("/claims/{claimId}/assessment")
    public Claim assess(@PathVariable String claimId, @RequestBody Assessment assessment) {
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
            Claim claim = lock(claimId);
            String current = claim.status();
            if (!OPEN.equals(current)) {
                if (decision.equals(claim.decision()) && amount.compareTo(claim.assessedAmount()) == 0) {
                    return claim;
                }
                throw conflict("CLAIM_ALREADY_ASSESSED", "claim " + claimId + " is " + current + " (" + claim.decision()
                        + ", " + claim.assessedAmount() + "): it cannot be assessed again");
            }
            if (amount.compareTo(claim.claimedAmount()) > 0) {
                throw invalid("assessedAmount", "assessedAmount " + amount + " exceeds the claimed amount "
                        + claim.claimedAmount());
            }
            jdbc.update("""
                    UPDATE claims.claims SET status = ?, decision = ?, assessed_amount = ?, assessment_notes = ?,
                                             assessed_at = now(), version = version + 1, updated_at = now()
                    WHERE claim_id = ?""", ACCEPTED.equals(decision) ? ASSESSED : REJECTED, decision, amount,
                    assessment.notes(), claimId);
            Claim assessed = find(claimId).get(0);
            publish(assessed, "ClaimAssessed", Map.of());
            return assessed;
        });
    }

    /**
     * ASSESSED (accepted) → SETTLED with {@code amount} (default: the assessed amount; must be > 0 and ≤ the assessed
     * amount, else 400), version + 1 and ClaimSettled. The same amount again answers 200 and writes nothing; 409 when
     * the claim is OPEN (CLAIM_NOT_ASSESSED), REJECTED (CLAIM_REJECTED) or settled with another amount
     * (CLAIM_ALREADY_SETTLED).
     */
    @PostMapping("/claims/{claimId}/settlement")
    public Claim settle(@PathVariable String claimId, @RequestBody(required = false) Settlement settlement) {
        BigDecimal requested = settlement == null ? null : settlement.amount();
        if (requested != null && requested.signum() <= 0) {
            throw invalid("amount", "amount must be > 0, not " + requested);
        }
        return tx.execute(status -> {
            Claim claim = lock(claimId);
            String current = claim.status();
            BigDecimal assessed = claim.assessedAmount();
            BigDecimal amount = requested != null ? requested : assessed;
            switch (current) {
                case OPEN -> throw conflict("CLAIM_NOT_ASSESSED", "claim " + claimId + " is OPEN: it must be assessed first");
                case REJECTED -> throw conflict("CLAIM_REJECTED", "claim " + claimId + " was REJECTED: nothing to settle");
                case SETTLED -> {
                    if (amount.compareTo(claim.settledAmount()) == 0) {
                        return claim;
                    }
                    throw conflict("CLAIM_ALREADY_SETTLED", "claim " + claimId + " is already settled with "
                            + claim.settledAmount());
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
            Claim settled = find(claimId).get(0);
            publish(settled, "ClaimSettled", Map.of("amount", amount));
            return settled;
        });
    }

    @GetMapping("/claims/{claimId}")
    public Claim get(@PathVariable String claimId) {
        return first(find(claimId)).orElseThrow(() -> missing("claim " + claimId));
    }

    /** Oldest first; both filters optional. */
    @GetMapping("/claims")
    public List<Claim> list(@RequestParam(required = false) String policyId,
                            @RequestParam(required = false) String customerId) {
        Where where = Where.filters().and("policy_id", policyId).and("customer_id", customerId);
        return jdbc.query("SELECT * FROM claims.claims" + where.sql() + " ORDER BY created_at, claim_id LIMIT 1000",
                CLAIM, where.args());
    }

    /** The claim's event: the claim snapshot at its version, then the event's own fields. */
    private void publish(Claim claim, String eventType, Map<String, Object> fields) {
        Map<String, Object> data = claim.snapshot();
        data.putAll(fields);
        outbox.write(OUTBOX, AGGREGATE, claim.claimId(), claim.version(), eventType, data);
    }

    private List<Claim> find(String claimId) {
        return jdbc.query("SELECT * FROM claims.claims WHERE claim_id = ?", CLAIM, claimId);
    }

    private Claim lock(String claimId) {
        return first(jdbc.query("SELECT * FROM claims.claims WHERE claim_id = ? FOR UPDATE", CLAIM, claimId))
                .orElseThrow(() -> missing("claim " + claimId));
    }
}
