package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
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

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.currencyCode;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;

/** Billing's premium invoices: issued once per source event on the policy's account. */
@RestController
@RequestMapping("/billing")
public class InvoicesController extends BillingResource {

    InvoicesController(BillingStore store, BillingAccounts accounts, TransactionTemplate tx) {
        super(store, accounts, tx);
    }

    /** {@code dueDate} defaults to today + 30 days; {@code customerId} is used if the account has to be opened. */
    public record NewInvoice(String policyId, BigDecimal amount, String currency, String sourceEventId,
                             LocalDate dueDate, String customerId) {
    }

    /**
     * Issues an OPEN invoice for the policy on its account (opened on demand), due on {@code dueDate} (default in 30
     * days): InvoiceIssued. Idempotent by sourceEventId: a repeat answers 200 with the invoice already issued and
     * writes no second InvoiceIssued. 409 ACCOUNT_CLOSED when billing of the policy was stopped.
     */
    @PostMapping("/invoices")
    public ResponseEntity<Invoice> invoice(@RequestBody NewInvoice invoice) {
        if (blank(invoice.policyId()) || invoice.amount() == null || blank(invoice.currency())) {
            throw invalid("policyId, amount and currency are required");
        }
        if (invoice.amount().signum() <= 0) {
            throw invalid("amount", "amount must be > 0, not " + invoice.amount());
        }
        currencyCode(invoice.currency());
        String sourceEventId = blank(invoice.sourceEventId()) ? null : invoice.sourceEventId();
        return tx.execute(status -> {
            if (sourceEventId != null) {
                var issued = store.invoiceIssuedBy(sourceEventId);
                if (issued.isPresent()) {
                    return ResponseEntity.ok(issued.get());
                }
            }
            Account account = accounts.lockOf(invoice.policyId(), invoice.customerId());
            BillingAccounts.requireOpen(account);
            String invoiceId = "I-" + UUID.randomUUID();
            LocalDate dueDate = invoice.dueDate() != null ? invoice.dueDate()
                    : LocalDate.now(ZoneOffset.UTC).plusDays(BillingMock.PAYMENT_TERM_DAYS);
            if (!store.insertInvoice(invoiceId, account.accountId(), invoice.policyId(), "PREMIUM", invoice.amount(),
                    invoice.currency(), dueDate, sourceEventId)) {
                return ResponseEntity.ok(store.invoiceIssuedBy(sourceEventId).orElseThrow());
            }
            Invoice issued = store.invoice(invoiceId).orElseThrow();
            accounts.emit(account, "InvoiceIssued", issued.eventFields());
            return ResponseEntity.status(HttpStatus.CREATED).body(issued);
        });
    }

    @GetMapping("/invoices/{invoiceId}")
    public Invoice invoice(@PathVariable String invoiceId) {
        return store.invoice(invoiceId).orElseThrow(() -> missing("invoice " + invoiceId));
    }

    @GetMapping("/invoices")
    public List<Invoice> invoices(@RequestParam String policyId, @RequestParam(required = false) String status) {
        return store.invoicesOf(policyId, status);
    }
}
