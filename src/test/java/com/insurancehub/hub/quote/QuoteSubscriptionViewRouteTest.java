package com.insurancehub.hub.quote;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of quote-events-to-subscription-view (E09) and of the dead-letter route it falls back on:
 * Kafka replaced by direct/mock endpoints, the view written to the real database.
 */
@RouteDomains("quote")
class QuoteSubscriptionViewRouteTest extends RouteTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    @Override
    protected void adviceRoutes() {
        route("quote-events-to-subscription-view").from("direct:quote-events");
        mockDeadLetterTopic();
    }

    @Test
    void quoteGeneratedThenQuoteExpiredMoveTheViewFromActiveToExpired() {
        String quoteId = "Q-" + UUID.randomUUID();

        template.sendBody("direct:quote-events", event("QuoteGenerated", quoteId, 1).with("premium", new BigDecimal("99.90"))
                .with("currency", "EUR").with("ratingSource", "CACHE").with("customer", Map.of("email", "v@example.com")).json());
        assertThat(row(quoteId, "status")).isEqualTo("ACTIVE");
        assertThat(row(quoteId, "rating_source")).isEqualTo("CACHE");

        template.sendBody("direct:quote-events", event("QuoteExpired", quoteId, 2).json());
        assertThat(row(quoteId, "status")).isEqualTo("EXPIRED");
        assertThat(row(quoteId, "premium")).isEqualTo("99.90");
        assertThat(row(quoteId, "version")).isEqualTo("2");
    }

    @Test
    void anEventTypeTheViewDoesNotKnowIsSkipped() throws Exception {
        mock("dlq").expectedMessageCount(0);

        template.sendBody("direct:quote-events", Events.of("QuoteRepriced").aggregate("Q-9", 1).json());

        MockEndpoint.assertIsSatisfied(camelContext);
    }

    @Test
    void anInvalidEventIsDeadLetteredWithItsReason() throws Exception {
        MockEndpoint dlq = mock("dlq");
        dlq.expectedMessageCount(1);
        String invalid = event("QuoteGenerated", "Q-" + UUID.randomUUID(), 1).without("product").json();

        template.sendBody("direct:quote-events", invalid);

        dlq.assertIsSatisfied();
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getBody(String.class)).isEqualTo(invalid);
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlqReason", String.class)).contains("product");
        assertThat(dlq.getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute", String.class))
                .isEqualTo("quote-events-to-subscription-view");
    }

    private String row(String quoteId, String column) {
        return jdbc.queryForObject("SELECT " + column + "::text FROM hub.quote_subscription_view WHERE quote_id = ?",
                String.class, quoteId);
    }

    private static Events.Event event(String type, String quoteId, int version) {
        return Events.of(type).aggregate(quoteId, version).data("""
                {"quoteId":"%s","product":"AUTO","validUntil":"2026-12-22T10:00:00.000Z"}""".formatted(quoteId));
    }
}
