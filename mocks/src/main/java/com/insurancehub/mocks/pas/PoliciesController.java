package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.Fields;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.conflict;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Problems.problem;
import static com.insurancehub.mocks.pas.Policy.CANCELLED;
import static com.insurancehub.mocks.pas.Policy.ISSUED;
import static com.insurancehub.mocks.pas.Policy.PENDING;

/** PAS's policies: created (ISSUED, or PENDING then issued), cancelled, read. */
@RestController
@RequestMapping("/pas")
public class PoliciesController extends PolicyResource {

    PoliciesController(PasStore store, PolicyAdministrationMock pas, TransactionTemplate tx) {
        super(store, pas, tx);
    }

    /** {@code status} is optional: ISSUED (the default) or PENDING (issued later by {@code /issuance}). */
    public record NewPolicy(String quoteId, String customerId, String product, BigDecimal premium, String currency,
                            String status) {
    }

    /** {@code effectiveDate} defaults to today (UTC). */
    public record Cancellation(String reason, LocalDate effectiveDate) {
    }

    /** Thrown inside the transaction after both writes, so that it rolls back. */
    static final class SimulatedFailure extends RuntimeException {
        SimulatedFailure() {
            super("simulated failure after the outbox write, transaction rolled back");
        }
    }

    @ExceptionHandler(SimulatedFailure.class)
    ResponseEntity<Map<String, Object>> rolledBack(SimulatedFailure e) {
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
    }

    @PostMapping("/policies")
    public ResponseEntity<Policy> create(@RequestBody NewPolicy policy,
                                         @RequestHeader(value = "X-Mock-Rollback", required = false) String rollback) {
        if (blank(policy.quoteId()) || blank(policy.customerId()) || blank(policy.product())
                || policy.premium() == null || blank(policy.currency())) {
            throw invalid("quoteId, customerId, product, premium and currency are required");
        }
        if (policy.currency().length() != 3) {
            throw invalid("currency must be an ISO 4217 code, not " + policy.currency());
        }
        String initialStatus = policy.status() == null ? ISSUED : policy.status();
        if (!ISSUED.equals(initialStatus) && !PENDING.equals(initialStatus)) {
            throw invalid("status must be ISSUED (the default) or PENDING, not " + initialStatus);
        }
        return tx.execute(status -> {
            String policyId = "P-" + UUID.randomUUID();
            if (!store.insertPolicy(policyId, policy.quoteId(), policy.customerId(), policy.product(),
                    policy.premium(), policy.currency(), initialStatus)) {
                String existingId = store.livePolicyOf(policy.quoteId()).map(Policy::policyId).orElse(null);
                throw conflict("QUOTE_ALREADY_SUBSCRIBED", "quote " + policy.quoteId()
                        + " is already subscribed by policy " + existingId).with("policyId", existingId);
            }
            Policy created = store.policy(policyId).orElseThrow();
            if (ISSUED.equals(initialStatus)) {
                pas.publish(created, "PolicyCreated", Map.of());
            }
            rollBackIf(rollback);
            return ResponseEntity.status(HttpStatus.CREATED).body(created);
        });
    }

    /**
     * Issues a PENDING policy: ISSUED, version + 1 and PolicyCreated in the outbox, in one transaction.
     * Idempotent (an ISSUED policy is answered as it is); 409 for a CANCELLED policy.
     */
    @PostMapping("/policies/{policyId}/issuance")
    public Policy issue(@PathVariable String policyId,
                        @RequestHeader(value = "X-Mock-Rollback", required = false) String rollback) {
        return tx.execute(status -> {
            Policy locked = store.lock(policyId);
            if (locked.inForce()) {
                return locked;
            }
            if (!PENDING.equals(locked.status())) {
                throw conflict("POLICY_" + locked.status(), "policy " + policyId + " is " + locked.status()
                        + ": it cannot be issued");
            }
            store.issue(policyId);
            Policy issued = store.policy(policyId).orElseThrow();
            pas.publish(issued, "PolicyCreated", Map.of());
            rollBackIf(rollback);
            return issued;
        });
    }

    /**
     * Cancels a policy: CANCELLED, version + 1 and PolicyCancelled in the outbox, in one transaction. Idempotent:
     * a policy already CANCELLED is answered as it is, with no second event. A PENDING policy, never announced
     * by a PolicyCreated, is cancelled without an event.
     */
    @PostMapping("/policies/{policyId}/cancellation")
    public Policy cancel(@PathVariable String policyId, @RequestBody(required = false) Cancellation cancellation) {
        return tx.execute(status -> cancelIfAny(policyId, cancellation))
                .orElseThrow(() -> missing("policy " + policyId));
    }

    /** Cancels the policy of a quote (a saga compensation): 200 with it, or 204 when the quote has none. */
    @PostMapping("/policies/cancellation")
    public ResponseEntity<Policy> cancelByQuote(@RequestParam String quoteId,
                                                @RequestBody(required = false) Cancellation cancellation) {
        return tx.execute(status -> store.policyIdOf(quoteId).flatMap(policyId -> cancelIfAny(policyId, cancellation)))
                .map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.noContent().build());
    }

    /** The policy CANCELLED (locked), if there is one. */
    private Optional<Policy> cancelIfAny(String policyId, Cancellation cancellation) {
        Optional<Policy> locked = store.tryLock(policyId);
        if (locked.isEmpty() || CANCELLED.equals(locked.get().status())) {
            return locked;
        }
        String previous = locked.get().status();
        String reason = cancellation == null ? null : cancellation.reason();
        LocalDate effectiveDate = cancellation == null || cancellation.effectiveDate() == null
                ? LocalDate.now(ZoneOffset.UTC) : cancellation.effectiveDate();
        store.cancel(policyId, reason, effectiveDate);
        Policy cancelled = store.policy(policyId).orElseThrow();
        if (!PENDING.equals(previous)) {
            pas.publish(cancelled, "PolicyCancelled", Fields.of("reason", reason, "effectiveDate", effectiveDate,
                    "previousStatus", previous));
        }
        return Optional.of(cancelled);
    }

    @GetMapping("/policies/{policyId}")
    public Policy get(@PathVariable String policyId) {
        return store.policy(policyId).orElseThrow(() -> missing("policy " + policyId));
    }

    @GetMapping("/policies")
    public List<Policy> list(@RequestParam(required = false) String quoteId,
                             @RequestParam(required = false) String customerId,
                             @RequestParam(required = false) String policyNumber) {
        return store.policies(quoteId, customerId, policyNumber);
    }

    private static void rollBackIf(String rollback) {
        if ("true".equalsIgnoreCase(rollback)) {
            throw new SimulatedFailure();
        }
    }
}
