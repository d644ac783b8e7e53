package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.Fields;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.conflict;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.required;
import static com.insurancehub.mocks.pas.Policy.PENDING;

/** PAS's count of the assessed claims of a policy (reported by Claims through the hub). */
@RestController
@RequestMapping("/pas")
public class PolicyClaimsController extends PolicyResource {

    PolicyClaimsController(PasStore store, PolicyAdministrationMock pas, TransactionTemplate tx) {
        super(store, pas, tx);
    }

    public record AssessedClaim(String claimId, BigDecimal assessedAmount, String sourceEventId) {
    }

    /**
     * Counts an assessed claim on the policy, once per claimId (and per sourceEventId): claimCount + 1, claimedTotal +
     * assessedAmount, version + 1 and PolicyClaimsUpdated. Allowed on ISSUED, ACTIVE and CANCELLED policies (an
     * incident of the covered period may be assessed after the cancellation); 409 on a PENDING one. 201 with the policy
     * and its {@code claim}; a repeat answers 200 and writes nothing.
     */
    @PostMapping("/policies/{policyId}/claims")
    public ResponseEntity<PolicyChange> claim(@PathVariable String policyId, @RequestBody AssessedClaim claim) {
        String claimId = required(claim.claimId(), "claimId");
        BigDecimal amount = claim.assessedAmount();
        if (amount == null || amount.signum() < 0) {
            throw invalid("assessedAmount", "assessedAmount is required and must be >= 0");
        }
        String sourceEventId = blank(claim.sourceEventId()) ? null : claim.sourceEventId();
        return tx.execute(status -> {
            Policy policy = store.lock(policyId);
            Optional<PolicyClaim> counted = store.claimCounted(policyId, claimId, sourceEventId);
            if (counted.isPresent()) {
                return ResponseEntity.ok(PolicyChange.of(policy, counted.get()));
            }
            if (PENDING.equals(policy.status())) {
                throw conflict("POLICY_PENDING", "policy " + policyId + " is PENDING: it has not been issued");
            }
            store.insertClaim(policyId, claimId, amount, sourceEventId);
            store.countClaim(policyId, amount);
            Policy updated = store.policy(policyId).orElseThrow();
            pas.publish(updated, "PolicyClaimsUpdated", Fields.of("claimId", claimId, "assessedAmount", amount));
            return ResponseEntity.status(HttpStatus.CREATED)
                    .body(PolicyChange.of(updated, store.claim(policyId, claimId).orElseThrow()));
        });
    }
}
