package com.insurancehub.mocks.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import static com.insurancehub.mocks.platform.Problems.invalid;

/** Billing's dunning runs: overdue invoices one dunning level up, each with its PaymentOverdue. */
@RestController
@RequestMapping("/billing")
public class DunningController extends BillingResource {

    private static final int DEFAULT_GRACE_DAYS = 14;

    DunningController(BillingStore store, BillingAccounts accounts, TransactionTemplate tx) {
        super(store, accounts, tx);
    }

    public record DunningRun(Instant asOf, Integer graceDays) {
    }

    /** An invoice moved one level up by a run: REMINDER (level 1) or FINAL (level 2, grace expired). */
    public record Notice(String invoiceId, String policyId, String accountId, String customerId, String kind,
                         BigDecimal amount, BigDecimal amountPaid, BigDecimal outstanding, String currency,
                         LocalDate dueDate, int dunningLevel, String notice, boolean graceExpired, int graceDays,
                         Integer accountVersion, Instant asOf) {

        static Notice of(BillingStore.Dunned dunned, int graceDays, Instant asOf) {
            Invoice i = dunned.invoice();
            return new Notice(i.invoiceId(), i.policyId(), i.accountId(), i.customerId(), i.kind(), i.amount(),
                    i.amountPaid(), i.outstanding(), i.currency(), i.dueDate(), i.dunningLevel(),
                    i.dunningLevel() == 1 ? "REMINDER" : "FINAL", i.dunningLevel() == 2, graceDays,
                    dunned.accountVersion(), asOf);
        }
    }

    /**
     * One dunning run as of {@code asOf} (default now) with {@code graceDays} (default 14): each OPEN invoice moves at
     * most one level per run, 0 → 1 (REMINDER) once its due date is before asOf's date (UTC), 1 → 2 (FINAL, grace
     * expired) once dueDate + graceDays is before it. The transitions and their PaymentOverdue rows in
     * {@code billing.outbox} are one transaction: a notice exists exactly when its transition does. The rows are taken
     * with SKIP LOCKED, so concurrent runs (several hub instances) never make the same transition twice (an invoice
     * being paid at that moment is left to the next run).
     *
     * <p>A PaymentOverdue is keyed by the account like every billing event, its id names the invoice and the level
     * ({@code PaymentOverdue-<invoiceId>-<level>}), its data is the notice as answered, and it does not change the
     * account's version: its aggregateVersion and {@code accountVersion} are the version the notice was computed
     * against (the account's last billing event). Answers the transitions made.
     */
    @PostMapping("/dunning-runs")
    public List<Notice> dunning(@RequestBody(required = false) DunningRun run) {
        Instant asOf = run == null || run.asOf() == null ? Instant.now() : run.asOf();
        int graceDays = run == null || run.graceDays() == null ? DEFAULT_GRACE_DAYS : run.graceDays();
        if (graceDays < 0) {
            throw invalid("graceDays", "graceDays must be >= 0, not " + graceDays);
        }
        return tx.execute(status -> store.dun(LocalDate.ofInstant(asOf, ZoneOffset.UTC), graceDays).stream()
                .map(dunned -> {
                    Notice notice = Notice.of(dunned, graceDays, asOf);
                    accounts.notice("PaymentOverdue-" + notice.invoiceId() + "-" + notice.dunningLevel(),
                            notice.accountId(), Objects.requireNonNullElse(notice.accountVersion(), 1),
                            "PaymentOverdue", notice);
                    return notice;
                })
                .toList());
    }
}
