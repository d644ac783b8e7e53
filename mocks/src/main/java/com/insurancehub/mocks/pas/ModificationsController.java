package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.Fields;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.conflict;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Problems.required;

/** PAS's modifications (endorsements) of a policy in force: premium, product, coverage. */
@RestController
@RequestMapping("/pas")
public class ModificationsController extends PolicyResource {

    private static final Set<String> PRODUCTS = Set.of("AUTO", "HOME");

    ModificationsController(PasStore store, PolicyAdministrationMock pas, TransactionTemplate tx) {
        super(store, pas, tx);
    }

    /** At least one of premium, product, coverage; {@code requestId} makes it idempotent. */
    public record NewModification(BigDecimal premium, String product, JsonNode coverage, String reason,
                                  String requestId) {
    }

    /**
     * Modifies an ISSUED or ACTIVE policy (premium, product, coverage): version + 1 and PolicyModified (with
     * previousPremium and premiumDelta). 201 with the policy and its {@code modification}; the same requestId again
     * answers 200 with the policy as it is now and the modification already made, and writes nothing.
     */
    @PostMapping("/policies/{policyId}/modifications")
    public ResponseEntity<PolicyChange> modify(@PathVariable String policyId,
                                               @RequestBody NewModification modification) {
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
        String reason = required(modification.reason(), "reason");
        String requestId = blank(modification.requestId()) ? null : modification.requestId();
        return tx.execute(status -> {
            Policy policy = store.lock(policyId);
            if (requestId != null) {
                Optional<PolicyModification> done = store.modificationRequested(policyId, requestId);
                if (done.isPresent()) {
                    return ResponseEntity.ok(PolicyChange.of(policy, done.get()));
                }
            }
            if (!policy.inForce()) {
                throw conflict("POLICY_" + policy.status(), "policy " + policyId + " is " + policy.status()
                        + ": only an ISSUED or ACTIVE policy can be modified");
            }
            BigDecimal premium = modification.premium() != null ? modification.premium() : policy.premium();
            String product = blank(modification.product()) ? policy.product() : modification.product();
            store.modify(policyId, premium, product, modification.coverage());
            Policy modified = store.policy(policyId).orElseThrow();
            String modificationId = "MOD-" + UUID.randomUUID();
            store.insertModification(modificationId, policyId, requestId, policy.premium(), premium, policy.product(),
                    product, modification.coverage(), reason, modified.version());
            PolicyModification made = store.modification(modificationId).orElseThrow();
            pas.publish(modified, "PolicyModified", Fields.of("modificationId", modificationId,
                    "requestId", requestId, "reason", reason, "previousPremium", policy.premium(),
                    "premiumDelta", made.premiumDelta(), "previousProduct", policy.product()));
            return ResponseEntity.status(HttpStatus.CREATED).body(PolicyChange.of(modified, made));
        });
    }

    /** The modifications of a policy, oldest first. */
    @GetMapping("/policies/{policyId}/modifications")
    public List<PolicyModification> modifications(@PathVariable String policyId) {
        store.policy(policyId).orElseThrow(() -> missing("policy " + policyId));
        return store.modificationsOf(policyId);
    }
}
