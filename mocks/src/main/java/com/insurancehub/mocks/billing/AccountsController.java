package com.insurancehub.mocks.billing;

import java.util.List;

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
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;

/** Billing's accounts: opened for a policy (or on demand by the other resources), closed once. */
@RestController
@RequestMapping("/billing")
public class AccountsController extends BillingResource {

    AccountsController(BillingStore store, BillingAccounts accounts, TransactionTemplate tx) {
        super(store, accounts, tx);
    }

    public record NewAccount(String customerId, String policyId) {
    }

    public record Closure(String reason) {
    }

    /** 201 with a new OPEN account, or 200 with the account the policy already has. */
    @PostMapping("/accounts")
    public ResponseEntity<Account> open(@RequestBody NewAccount account) {
        if (blank(account.customerId()) || blank(account.policyId())) {
            throw invalid("customerId and policyId are required");
        }
        return tx.execute(status -> {
            String accountId = accounts.open(account.policyId(), account.customerId());
            if (accountId == null) {
                // opened before (maybe on demand, without a customer): the customer is filled in, no event
                store.fillInCustomer(account.policyId(), account.customerId());
                return ResponseEntity.ok(store.accountsOf(account.policyId()).get(0));
            }
            return ResponseEntity.status(HttpStatus.CREATED).body(store.account(accountId).orElseThrow());
        });
    }

    /** Idempotent: an account already CLOSED is answered as it is, with no second BillingAccountClosed. */
    @PostMapping("/accounts/{accountId}/closure")
    public Account close(@PathVariable String accountId, @RequestBody(required = false) Closure closure) {
        return tx.execute(status -> store.lockAccount(accountId)
                .map(account -> accounts.close(account, reason(closure)))
                .orElseThrow(() -> missing("billing account " + accountId)));
    }

    /** Closes the account of a policy (a saga compensation): 200 with it, or 204 when the policy has none. */
    @PostMapping("/accounts/closure")
    public ResponseEntity<Account> closeByPolicy(@RequestParam String policyId,
                                                 @RequestBody(required = false) Closure closure) {
        return tx.execute(status -> store.lockAccountOf(policyId)
                .map(account -> ResponseEntity.ok(accounts.close(account, reason(closure))))
                .orElseGet(() -> ResponseEntity.noContent().build()));
    }

    @GetMapping("/accounts/{accountId}")
    public Account account(@PathVariable String accountId) {
        return store.account(accountId).orElseThrow(() -> missing("billing account " + accountId));
    }

    @GetMapping("/accounts")
    public List<Account> accounts(@RequestParam String policyId) {
        return store.accountsOf(policyId);
    }

    private static String reason(Closure closure) {
        return closure == null ? null : closure.reason();
    }
}
