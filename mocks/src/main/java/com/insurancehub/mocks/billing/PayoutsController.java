package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.Fields;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.conflict;
import static com.insurancehub.mocks.platform.Problems.currencyCode;
import static com.insurancehub.mocks.platform.Problems.positive;
import static com.insurancehub.mocks.platform.Problems.required;

/** Billing's payouts of settled claims, one per claim. */
@RestController
@RequestMapping("/billing")
public class PayoutsController extends BillingResource {

    PayoutsController(BillingStore store, BillingAccounts accounts, TransactionTemplate tx) {
        super(store, accounts, tx);
    }

    public record NewPayout(String claimId, String policyId, BigDecimal amount, String currency, String sourceEventId,
                            String customerId) {
    }

    /**
     * Pays a settled claim out: PayoutIssued. One payout per claim: a repeat (same claimId or sourceEventId) with the
     * same amount answers 200 with it; the same claim with another amount is a 409 CLAIM_ALREADY_PAID_OUT. Allowed on a
     * CLOSED account (a claim of the covered period may be settled after the policy ended).
     */
    @PostMapping("/payouts")
    public ResponseEntity<Payout> payout(@RequestBody NewPayout payout) {
        String claimId = required(payout.claimId(), "claimId");
        String policyId = required(payout.policyId(), "policyId");
        BigDecimal amount = positive(payout.amount(), "amount");
        String currency = currencyCode(required(payout.currency(), "currency"));
        String sourceEventId = blank(payout.sourceEventId()) ? null : payout.sourceEventId();
        return tx.execute(status -> {
            Account account = accounts.lockOf(policyId, payout.customerId());
            Optional<Payout> done = store.payoutOf(claimId, sourceEventId);
            if (done.isPresent()) {
                if (claimId.equals(done.get().claimId()) && amount.compareTo(done.get().amount()) != 0) {
                    throw conflict("CLAIM_ALREADY_PAID_OUT", "claim " + claimId + " was already paid out with "
                            + done.get().amount());
                }
                return ResponseEntity.ok(done.get());
            }
            String payoutId = "PO-" + UUID.randomUUID();
            store.insertPayout(payoutId, claimId, account.accountId(), policyId, amount, currency, sourceEventId);
            Payout issued = store.payout(payoutId).orElseThrow();
            accounts.emit(account, "PayoutIssued", Fields.of("payoutId", payoutId, "claimId", claimId,
                    "amount", issued.amount(), "currency", issued.currency(), "status", issued.status(),
                    "sourceEventId", issued.sourceEventId()));
            return ResponseEntity.status(HttpStatus.CREATED).body(issued);
        });
    }

    @GetMapping("/payouts")
    public List<Payout> payouts(@RequestParam(required = false) String policyId,
                                @RequestParam(required = false) String claimId) {
        return store.payouts(policyId, claimId);
    }
}
