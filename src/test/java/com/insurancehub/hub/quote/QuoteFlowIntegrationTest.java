package com.insurancehub.hub.quote;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** F01 + E09 on real parts: the portal's quote request through the hub, the mocks, Kafka and PostgreSQL. */
@HubIntegrationTest
class QuoteFlowIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaRecords quoteEvents;

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    HubApi api;

    @BeforeAll
    static void subscribe() {
        quoteEvents = KafkaRecords.of("insurance.quote.events");
    }

    @AfterAll
    static void close() {
        quoteEvents.close();
    }

    @BeforeEach
    void setUp() {
        api = new HubApi(port);
        Mocks.reset("rating");
        Mocks.reset("quote-engine");
    }

    @Test
    void aQuoteIsPricedStoredPublishedAndReadable() throws Exception {
        HubApi.Response created = api.post("/api/quotes", HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "ada@example.com"));

        assertThat(created.status()).isEqualTo(201);
        JsonNode quote = created.body();
        String quoteId = quote.get("quoteId").asText();
        assertThat(quoteId).startsWith("Q-");
        assertThat(quote.get("premium").decimalValue()).isPositive();
        assertThat(quote.get("currency").asText()).isEqualTo("EUR");
        assertThat(quote.get("ratingSource").asText()).isEqualTo("EXTERNAL");
        assertThat(quote.get("validUntil").asText()).isNotBlank();

        // The Quote Engine holds it (the system of record), and the hub reads it back.
        assertThat(Mocks.call("GET", "quote-engine/quotes/" + quoteId, null).status()).isEqualTo(200);
        HubApi.Response read = api.get("/api/quotes/" + quoteId);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().get("premium").decimalValue()).isEqualByComparingTo(quote.get("premium").decimalValue());
        assertThat(read.body().get("status").asText()).isEqualTo("ACTIVE");

        // QuoteGenerated: key = quote id, eventType header, the envelope with the quote's data.
        ConsumerRecord<String, String> record = quoteEvents.awaitKey(quoteId, Duration.ofSeconds(10));
        assertThat(KafkaRecords.header(record, "eventType")).isEqualTo("QuoteGenerated");
        JsonNode event = JSON.readTree(record.value());
        assertThat(event.get("eventType").asText()).isEqualTo("QuoteGenerated");
        assertThat(event.get("aggregateId").asText()).isEqualTo(quoteId);
        assertThat(event.get("aggregateVersion").asInt()).isEqualTo(1);
        assertThat(event.get("eventId").asText()).isNotBlank();
        assertThat(event.get("occurredAt").asText()).endsWith("Z");
        assertThat(event.at("/data/premium").decimalValue()).isEqualByComparingTo(quote.get("premium").decimalValue());
        assertThat(event.at("/data/customer/email").asText()).isEqualTo("ada@example.com");

        // ...and the subscription view applied it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT status FROM hub.quote_subscription_view WHERE quote_id = ?", String.class, quoteId))
                .isEqualTo("ACTIVE"));
    }

    @Test
    void invalidRiskDataIsA400NamingTheFieldAndPublishesNothing() {
        String marker = "invalid-" + UUID.randomUUID() + "@example.com";
        String body = """
                {"product":"AUTO","customer":{"firstName":"Ada","lastName":"Lovelace","email":"%s","birthDate":"1990-12-10"},
                 "risk":{"insuredValue":-5,"postalCode":"75011"}}""".formatted(marker);

        HubApi.Response response = api.post("/api/quotes", body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("detail").asText()).contains("$.risk.insuredValue");
        assertThat(response.body().get("errors").get(0).get("field").asText()).isEqualTo("$.risk.insuredValue");
        // nothing was rated (the Quote Engine is no witness: the expiry schedule polls it all the time)
        assertThat(Mocks.requests("rating")).isZero();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> quoteEvents.matching(r -> r.value().contains(marker)).isEmpty());
    }

    @Test
    void aMissingFieldIsNamedByItsPath() {
        HubApi.Response response = api.post("/api/quotes", """
                {"product":"HOME","customer":{"firstName":"Ada","lastName":"Lovelace","birthDate":"1990-12-10"},
                 "risk":{"insuredValue":250000,"postalCode":"75011"}}""");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("errors").get(0).get("field").asText()).isEqualTo("$.customer.email");
    }

    @Test
    void aBodyThatIsNotJsonIsA400() {
        HubApi.Response response = api.post("/api/quotes", "this is not json");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("status").asInt()).isEqualTo(400);
    }

    @Test
    void anUnknownQuoteIsA404() {
        assertThat(api.get("/api/quotes/Q-" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api.get("/api/quotes/not-a-quote-id").status()).isEqualTo(404);
    }

    @Test
    void theQuoteEngineDownIsA502AndPublishesNothing() {
        String marker = "qe-down-" + UUID.randomUUID() + "@example.com";
        Mocks.faults("quote-engine", 0, 0, true);
        try {
            HubApi.Response response = api.post("/api/quotes", HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), marker));
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.contentType()).startsWith("application/problem+json");
        } finally {
            Mocks.reset("quote-engine");
        }
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> quoteEvents.matching(r -> r.value().contains(marker)).isEmpty());
    }
}
