package com.insurancehub.hub.quote;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * E09 on real parts: a quote past its validity is expired in the Quote Engine and QuoteExpired is published.
 * Validity shortened by property, from 30 days to 2 seconds.
 */
@HubIntegrationTest
// Its own context: the outbox relays stay with the shared one (a replication slot has one reader)
@TestPropertySource(properties = {"hub.quotes.validity=PT2S", "hub.outbox.enabled=false"})
class QuoteExpiryIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JdbcTemplate jdbc;
    @LocalServerPort
    int port;

    @Test
    void aQuotePastItsValidityIsExpiredOnceAndQuoteExpiredIsPublished() throws Exception {
        HubApi.Response created = new HubApi(port).post("/api/quotes",
                HubApi.quoteRequest("HOME", HubApi.uniqueInsuredValue(), "expiring@example.com"));
        assertThat(created.status()).isEqualTo(201);
        String quoteId = created.body().get("quoteId").asText();
        assertThat(java.time.Instant.parse(created.body().get("validUntil").asText()))
                .isBefore(java.time.Instant.now().plusSeconds(3));

        try (KafkaRecords events = KafkaRecords.of("insurance.quote.events")) {
            ConsumerRecord<String, String> record = events.await(
                    r -> quoteId.equals(r.key()) && "QuoteExpired".equals(KafkaRecords.header(r, "eventType")),
                    Duration.ofSeconds(15));
            JsonNode event = JSON.readTree(record.value());
            assertThat(event.get("aggregateVersion").asInt()).isEqualTo(2);
            assertThat(event.at("/data/quoteId").asText()).isEqualTo(quoteId);
            assertThat(event.at("/data/customer/email").asText()).isEqualTo("expiring@example.com");

            assertThat(Mocks.call("GET", "quote-engine/quotes/" + quoteId, null).body().get("status").asText())
                    .isEqualTo("EXPIRED");
            // the view's row may not be written yet (its consumer reads QuoteGenerated on its own): wait for it too
            await().atMost(Duration.ofSeconds(10)).ignoreException(EmptyResultDataAccessException.class)
                    .untilAsserted(() -> assertThat(jdbc.queryForObject(
                    "SELECT status FROM hub.quote_subscription_view WHERE quote_id = ?", String.class, quoteId))
                    .isEqualTo("EXPIRED"));
            // Later runs of the schedule find nothing more to do for it: exactly one QuoteExpired.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> events.matching(
                    r -> quoteId.equals(r.key()) && "QuoteExpired".equals(KafkaRecords.header(r, "eventType"))).size() == 1);
        }
    }

    @Test
    void aQuoteStillValidIsLeftActive() {
        JsonHttp.Response created = Mocks.call("POST", "quote-engine/quotes", """
                {"product":"AUTO","customer":{"email":"valid@example.com"},"risk":{"insuredValue":9000,"postalCode":"69001"},
                 "premium":410.00,"ratingSource":"EXTERNAL","validity":"P1D"}""");
        String quoteId = created.body().get("quoteId").asText();

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> "ACTIVE".equals(
                Mocks.call("GET", "quote-engine/quotes/" + quoteId, null).body().get("status").asText()));
    }
}
