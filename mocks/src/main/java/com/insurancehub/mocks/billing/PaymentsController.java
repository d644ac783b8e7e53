package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.Fields;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.conflict;
import static com.insurancehub.mocks.platform.Problems.currencyCode;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Problems.positive;
import static com.insurancehub.mocks.platform.Problems.required;

/** Billing's payments of invoices, once per paymentId. */
@RestController
@RequestMapping("/billing")
public class PaymentsController extends BillingResource {

    PaymentsController(BillingStore store, BillingAccounts accounts, TransactionTemplate tx) {
        super(store, accounts, tx);
    }

    /** {@code paymentId} makes it idempotent (generated when absent). */
    public record NewPayment(String invoiceId, BigDecimal amount, String currency, String reference, String paymentId) {
    }

    /**
     * Records a payment of an OPEN invoice (0 < amount ≤ outstanding, same currency): the invoice is PAID once fully
     * paid; PaymentReceived. Idempotent by paymentId (the same paymentId for another invoice: 409 PAYMENT_ID_REUSED).
     * 404 for an unknown invoice, 409 INVOICE_PAID / INVOICE_CANCELLED for an invoice that takes no payment.
     */
    @PostMapping("/payments")
    public ResponseEntity<Payment> pay(@RequestBody NewPayment payment) {
        String invoiceId = required(payment.invoiceId(), "invoiceId");
        BigDecimal amount = positive(payment.amount(), "amount");
        currencyCode(required(payment.currency(), "currency"));
        String paymentId = blank(payment.paymentId()) ? "PAY-" + UUID.randomUUID() : payment.paymentId();
        return tx.execute(status -> {
            Invoice unlocked = store.invoice(invoiceId).orElseThrow(() -> missing("invoice " + invoiceId));
            Account account = accounts.lockOf(unlocked);
            Invoice invoice = store.lockInvoice(invoiceId);
            Optional<Payment> recorded = store.payment(paymentId);
            if (recorded.isPresent()) {
                if (!invoiceId.equals(recorded.get().invoiceId())) {
                    throw conflict("PAYMENT_ID_REUSED", "payment " + paymentId + " was recorded for invoice "
                            + recorded.get().invoiceId());
                }
                return ResponseEntity.ok(recorded.get());
            }
            if (!Invoice.OPEN.equals(invoice.status())) {
                throw conflict("INVOICE_" + invoice.status(), "invoice " + invoiceId + " is " + invoice.status()
                        + ": it takes no payment");
            }
            if (!payment.currency().equals(invoice.currency())) {
                throw invalid("currency", "invoice " + invoiceId + " is in " + invoice.currency() + ", not "
                        + payment.currency());
            }
            BigDecimal outstanding = invoice.outstanding();
            if (amount.compareTo(outstanding) > 0) {
                throw invalid("amount", "amount " + amount + " exceeds the outstanding " + outstanding + " of invoice "
                        + invoiceId);
            }
            String invoiceStatus = amount.compareTo(outstanding) == 0 ? Invoice.PAID : Invoice.OPEN;
            store.addPaid(invoiceId, amount, invoiceStatus);
            store.insertPayment(paymentId, invoiceId, account.accountId(), invoice.policyId(), amount,
                    payment.currency(), payment.reference(), invoiceStatus);
            Invoice paid = store.invoice(invoiceId).orElseThrow();
            accounts.emit(account, "PaymentReceived", Fields.of("paymentId", paymentId, "invoiceId", invoiceId,
                    "amount", amount, "currency", payment.currency(), "reference", payment.reference(),
                    "invoiceStatus", invoiceStatus, "invoiceAmount", paid.amount(), "invoiceAmountPaid",
                    paid.amountPaid(), "outstanding", paid.outstanding()));
            return ResponseEntity.status(HttpStatus.CREATED).body(store.payment(paymentId).orElseThrow());
        });
    }

    @GetMapping("/payments/{paymentId}")
    public Payment payment(@PathVariable String paymentId) {
        return store.payment(paymentId).orElseThrow(() -> missing("payment " + paymentId));
    }

    @GetMapping("/payments")
    public List<Payment> payments(@RequestParam(required = false) String policyId,
                                  @RequestParam(required = false) String invoiceId) {
        return store.payments(policyId, invoiceId);
    }
}
