package com.insurancehub.hub.quote;

import java.time.Duration;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * E09 on real parts: a quote past its validity is expired in the Quote Engine, which writes QuoteExpired to its outbox
 * with the transition, and the outbox relay publishes it (D01). The quotes are the Quote Engine's own, valid for no
 * time at all; the test profile runs the expiry schedule every 500 ms.
 */
@HubIntegrationTest
class QuoteExpiryIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CamelContext camelContext;
    /** The database owner: the Quote Engine's outbox is beyond the hub's own role */
    final JdbcTemplate owner = new JdbcTemplate(DevServices.shared().superuserDataSource());

    @Test
    void aQuotePastItsValidityIsExpiredOnceAndQuoteExpiredIsPublished() throws Exception {
        try (KafkaRecords events = KafkaRecords.of("insurance.quote.events")) {
            String quoteId = quote("expiring@example.com", "PT0S");

            ConsumerRecord<String, String> record = events.await(quoteExpired(quoteId), Duration.ofSeconds(15));
            JsonNode event = JSON.readTree(record.value());
            assertThat(event.get("aggregateVersion").asInt()).isEqualTo(2);
            assertThat(event.at("/data/quoteId").asText()).isEqualTo(quoteId);
            assertThat(event.at("/data/product").asText()).isEqualTo("AUTO");
            assertThat(event.at("/data/customer/email").asText()).isEqualTo("expiring@example.com");
            // the event is the row the Quote Engine wrote to its outbox with the transition
            assertThat(event.get("eventId").asText()).isEqualTo(owner.queryForObject(
                    "SELECT id FROM quote_engine.outbox WHERE aggregate_id = ?", String.class, quoteId));

            assertThat(Mocks.call("GET", "quote-engine/quotes/" + quoteId, null).body().get("status").asText())
                    .isEqualTo("EXPIRED");
            await().atMost(Duration.ofSeconds(10)).ignoreException(EmptyResultDataAccessException.class)
                    .untilAsserted(() -> assertThat(jdbc.queryForObject(
                    "SELECT status FROM hub.quote_subscription_view WHERE quote_id = ?", String.class, quoteId))
                    .isEqualTo("EXPIRED"));
            // Later runs of the schedule find nothing more to do for it: exactly one QuoteExpired.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .until(() -> events.matching(quoteExpired(quoteId)).size() == 1);
        }
    }

    @Test
    void anExpiryMadeInTheQuoteEngineIsPublishedWithoutTheHub() throws Exception {
        // the hub's schedule stopped: the expiry below, the Quote Engine's alone, is the only one
        camelContext.getRouteController().stopRoute("find-overdue-quotes");
        try (KafkaRecords events = KafkaRecords.of("insurance.quote.events")) {
            String quoteId = quote("direct@example.com", "PT0S");

            JsonHttp.Response expired = Mocks.call("POST", "quote-engine/quotes/" + quoteId + "/expiry", "");
            assertThat(expired.status()).isEqualTo(200);

            JsonNode event = JSON.readTree(events.await(quoteExpired(quoteId), Duration.ofSeconds(15)).value());
            assertThat(event.get("aggregateId").asText()).isEqualTo(quoteId);
            assertThat(event.get("aggregateVersion").asInt()).isEqualTo(expired.body().get("version").asInt());
            assertThat(event.at("/data/validUntil").asText()).isEqualTo(expired.text("validUntil"));
            assertThat(event.at("/data/customer/email").asText()).isEqualTo("direct@example.com");
        } finally {
            camelContext.getRouteController().startRoute("find-overdue-quotes");
        }
    }

    @Test
    void aQuoteStillValidIsLeftActive() {
        String quoteId = quote("valid@example.com", "P1D");

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> "ACTIVE".equals(
                Mocks.call("GET", "quote-engine/quotes/" + quoteId, null).body().get("status").asText()));
    }

    /** A quote of the Quote Engine, valid for {@code validity}. */
    private static String quote(String email, String validity) {
        JsonHttp.Response created = Mocks.call("POST", "quote-engine/quotes", """
                {"product":"AUTO","customer":{"email":"%s"},"risk":{"insuredValue":9000,"postalCode":"69001"},
                 "premium":410.00,"ratingSource":"EXTERNAL","validity":"%s"}""".formatted(email, validity));
        assertThat(created.status()).isEqualTo(201);
        return created.body().get("quoteId").asText();
    }

    private static Predicate<ConsumerRecord<String, String>> quoteExpired(String quoteId) {
        return r -> quoteId.equals(r.key()) && "QuoteExpired".equals(KafkaRecords.header(r, "eventType"));
    }
}
