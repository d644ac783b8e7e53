package com.insurancehub.hub.quote;

import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** AdviceWith test of find-overdue-quotes and expire-quote (E09). */
@RouteDomains("quote")
class QuoteExpiryRoutesTest extends RouteTestSupport {

    @Override
    protected void adviceRoutes() {
        route("find-overdue-quotes").from("direct:run-quote-expiry").mockCall("list-overdue-quotes", "list-overdue")
                .mockCall("expire-each-quote", "expire-each");
        route("expire-quote").mockCalls("expire-in-quote-engine").mockCall("publish-quote-expired", "quote-events");
    }

    @Test
    void eachOverdueQuoteIsExpiredOneByOne() throws Exception {
        answer("list-overdue", "[{\"quoteId\":\"Q-1\",\"status\":\"ACTIVE\"},{\"quoteId\":\"Q-2\",\"status\":\"ACTIVE\"}]");
        mock("expire-each").expectedMessageCount(2);

        template.sendBody("direct:run-quote-expiry", null);

        mock("expire-each").assertIsSatisfied();
        assertThat(mock("list-overdue").getReceivedExchanges().get(0).getMessage().getHeader(Exchange.HTTP_QUERY, String.class))
                .contains("status=ACTIVE").contains("validBefore=").contains("limit=100");
    }

    @Test
    void aWonTransitionPublishesQuoteExpiredWithTheNewVersion() throws Exception {
        answer("expire-in-quote-engine", 200, "{\"quoteId\":\"Q-1\",\"product\":\"AUTO\",\"status\":\"EXPIRED\",\"version\":2,"
                + "\"validUntil\":\"2026-11-01T00:00:00Z\",\"customer\":{\"email\":\"x@example.com\"}}");
        MockEndpoint events = mock("quote-events");
        events.expectedMessageCount(1);
        events.expectedHeaderReceived("aggregateId", "Q-1");
        events.expectedHeaderReceived("aggregateVersion", "2");

        template.sendBody("direct:expire-quote", "{\"quoteId\":\"Q-1\"}");

        events.assertIsSatisfied();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                events.getReceivedExchanges().get(0).getMessage().getBody(String.class)).get("quoteId").asText()).isEqualTo("Q-1");
    }

    @Test
    void aLostTransitionPublishesNothing() throws Exception {
        mock("expire-in-quote-engine").whenAnyExchangeReceived(e -> e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 409));
        // expected before the call: set after it, the mock waits its full 10 s for a message that came already
        mock("expire-in-quote-engine").expectedMessageCount(1);
        mock("quote-events").expectedMessageCount(0);

        template.sendBody("direct:expire-quote", "{\"quoteId\":\"Q-2\"}");

        MockEndpoint.assertIsSatisfied(camelContext);
    }
}
