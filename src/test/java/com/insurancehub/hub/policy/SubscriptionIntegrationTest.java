package com.insurancehub.hub.policy;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.saga.CamelSagaService;
import org.apache.camel.saga.InMemorySagaService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * F03 + D01 + E01 end to end on real parts, on the default saga service (camel-saga, in memory): the saga
 * scenarios of {@link SubscriptionSagaScenarios}, PolicyCreated relayed from the PAS outbox by Debezium and its
 * fan-out; compensation proven by the mocks' state. The same scenarios run on a Narayana LRA coordinator in
 * {@link LraSubscriptionIntegrationTest}.
 */
@HubIntegrationTest
class SubscriptionIntegrationTest extends SubscriptionSagaScenarios {

    private static KafkaRecords policyEvents;

    @BeforeAll
    static void subscribe() {
        policyEvents = KafkaRecords.of("insurance.policy.events");
    }

    /**
     * D01's relay reads from its replication slot, created when the context starts: a policy issued before
     * would never be relayed. It streams once it beats (every second in the test profile).
     */
    @BeforeEach
    void theOutboxRelayIsStreaming() {
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM relay.outbox_heartbeat WHERE source = 'pas' AND beat_at > now() - interval '5 seconds'",
                Integer.class) > 0);
    }

    @Override
    protected Class<? extends CamelSagaService> expectedSagaService() {
        return InMemorySagaService.class;
    }

    /** PolicyCreated relayed from the PAS outbox, keyed by the policy, and fanned out: all reachable by the policy id. */
    @Override
    protected void afterSubscribed(String quoteId, HubApi.Response subscribed) {
        String policyId = subscribed.body().get("policyId").asText();
        String customerId = subscribed.body().get("customerId").asText();
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

    /** Nothing reaches Kafka either, so no invoice and no email. */
    @Override
    protected void afterCompensatedWhileBillingIsDown(String quoteId, String policyId) {
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> policyEvents.matching(r -> policyId.equals(r.key())
                        && "PolicyCreated".equals(KafkaRecords.header(r, "eventType"))).isEmpty());
        assertThat(get("notifications/messages?reference=" + policyId)).isEmpty();
    }

    @Test
    void aQuoteAlreadySubscribedOrExpiredIsA409AndAnUnknownOneA404() {
        String quoteId = quote("twice-" + UUID.randomUUID() + "@example.com");
        assertThat(api().post("/api/quotes/" + quoteId + "/subscribe", "").status()).isEqualTo(201);

        HubApi.Response again = api().post("/api/quotes/" + quoteId + "/subscribe", "");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("detail").asText()).contains("SUBSCRIBED");
        assertThat(again.body().get("reason").asText()).isEqualTo("QUOTE_SUBSCRIBED");
        assertThat(get("pas/policies?quoteId=" + quoteId)).hasSize(1);

        JsonHttp.Response expired = Mocks.call("POST", "quote-engine/quotes", """
                {"product":"AUTO","customer":{"firstName":"E","lastName":"X","email":"expired@example.com","birthDate":"1980-01-01"},
                 "risk":{"insuredValue":1000,"postalCode":"75001"},"premium":300,"ratingSource":"EXTERNAL","validity":"PT0S"}""");
        String expiredId = expired.body().get("quoteId").asText();
        HubApi.Response late = api().post("/api/quotes/" + expiredId + "/subscribe", "");
        assertThat(late.status()).isEqualTo(409);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(get("pas/policies?quoteId=" + expiredId).findValuesAsText("status")).doesNotContain("ISSUED", "PENDING"));

        assertThat(api().post("/api/quotes/Q-" + UUID.randomUUID() + "/subscribe", "").status()).isEqualTo(404);
    }
}
