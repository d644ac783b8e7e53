package com.insurancehub.mocks.billing;

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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.Fields;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.currencyCode;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.required;

/** Billing's adjustments of a policy's premium: an adjustment invoice or a credit note, once per source event. */
@RestController
@RequestMapping("/billing")
public class AdjustmentsController extends BillingResource {

    AdjustmentsController(BillingStore store, BillingAccounts accounts, TransactionTemplate tx) {
        super(store, accounts, tx);
    }

    public record NewAdjustment(String policyId, BigDecimal amountDelta, String reason, String sourceEventId,
                                String currency, String customerId) {
    }

    /**
     * Adjusts the policy's billing by {@code amountDelta} (≠ 0): a positive delta issues an OPEN ADJUSTMENT invoice
     * (due in 30 days), a negative one a CREDIT_NOTE (credit on the account, refunded at termination); InvoiceAdjusted.
     * Idempotent by sourceEventId (required). 409 ACCOUNT_CLOSED when billing of the policy was stopped.
     */
    @PostMapping("/adjustments")
    public ResponseEntity<Adjustment> adjust(@RequestBody NewAdjustment adjustment) {
        String policyId = required(adjustment.policyId(), "policyId");
        BigDecimal delta = adjustment.amountDelta();
        if (delta == null || delta.signum() == 0) {
            throw invalid("amountDelta", "amountDelta is required and must not be 0");
        }
        if (blank(adjustment.sourceEventId())) {
            throw invalid("sourceEventId", "sourceEventId is required (it makes the adjustment idempotent)");
        }
        if (!blank(adjustment.currency())) {
            currencyCode(adjustment.currency());
        }
        return tx.execute(status -> {
            Account account = accounts.lockOf(policyId, adjustment.customerId());
            Optional<Adjustment> done = store.adjustmentMadeBy(adjustment.sourceEventId());
            if (done.isPresent()) {
                return ResponseEntity.ok(done.get());
            }
            BillingAccounts.requireOpen(account);
            String currency = !blank(adjustment.currency()) ? adjustment.currency() : accounts.currencyOf(account);
            String adjustmentId = "ADJ-" + UUID.randomUUID();
            boolean charge = delta.signum() > 0;
            String invoiceId = null;
            LocalDate dueDate = null;
            if (charge) {
                invoiceId = "I-" + UUID.randomUUID();
                dueDate = LocalDate.now(ZoneOffset.UTC).plusDays(BillingMock.PAYMENT_TERM_DAYS);
                store.insertInvoice(invoiceId, account.accountId(), policyId, "ADJUSTMENT", delta, currency, dueDate,
                        null);
            } else {
                store.addCredit(account.accountId(), delta.negate());
            }
            store.insertAdjustment(adjustmentId, account.accountId(), policyId, charge ? "INVOICE" : "CREDIT_NOTE",
                    delta, currency, invoiceId, adjustment.reason(), adjustment.sourceEventId());
            Adjustment made = store.adjustment(adjustmentId).orElseThrow();
            Map<String, Object> fields = Fields.of("adjustmentId", made.adjustmentId(), "kind", made.kind(),
                    "amountDelta", made.amountDelta(), "amount", made.amount(), "currency", made.currency(),
                    "invoiceId", made.invoiceId(), "reason", made.reason(), "sourceEventId", made.sourceEventId(),
                    "dueDate", dueDate, "invoiceStatus", charge ? Invoice.OPEN : null,
                    "creditBalance", store.account(account.accountId()).orElseThrow().creditBalance());
            accounts.emit(account, "InvoiceAdjusted", fields);
            return ResponseEntity.status(HttpStatus.CREATED).body(made);
        });
    }

    @GetMapping("/adjustments")
    public List<Adjustment> adjustments(@RequestParam String policyId) {
        return store.adjustmentsOf(policyId);
    }
}
