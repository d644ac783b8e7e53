package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
import static com.insurancehub.mocks.platform.Problems.required;

/** Billing's terminations (the end of a policy's billing) and the refunds they issue. */
@RestController
@RequestMapping("/billing")
public class TerminationsController extends BillingResource {

    private static final int COVERAGE_DAYS = 365;

    TerminationsController(BillingStore store, BillingAccounts accounts, TransactionTemplate tx) {
        super(store, accounts, tx);
    }

    public record NewTermination(String policyId, String reason, LocalDate effectiveDate, String sourceEventId,
                                 String customerId) {
    }

    /**
     * Stops the billing of a policy, in one transaction: every OPEN invoice CANCELLED (InvoiceCancelled each), the
     * refund issued (RefundIssued, when > 0), the account CLOSED (BillingAccountClosed, unless it already was).
     * Refund rule: the premium paid covers one year (365 days) from the account's opening date; refund = everything
     * paid on the policy's invoices × unused days / 365 (unused = days from effectiveDate to the end of that year,
     * 0..365, half-up to cents), plus the account's credit balance (credit notes). effectiveDate defaults to today.
     * One termination per policy: a repeat (same policy or sourceEventId) answers 200 with the first summary.
     */
    @PostMapping("/terminations")
    public ResponseEntity<Map<String, Object>> terminate(@RequestBody NewTermination termination) {
        String policyId = required(termination.policyId(), "policyId");
        String sourceEventId = blank(termination.sourceEventId()) ? null : termination.sourceEventId();
        String reason = termination.reason();
        return tx.execute(status -> {
            Account account = accounts.lockOf(policyId, termination.customerId());
            Optional<Map<String, Object>> done = store.termination(policyId, sourceEventId);
            if (done.isPresent()) {
                return ResponseEntity.ok(done.get());
            }
            String terminationId = "T-" + UUID.randomUUID();
            LocalDate effectiveDate = termination.effectiveDate() != null ? termination.effectiveDate()
                    : LocalDate.now(ZoneOffset.UTC);
            List<Map<String, Object>> cancelled = new ArrayList<>();
            for (Invoice open : store.lockOpenInvoicesOf(policyId)) {
                store.cancelInvoice(open.invoiceId(), reason);
                Invoice now = store.invoice(open.invoiceId()).orElseThrow();
                Map<String, Object> fields = now.eventFields();
                fields.put("reason", reason);
                accounts.emit(account, "InvoiceCancelled", fields);
                cancelled.add(Fields.of("invoiceId", now.invoiceId(), "kind", now.kind(), "amount", now.amount(),
                        "amountPaid", now.amountPaid(), "currency", now.currency()));
            }
            Map<String, Object> refund = refund(account, terminationId, reason, effectiveDate);
            Account closed = accounts.close(store.account(account.accountId()).orElseThrow(), reason);
            Map<String, Object> summary = Fields.of("terminationId", terminationId, "policyId", policyId,
                    "accountId", account.accountId(), "customerId", closed.customerId(), "reason", reason,
                    "effectiveDate", effectiveDate, "cancelledInvoices", cancelled, "refund", refund,
                    "accountStatus", closed.status(), "accountVersion", closed.version(),
                    "sourceEventId", sourceEventId);
            store.insertTermination(terminationId, policyId, account.accountId(), reason, effectiveDate, sourceEventId,
                    summary);
            return ResponseEntity.status(HttpStatus.CREATED).body(summary);
        });
    }

    /** The refund of the termination with its RefundIssued, or null when there is nothing to refund. */
    private Map<String, Object> refund(Account account, String terminationId, String reason, LocalDate effectiveDate) {
        BigDecimal paid = store.paidOn(account.policyId());
        BigDecimal credit = account.creditBalance();
        LocalDate start = LocalDate.ofInstant(account.createdAt(), ZoneOffset.UTC);
        long unusedDays = Math.max(0, Math.min(COVERAGE_DAYS,
                ChronoUnit.DAYS.between(effectiveDate, start.plusDays(COVERAGE_DAYS))));
        BigDecimal prorata = paid.multiply(BigDecimal.valueOf(unusedDays))
                .divide(BigDecimal.valueOf(COVERAGE_DAYS), 2, RoundingMode.HALF_UP);
        BigDecimal amount = prorata.add(credit).setScale(2, RoundingMode.HALF_UP);
        if (amount.signum() <= 0) {
            return null;
        }
        String refundId = "RF-" + UUID.randomUUID();
        String currency = accounts.currencyOf(account);
        store.insertRefund(refundId, account.accountId(), account.policyId(), terminationId, amount, currency, reason);
        store.clearCredit(account.accountId());
        accounts.emit(account, "RefundIssued", Fields.of("refundId", refundId, "terminationId", terminationId,
                "amount", amount, "currency", currency, "reason", reason, "effectiveDate", effectiveDate,
                "premiumPaid", paid, "unusedDays", unusedDays, "creditApplied", credit));
        return Fields.of("refundId", refundId, "amount", amount, "currency", currency, "premiumPaid", paid,
                "unusedDays", unusedDays, "creditApplied", credit);
    }

    @GetMapping("/terminations")
    public List<Map<String, Object>> terminations(@RequestParam String policyId) {
        return store.terminationsOf(policyId);
    }

    @GetMapping("/refunds")
    public List<Refund> refunds(@RequestParam String policyId) {
        return store.refundsOf(policyId);
    }
}
