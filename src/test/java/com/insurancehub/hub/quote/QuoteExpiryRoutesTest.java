package com.insurancehub.hub.quote;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.model.Model;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** AdviceWith test of find-overdue-quotes and expire-quote (E09). */
@RouteDomains("quote")
class QuoteExpiryRoutesTest extends RouteTestSupport {

    @Autowired
    MeterRegistry meters;

    @Override
    protected void adviceRoutes() {
        route("find-overdue-quotes").from("direct:run-quote-expiry").mockCall("list-overdue-quotes", "list-overdue")
                .mockCall("expire-each-quote", "expire-each");
        route("expire-quote").mockCalls("expire-in-quote-engine");
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
    void aWonTransitionIsCountedAndTheHubPublishesNothingItself() throws Exception {
        answer("expire-in-quote-engine", 200, "{\"quoteId\":\"Q-1\",\"product\":\"AUTO\",\"status\":\"EXPIRED\",\"version\":2,"
                + "\"validUntil\":\"2026-11-01T00:00:00Z\",\"customer\":{\"email\":\"x@example.com\"}}");
        double before = expired();

        template.sendBody("direct:expire-quote", "{\"quoteId\":\"Q-1\"}");

        assertThat(mock("expire-in-quote-engine").getReceivedCounter()).isEqualTo(1);
        assertThat(expired() - before).isEqualTo(1);
        // the Quote Engine wrote QuoteExpired to its outbox with the transition (D01): no event is sent from here
        String route = camelContext.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition("expire-quote").toString();
        assertThat(route).contains("to[mock:expire-in-quote-engine]").doesNotContain("kamelet:").doesNotContain("kafka:");
    }

    @Test
    void aLostTransitionCountsNothing() throws Exception {
        mock("expire-in-quote-engine").whenAnyExchangeReceived(e -> e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 409));
        double before = expired();

        template.sendBody("direct:expire-quote", "{\"quoteId\":\"Q-2\"}");

        assertThat(mock("expire-in-quote-engine").getReceivedCounter()).isEqualTo(1);
        assertThat(expired()).isEqualTo(before);
    }

    private double expired() {
        Counter counter = meters.find("hub.quotes.expired").counter();
        return counter == null ? 0 : counter.count();
    }
}
