package com.insurancehub.mocks;

import org.junit.jupiter.api.Test;

import com.insurancehub.testing.JsonHttp.Response;

import static com.insurancehub.mocks.MockHttp.assertProblem;
import static com.insurancehub.mocks.MockHttp.count;
import static com.insurancehub.mocks.MockHttp.post;
import static com.insurancehub.testing.JsonHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The volume generator of PAS, Claims and Billing: N consistent rows in one call, and no events. */
class VolumeGeneratorMockTest {

    @Test
    void policiesClaimsAndBillingMovementsAreGeneratedConsistentAndWithoutEvents() {
        Response pas = post("pas/_admin/generate", json("count", 40));
        assertThat(pas.status()).as(String.valueOf(pas.body())).isEqualTo(200);
        assertThat(pas.body().at("/created/policies").asInt()).isEqualTo(40);
        assertThat(pas.body().at("/created/customers").asInt()).isEqualTo(20);
        String policiesAt = pas.text("stampedAt");
        Response claims = post("claims/_admin/generate", json("count", 30));
        assertThat(claims.status()).isEqualTo(200);
        String claimsAt = claims.text("stampedAt");
        Response billing = post("billing/_admin/generate", json("count", 21));
        assertThat(billing.status()).isEqualTo(200);
        assertThat(billing.body().at("/created/invoices").asInt()).isEqualTo(11);
        assertThat(billing.body().at("/created/payments").asInt()).isEqualTo(10);
        String billingAt = billing.text("stampedAt");

        assertThat(count("SELECT count(*) FROM pas.policies WHERE updated_at = ?::timestamptz", policiesAt)).isEqualTo(40);
        assertThat(count("SELECT count(*) FROM claims.claims WHERE updated_at = ?::timestamptz", claimsAt)).isEqualTo(30);
        assertThat(count("SELECT count(*) FROM billing.invoices WHERE updated_at = ?::timestamptz", billingAt)).isEqualTo(11);
        assertThat(count("SELECT count(*) FROM billing.payments WHERE created_at = ?::timestamptz", billingAt)).isEqualTo(10);
        // consistent: every policy's customer exists, every claim is on a policy of its customer, every payment pays a
        // PAID invoice of its amount, every invoice has the account of its policy
        assertThat(count("""
                SELECT count(*) FROM pas.policies p LEFT JOIN customers.customers c ON c.customer_id = p.customer_id
                WHERE p.updated_at = ?::timestamptz AND c.customer_id IS NULL""", policiesAt)).isZero();
        assertThat(count("""
                SELECT count(*) FROM claims.claims c LEFT JOIN pas.policies p
                  ON p.policy_id = c.policy_id AND p.customer_id = c.customer_id AND p.policy_number = c.policy_number
                WHERE c.updated_at = ?::timestamptz AND p.policy_id IS NULL""", claimsAt)).isZero();
        assertThat(count("""
                SELECT count(*) FROM billing.payments y JOIN billing.invoices i ON i.invoice_id = y.invoice_id
                WHERE y.created_at = ?::timestamptz AND (i.status <> 'PAID' OR i.amount <> y.amount OR i.amount_paid <> y.amount)""",
                billingAt)).isZero();
        assertThat(count("""
                SELECT count(*) FROM billing.invoices i LEFT JOIN billing.accounts a
                  ON a.account_id = i.account_id AND a.policy_id = i.policy_id
                WHERE i.updated_at = ?::timestamptz AND a.account_id IS NULL""", billingAt)).isZero();
        assertThat(count("""
                SELECT count(*) FROM pas.outbox o JOIN pas.policies p ON p.policy_id = o.aggregate_id
                WHERE p.updated_at = ?::timestamptz""", policiesAt)).as("no events for generated rows").isZero();
    }

    @Test
    void aCountOutOfRangeOrASystemWithoutGeneratorIsRefused() {
        assertProblem(post("pas/_admin/generate", json("count", 0)), 400, "count");
        assertProblem(post("billing/_admin/generate", "{}"), 400, "count");
        assertProblem(post("claims/_admin/generate", json("count", 2_000_001)), 400, "count");
        Response unknown = post("rating/_admin/generate", json("count", 5));
        assertThat(unknown.status()).isEqualTo(404);
    }
}
