package com.insurancehub.mocks.billing;

import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Component;

import com.insurancehub.mocks.platform.Fields;
import com.insurancehub.mocks.platform.Outbox;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.conflict;

/**
 * The account every billing change goes through, inside the change's transaction: locked (opened on demand, with a
 * BillingAccountOpened, for a policy that has none), and the aggregate of the change's events ({@link #emit}).
 */
@Component
class BillingAccounts {

    private static final String OUTBOX = "billing.outbox";
    private static final String AGGREGATE = "billing-account";
    private static final String DEFAULT_CURRENCY = "EUR";

    private final BillingStore store;
    private final Outbox outbox;

    BillingAccounts(BillingStore store, Outbox outbox) {
        this.store = store;
        this.outbox = outbox;
    }

    /**
     * The account of the policy, locked until the end of the transaction; opened (OPEN, version 1,
     * BillingAccountOpened) when the policy has none yet. A known customerId fills in an account without one.
     */
    Account lockOf(String policyId, String customerId) {
        Account account = store.lockAccountOf(policyId).orElseGet(() -> {
            open(policyId, blank(customerId) ? null : customerId);
            return store.lockAccountOf(policyId).orElseThrow();
        });
        if (account.customerId() == null && !blank(customerId)) {
            store.setCustomer(account.accountId(), customerId);
            account = store.account(account.accountId()).orElseThrow();
        }
        return account;
    }

    /** The account of an invoice, locked; an invoice issued before accounts were required gets its policy's one. */
    Account lockOf(Invoice invoice) {
        Account account = lockOf(invoice.policyId(), null);
        if (invoice.accountId() == null) {
            store.attachInvoice(invoice.invoiceId(), account.accountId());
        }
        return account;
    }

    /** The id of the new account with its BillingAccountOpened (version 1), or null when the policy has one. */
    String open(String policyId, String customerId) {
        String accountId = "A-" + UUID.randomUUID();
        if (!store.insertAccount(accountId, customerId, policyId)) {
            return null;
        }
        Account opened = store.account(accountId).orElseThrow();
        outbox.write(OUTBOX, AGGREGATE, accountId, 1, "BillingAccountOpened", Fields.of("accountId", accountId,
                "customerId", opened.customerId(), "policyId", opened.policyId(), "status", opened.status()));
        return accountId;
    }

    /** The (locked) account, CLOSED with a BillingAccountClosed unless it already was. */
    Account close(Account account, String reason) {
        if (account.closed()) {
            return account;
        }
        store.closeAccount(account.accountId(), reason);
        emit(account, "BillingAccountClosed", Fields.of("status", Account.CLOSED, "reason", reason));
        return store.account(account.accountId()).orElseThrow();
    }

    /** 409 ACCOUNT_CLOSED unless the account takes new invoices and adjustments. */
    static void requireOpen(Account account) {
        if (account.closed()) {
            throw conflict("ACCOUNT_CLOSED", "the billing account " + account.accountId() + " of policy "
                    + account.policyId() + " is CLOSED: billing of the policy was stopped");
        }
    }

    /** The currency of the account's latest invoice, EUR if it has none. */
    String currencyOf(Account account) {
        return store.latestCurrency(account.accountId()).orElse(DEFAULT_CURRENCY);
    }

    /**
     * Writes a billing event of the (locked) account: its version + 1, and the outbox row with that version; the data
     * starts with accountId, policyId and customerId, then the event's own fields.
     */
    void emit(Account account, String eventType, Map<String, Object> fields) {
        int version = store.nextVersion(account.accountId());
        Map<String, Object> data = Fields.of("accountId", account.accountId(), "policyId", account.policyId(),
                "customerId", account.customerId());
        data.putAll(fields);
        outbox.write(OUTBOX, AGGREGATE, account.accountId(), version, eventType, data);
    }

    /**
     * Writes an event of the account that does not change it (a dunning notice): at the account's version as it is,
     * under {@code eventId}, with {@code data} as given. The account is not locked (the notice was computed against
     * that version and says so).
     */
    void notice(String eventId, String accountId, int accountVersion, String eventType, Object data) {
        outbox.write(OUTBOX, eventId, AGGREGATE, accountId, accountVersion, eventType, data);
    }
}
