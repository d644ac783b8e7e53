package com.insurancehub.mocks.pas;

import java.math.BigDecimal;
import java.util.Map;
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
import static com.insurancehub.mocks.platform.Problems.positive;
import static com.insurancehub.mocks.platform.Problems.required;
import static com.insurancehub.mocks.pas.Policy.ISSUED;

/** PAS's premium payments of a policy (reported by Billing through the hub); the first one activates it. */
@RestController
@RequestMapping("/pas")
public class PremiumPaymentsController extends PolicyResource {

    PremiumPaymentsController(PasStore store, PolicyAdministrationMock pas, TransactionTemplate tx) {
        super(store, pas, tx);
    }

    public record NewPremiumPayment(String invoiceId, String paymentId, BigDecimal amount, String sourceEventId) {
    }

    /**
     * Records a premium payment (once per paymentId and per sourceEventId): premiumPaid + amount, version + 1 and
     * PolicyPremiumPaid; an ISSUED policy then becomes ACTIVE, version + 1 again and PolicyActivated (two changes,
     * two events, one transaction). 201 with the policy and its {@code payment}; a repeat answers 200 and writes
     * nothing; 409 on a PENDING or CANCELLED policy.
     */
    @PostMapping("/policies/{policyId}/payments")
    public ResponseEntity<PolicyChange> pay(@PathVariable String policyId, @RequestBody NewPremiumPayment payment) {
        String paymentId = required(payment.paymentId(), "paymentId");
        BigDecimal amount = positive(payment.amount(), "amount");
        String sourceEventId = blank(payment.sourceEventId()) ? null : payment.sourceEventId();
        return tx.execute(status -> {
            Policy policy = store.lock(policyId);
            Optional<PolicyPayment> recorded = store.paymentRecorded(policyId, paymentId, sourceEventId);
            if (recorded.isPresent()) {
                return ResponseEntity.ok(PolicyChange.of(policy, recorded.get()));
            }
            if (!policy.inForce()) {
                throw conflict("POLICY_" + policy.status(), "policy " + policyId + " is " + policy.status()
                        + ": a premium payment can only be recorded on an ISSUED or ACTIVE policy");
            }
            store.insertPayment(policyId, paymentId, payment.invoiceId(), amount, sourceEventId);
            store.addPremiumPaid(policyId, amount);
            Map<String, Object> fields = Fields.of("paymentId", paymentId, "invoiceId", payment.invoiceId(),
                    "amount", amount);
            Policy paid = store.policy(policyId).orElseThrow();
            pas.publish(paid, "PolicyPremiumPaid", fields);
            if (ISSUED.equals(policy.status())) {
                store.activate(policyId);
                paid = store.policy(policyId).orElseThrow();
                pas.publish(paid, "PolicyActivated", fields);
            }
            return ResponseEntity.status(HttpStatus.CREATED)
                    .body(PolicyChange.of(paid, store.payment(policyId, paymentId).orElseThrow()));
        });
    }
}
