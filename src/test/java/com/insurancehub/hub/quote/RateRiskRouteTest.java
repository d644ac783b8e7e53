package com.insurancehub.hub.quote;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** AdviceWith test of rate-risk-with-circuit-breaker (F02): External Rating replaced by a mock endpoint. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RouteDomains("quote")
class RateRiskRouteTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void adviceRoutes() {
        route("rate-risk-with-circuit-breaker").mockCall("call-external-rating", "rating");
    }

    @Test
    @Order(1)
    void aNewRiskIsRatedExternallyThenServedFromTheCache() throws Exception {
        MockEndpoint rating = mock("rating");
        java.util.List<String> callThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        rating.whenAnyExchangeReceived(e -> {
            callThreads.add(Thread.currentThread().getName());
            e.getMessage().setBody("{\"premium\":420.50,\"currency\":\"EUR\",\"tariff\":\"T\"}");
        });
        rating.expectedMessageCount(1);
        String request = HubApi.quoteRequest("AUTO", 12_345.67, "a@example.com");

        JsonNode first = rate(request);
        JsonNode second = rate(request);

        assertThat(first.get("ratingSource").asText()).isEqualTo("EXTERNAL");
        assertThat(first.get("premium").decimalValue()).isEqualByComparingTo("420.50");
        assertThat(second.get("ratingSource").asText()).isEqualTo("CACHE");
        assertThat(second.get("premium").decimalValue()).isEqualByComparingTo("420.50");
        rating.assertIsSatisfied();
        // Under the breaker's timeout the call runs on the ratingCallExecutor pool, not the JDK's common pool
        assertThat(callThreads).singleElement().asString().startsWith("pool-");
        // What External Rating was asked: the risk, not the customer's identity
        JsonNode sent = JSON.readTree(rating.getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(sent.get("insuredValue").asDouble()).isEqualTo(12_345.67);
        assertThat(sent.get("postalCode").asText()).isEqualTo("75011");
        assertThat(sent.has("email")).isFalse();
    }

    @Test
    @Order(2)
    void afterFiveConsecutiveFailuresRatingIsNoLongerCalledAndTheFallbackAnswers() throws Exception {
        MockEndpoint rating = mock("rating");
        rating.whenAnyExchangeReceived(e -> {
            throw new IOException("rating unreachable");
        });

        for (int i = 0; i < 8; i++) {
            JsonNode answer = rate(HubApi.quoteRequest("AUTO", 30_000.50 + i, "b@example.com"));
            assertThat(answer.get("ratingSource").asText()).isEqualTo("FALLBACK");
        }

        // 5 failures open the breaker: calls 6 to 8 never reach rating
        assertThat(rating.getReceivedCounter()).isEqualTo(5);
        // hub.rating.fallback: AUTO 6 % of the insured value
        JsonNode fallback = rate(HubApi.quoteRequest("AUTO", 30_000.50, "b@example.com"));
        assertThat(fallback.get("premium").decimalValue()).isEqualByComparingTo("1800.03");
        assertThat(fallback.get("currency").asText()).isEqualTo("EUR");
    }

    private JsonNode rate(String quoteRequest) throws Exception {
        return JSON.readTree(template.requestBody("direct:rate-risk", quoteRequest, String.class));
    }
}
