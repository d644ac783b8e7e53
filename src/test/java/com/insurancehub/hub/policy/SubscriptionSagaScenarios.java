package com.insurancehub.hub.policy;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.saga.CamelSagaService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;

import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The subscription saga (F03) scenarios every saga service must pass, on real parts: the same routes, the same
 * mocks, the same assertions on the systems' state. Subclasses choose the saga service (camel-saga in memory,
 * camel-lra with a Narayana coordinator) and add what only that service shows through the hooks.
 */
abstract class SubscriptionSagaScenarios {

    @LocalServerPort
    int port;
    @Autowired
    CamelContext camelContext;
    /** The database owner: PAS's outbox and the relay's heartbeat are beyond the hub's own role */
    protected final JdbcTemplate jdbc = new JdbcTemplate(DevServices.shared().superuserDataSource());
    @Value("${hub.subscription.saga-service}")
    String sagaServiceName;

    /** The saga service this flavour must run on: the test must not pass on the other one by mistake. */
    protected abstract Class<? extends CamelSagaService> expectedSagaService();

    /** After a 201: what the saga service or the systems further on show (runs before the faults are reset). */
    protected void afterSubscribed(String quoteId, HubApi.Response subscribed) {
    }

    /** After the compensation is seen in the systems, Billing still down. */
    protected void afterCompensatedWhileBillingIsDown(String quoteId, String policyId) {
    }

    /** After Billing is back (the compensated quote has not been subscribed again yet). */
    protected void afterBillingIsBack(String quoteId, String policyId) {
    }

    @AfterEach
    void resetFaults() {
        for (String base : new String[] {"billing", "pas", "customers", "documents", "quote-engine", "notifications", "audit"}) {
            Mocks.reset(base);
        }
    }

    @Test
    void theSagaRunsOnTheExpectedSagaService() {
        Object service = camelContext.getRegistry().lookupByName(sagaServiceName);
        assertThat(service).as("bean %s", sagaServiceName).isInstanceOf(expectedSagaService());
    }

    @Test
    void aSubscribedQuoteEndsWithAnIssuedPolicyAnnouncedOnce() {
        String email = "sub-" + UUID.randomUUID() + "@example.com";
        String quoteId = quote(email);

        HubApi.Response subscribed = api().post("/api/quotes/" + quoteId + "/subscribe", "");

        assertThat(subscribed.status()).as(String.valueOf(subscribed.body())).isEqualTo(201);
        String policyId = subscribed.body().get("policyId").asText();
        assertThat(subscribed.body().get("policyNumber").asText()).startsWith("POL-");
        assertThat(subscribed.body().get("status").asText()).isEqualTo("ISSUED");

        // The saga's steps, in each system
        assertThat(get("pas/policies/" + policyId).get("status").asText()).isEqualTo("ISSUED");
        assertThat(get("quote-engine/quotes/" + quoteId).get("status").asText()).isEqualTo("SUBSCRIBED");
        assertThat(get("billing/accounts?policyId=" + policyId).get(0).get("status").asText()).isEqualTo("OPEN");
        String customerId = subscribed.body().get("customerId").asText();
        assertThat(get("customers/customers/" + customerId + "/links").findValuesAsText("quoteId")).contains(quoteId);
        // Announced once, at the source: PolicyCreated in the PAS outbox (D01 relays it)
        assertThat(policyCreatedRows(policyId)).isEqualTo(1);
        assertThat(attemptsOf(quoteId)).containsExactly("ISSUED");

        afterSubscribed(quoteId, subscribed);
    }

    @Test
    void aBillingFailureCompensatesThePolicyTheCustomerLinkAndTheQuote() {
        String quoteId = quote("comp-" + UUID.randomUUID() + "@example.com");
        Mocks.faults("billing", 0, 0, true);

        HubApi.Response failed = api().post("/api/quotes/" + quoteId + "/subscribe", "");

        assertThat(failed.status()).as(String.valueOf(failed.body())).isEqualTo(502);
        assertThat(failed.body().get("failedStep").asText()).isEqualTo("open-billing-account");
        JsonNode policies = get("pas/policies?quoteId=" + quoteId);
        assertThat(policies).hasSize(1);
        String policyId = policies.get(0).get("policyId").asText();
        String customerId = policies.get(0).get("customerId").asText();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(get("pas/policies/" + policyId).get("status").asText()).isEqualTo("CANCELLED");
            assertThat(get("quote-engine/quotes/" + quoteId).get("status").asText()).isEqualTo("ACTIVE");
            assertThat(get("customers/customers/" + customerId + "/links").findValuesAsText("quoteId")).doesNotContain(quoteId);
        });
        // A compensated subscription was never announced: no PolicyCreated, so no invoice, no email
        assertThat(policyCreatedRows(policyId)).isZero();
        assertThat(get("notifications/messages?reference=" + policyId)).isEmpty();
        // Billing's part is not undone yet (Billing refuses every call): still being compensated, and a retry hears so
        HubApi.Response meanwhile = api().post("/api/quotes/" + quoteId + "/subscribe", "");
        assertThat(meanwhile.status()).as(String.valueOf(meanwhile.body())).isEqualTo(409);
        assertThat(meanwhile.body().get("reason").asText()).isEqualTo("SUBSCRIPTION_COMPENSATING");
        assertThat(meanwhile.header("Retry-After")).isNotBlank();
        assertThat(attemptsOf(quoteId)).containsExactly("COMPENSATING");
        afterCompensatedWhileBillingIsDown(quoteId, policyId);

        // Billing is back: the compensation ends (the saga service's or the coordinator's next try) and the quote
        // can be subscribed again
        Mocks.reset("billing");
        afterBillingIsBack(quoteId, policyId);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(attemptsOf(quoteId)).containsExactly("COMPENSATED"));
        HubApi.Response again = api().post("/api/quotes/" + quoteId + "/subscribe", "");
        assertThat(again.status()).as(String.valueOf(again.body())).isEqualTo(201);
        assertThat(policyCreatedRows(policyId)).isZero();
    }

    protected String quote(String email) {
        HubApi.Response quote = api().post("/api/quotes", HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), email));
        assertThat(quote.status()).isEqualTo(201);
        return quote.body().get("quoteId").asText();
    }

    protected HubApi api() {
        return new HubApi(port);
    }

    /** The statuses of the quote's subscription attempts (the hub's attempt log), oldest first. */
    protected List<String> attemptsOf(String quoteId) {
        return jdbc.queryForList("SELECT status FROM hub.subscription_attempts WHERE quote_id = ? ORDER BY started_at",
                String.class, quoteId);
    }

    protected int policyCreatedRows(String policyId) {
        return jdbc.queryForObject("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ? AND event_type = 'PolicyCreated'",
                Integer.class, policyId);
    }

    protected static JsonNode get(String path) {
        JsonHttp.Response response = Mocks.call("GET", path, null);
        assertThat(response.status()).as(path).isEqualTo(200);
        return response.body();
    }
}
