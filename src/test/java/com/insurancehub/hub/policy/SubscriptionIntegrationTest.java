package com.insurancehub.hub.policy;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * F03 + D01 + E01 end to end on real parts: quote, subscription saga across the mocks, PolicyCreated relayed
 * from the PAS outbox by Debezium, and its fan-out; compensation proven by the mocks' state.
 */
@HubIntegrationTest
class SubscriptionIntegrationTest {

    private static KafkaRecords policyEvents;

    @LocalServerPort
    int port;

    @BeforeAll
    static void subscribe() {
        policyEvents = KafkaRecords.of("insurance.policy.events");
    }

    @AfterEach
    void resetFaults() {
        for (String base : new String[] {"billing", "pas", "customers", "documents", "quote-engine", "notifications", "audit"}) {
            Mocks.reset(base);
        }
    }

    @Test
    void aSubscribedQuoteEndsWithOnePolicyInvoiceEmailAuditRecordAndItsDocuments() {
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

        // PolicyCreated relayed from the PAS outbox, keyed by the policy, and fanned out: all reachable by the policy id
        policyEvents.await(r -> policyId.equals(r.key()) && "PolicyCreated".equals(KafkaRecords.header(r, "eventType")),
                Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(get("billing/invoices?policyId=" + policyId)).hasSize(1);
            assertThat(get("notifications/messages?reference=" + policyId)).hasSize(1);
            assertThat(get("audit/records?aggregateId=" + policyId)).hasSize(1);
            assertThat(get("documents/documents?policyId=" + policyId)).isNotEmpty();
        });
        JsonNode email0 = get("notifications/messages?reference=" + policyId).get(0);
        // addressed to the golden record (MDM): the same person quoted twice is one customer with one address
        assertThat(email0.get("to").asText()).isEqualTo(get("customers/customers/" + customerId).get("email").asText());
        assertThat(get("billing/invoices?policyId=" + policyId).get(0).get("amount").decimalValue())
                .isEqualByComparingTo(subscribed.body().get("premium").decimalValue());
    }

    @Test
    void aBillingFailureCompensatesThePolicyTheCustomerLinkAndTheQuote() {
        String quoteId = quote("comp-" + UUID.randomUUID() + "@example.com");
        Mocks.faults("billing", 0, 0, true);

        HubApi.Response failed = api().post("/api/quotes/" + quoteId + "/subscribe", "");

        assertThat(failed.status()).isEqualTo(502);
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
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> policyEvents.matching(r -> policyId.equals(r.key())
                        && "PolicyCreated".equals(KafkaRecords.header(r, "eventType"))).isEmpty());
        assertThat(get("notifications/messages?reference=" + policyId)).isEmpty();

        // Billing is back: the compensated quote can be subscribed again
        Mocks.reset("billing");
        assertThat(api().post("/api/quotes/" + quoteId + "/subscribe", "").status()).isEqualTo(201);
    }

    @Test
    void aQuoteAlreadySubscribedOrExpiredIsA409AndAnUnknownOneA404() {
        String quoteId = quote("twice-" + UUID.randomUUID() + "@example.com");
        assertThat(api().post("/api/quotes/" + quoteId + "/subscribe", "").status()).isEqualTo(201);

        HubApi.Response again = api().post("/api/quotes/" + quoteId + "/subscribe", "");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("detail").asText()).contains("SUBSCRIBED");
        assertThat(get("pas/policies?quoteId=" + quoteId)).hasSize(1);

        Mocks.Response expired = Mocks.call("POST", "quote-engine/quotes", """
                {"product":"AUTO","customer":{"firstName":"E","lastName":"X","email":"expired@example.com","birthDate":"1980-01-01"},
                 "risk":{"insuredValue":1000,"postalCode":"75001"},"premium":300,"ratingSource":"EXTERNAL","validity":"PT0S"}""");
        String expiredId = expired.body().get("quoteId").asText();
        HubApi.Response late = api().post("/api/quotes/" + expiredId + "/subscribe", "");
        assertThat(late.status()).isEqualTo(409);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(get("pas/policies?quoteId=" + expiredId).findValuesAsText("status")).doesNotContain("ISSUED", "PENDING"));

        assertThat(api().post("/api/quotes/Q-" + UUID.randomUUID() + "/subscribe", "").status()).isEqualTo(404);
    }

    private String quote(String email) {
        HubApi.Response quote = api().post("/api/quotes", HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), email));
        assertThat(quote.status()).isEqualTo(201);
        return quote.body().get("quoteId").asText();
    }

    private HubApi api() {
        return new HubApi(port);
    }

    private static JsonNode get(String path) {
        Mocks.Response response = Mocks.call("GET", path, null);
        assertThat(response.status()).as(path).isEqualTo(200);
        return response.body();
    }
}
