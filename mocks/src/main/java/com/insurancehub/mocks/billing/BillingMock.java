package com.insurancehub.mocks.billing;

import org.springframework.stereotype.Component;

import com.insurancehub.mocks.platform.MockSystem;

/**
 * Billing: one account per policy, the policy's invoices, payments, adjustments, refunds and claim payouts, served
 * under {@code /billing} by one controller per resource ({@link AccountsController}, {@link InvoicesController},
 * {@link PaymentsController}, {@link AdjustmentsController}, {@link TerminationsController},
 * {@link PayoutsController}, {@link DunningController}) over {@link BillingStore} (the tables) and
 * {@link BillingAccounts} (the account and the events of every change). Like PAS it has a transactional outbox
 * ({@code billing.outbox}), written in the transaction of each change.
 *
 * <p>Every billing event is keyed by the policy's <b>account</b> (aggregate {@code billing-account}, id = accountId,
 * version = the account's version after the event, + 1 per event), so that one policy's billing events stay in order
 * on one partition; every event's data carries accountId, policyId and (when known) customerId. An account is opened
 * on demand (with a BillingAccountOpened) when an invoice, adjustment, payout or termination arrives for a policy that
 * has none yet. A CLOSED account takes no new invoice or adjustment (409 ACCOUNT_CLOSED); payouts still go through.
 *
 * <p>Every write is idempotent, because the hub calls Billing from at-least-once event consumers: an account per
 * policyId, an invoice, adjustment or payout per sourceEventId, a payment per paymentId, a payout per claimId, a
 * termination per policyId (and sourceEventId). A repeat answers 200 with what was done the first time and writes
 * nothing.
 */
@Component
public class BillingMock implements MockSystem {

    /** Days from issue to due date when the caller gives none. */
    static final int PAYMENT_TERM_DAYS = 30;

    @Override
    public String base() {
        return "billing";
    }

    @Override
    public boolean hasOutbox() {
        return true;
    }
}
