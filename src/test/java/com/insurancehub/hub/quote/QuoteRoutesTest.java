package com.insurancehub.hub.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of the F01 routes behind the REST API (post-quote-api, get-quote-api, create-quote, get-quote):
 * rating, the Quote Engine and the event sink replaced by mock endpoints; requests sent over real HTTP.
 */
@RouteDomains("quote")
class QuoteRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUOTE_ID = "Q-11111111-2222-3333-4444-555555555555";
    private static final String STORED_QUOTE = """
            {"quoteId":"%s","product":"HOME","customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},
             "risk":{"insuredValue":250000,"postalCode":"75011"},"premium":321.00,"currency":"EUR","ratingSource":"EXTERNAL",
             "status":"ACTIVE","validUntil":"2026-12-22T10:00:00Z","version":1}""".formatted(QUOTE_ID);

    @Override
    protected void adviceRoutes() {
        route("create-quote")
                .advice(a -> a.weaveById("rate-the-risk").replace()
                        .setBody(a.constant("{\"premium\":321.00,\"currency\":\"EUR\",\"ratingSource\":\"EXTERNAL\"}")))
                .mockCall("store-quote-in-quote-engine", "quote-engine")
                .mockCall("publish-quote-generated", "quote-events");
        route("get-quote").mockCall("read-quote-from-quote-engine", "quote-engine-read");
    }

    @Test
    void aValidRequestIsStoredPublishedAndAnswered201() throws Exception {
        answer("quote-engine", STORED_QUOTE);
        MockEndpoint events = mock("quote-events");
        events.expectedMessageCount(1);
        events.expectedHeaderReceived("aggregateId", QUOTE_ID);
        events.expectedHeaderReceived("aggregateVersion", "1");

        HubApi.Response response = new HubApi(port).post("/api/quotes", HubApi.quoteRequest("HOME", 250_000, "ada@example.com"));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body().get("quoteId").asText()).isEqualTo(QUOTE_ID);
        assertThat(response.body().get("ratingSource").asText()).isEqualTo("EXTERNAL");
        events.assertIsSatisfied();
        JsonNode eventData = JSON.readTree(events.getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(eventData.get("premium").decimalValue()).isEqualByComparingTo("321.00");
        assertThat(eventData.at("/customer/email").asText()).isEqualTo("ada@example.com");
        // The Quote Engine got the request, the rating and the configured validity
        JsonNode stored = JSON.readTree(mock("quote-engine").getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(stored.get("premium").decimalValue()).isEqualByComparingTo("321.00");
        assertThat(stored.get("ratingSource").asText()).isEqualTo("EXTERNAL");
        assertThat(stored.get("validity").asText()).isEqualTo("P30D");
        assertThat(stored.at("/risk/postalCode").asText()).isEqualTo("75011");
    }

    @Test
    void anInvalidRequestStopsBeforeTheQuoteEngineAndTheEvent() throws Exception {
        mock("quote-engine").expectedMessageCount(0);
        mock("quote-events").expectedMessageCount(0);

        HubApi.Response response = new HubApi(port).post("/api/quotes",
                "{\"product\":\"BOAT\",\"customer\":{},\"risk\":{\"insuredValue\":1,\"postalCode\":\"75011\"}}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("detail").asText()).contains("$.product").contains("$.customer.email");
        MockEndpoint.assertIsSatisfied(camelContext);
    }

    @Test
    void aQuoteIsReadFromTheQuoteEngine() {
        answer("quote-engine-read", 200, STORED_QUOTE);

        HubApi.Response response = new HubApi(port).get("/api/quotes/" + QUOTE_ID);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("premium").decimalValue()).isEqualByComparingTo("321.00");
        assertThat(response.body().has("version")).isFalse();
    }

    @Test
    void anUnknownQuoteIsA404ProblemAndAMalformedIdNeverReachesTheQuoteEngine() throws Exception {
        mock("quote-engine-read").whenAnyExchangeReceived(e -> e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404));
        mock("quote-engine-read").expectedMessageCount(1);

        HubApi.Response unknown = new HubApi(port).get("/api/quotes/" + QUOTE_ID);
        HubApi.Response malformed = new HubApi(port).get("/api/quotes/..%2F..%2Fetc");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(malformed.status()).isIn(400, 404);
        mock("quote-engine-read").assertIsSatisfied();
    }
}
