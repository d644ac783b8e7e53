package com.insurancehub.mocks.pas;

import org.springframework.transaction.support.TransactionTemplate;

/** What every PAS controller works with: the tables, the policy events, the transactions. */
abstract class PolicyResource {

    protected final PasStore store;
    protected final PolicyAdministrationMock pas;
    protected final TransactionTemplate tx;

    PolicyResource(PasStore store, PolicyAdministrationMock pas, TransactionTemplate tx) {
        this.store = store;
        this.pas = pas;
        this.tx = tx;
    }
}
