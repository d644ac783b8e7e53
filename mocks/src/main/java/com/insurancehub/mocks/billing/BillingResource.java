package com.insurancehub.mocks.billing;

import org.springframework.transaction.support.TransactionTemplate;

/** What every Billing controller works with: the tables, the account of each change, the transactions. */
abstract class BillingResource {

    protected final BillingStore store;
    protected final BillingAccounts accounts;
    protected final TransactionTemplate tx;

    BillingResource(BillingStore store, BillingAccounts accounts, TransactionTemplate tx) {
        this.store = store;
        this.accounts = accounts;
        this.tx = tx;
    }
}
