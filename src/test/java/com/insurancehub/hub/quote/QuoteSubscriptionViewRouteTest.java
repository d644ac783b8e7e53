package com.insurancehub.hub.quote;

import java.util.UUID;

import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of quote-events-to-subscription-view (E09) and of the dead-letter route it falls back on:
 * Kafka replaced by direct/mock endpoints, the view written to the real database.
 */
class QuoteSubscriptionViewRouteTest extends RouteTestSupport {

    @Autowired
    JdbcTemplate jdbc;

    @Override
    protected void adviceRoutes() throws Exception {
        advice("quote-events-to-subscription-view", a -> a.replaceFromWith("direct:quote-events"));
        advice("dead-letter-to-dlq-topic", a -> a.weaveById("publish-to-dlq-topic").replace().to("mock:dlq"));
    }

    @Test
    void quoteGeneratedThenQuoteExpiredMoveTheViewFromActiveToExpired() {
        String quoteId = "Q-" + UUID.randomUUID();

        template.sendBody("direct:quote-events", event("QuoteGenerated", quoteId, 1,
                "\"premium\":99.90,\"currency\":\"EUR\",\"ratingSource\":\"CACHE\",\"customer\":{\"email\":\"v@example.com\"},"));
        assertThat(row(quoteId, "status")).isEqualTo("ACTIVE");
        assertThat(row(quoteId, "rating_source")).isEqualTo("CACHE");

        template.sendBody("direct:quote-events", event("QuoteExpired", quoteId, 2, ""));
        assertThat(row(quoteId, "status")).isEqualTo("EXPIRED");
        assertThat(row(quoteId, "premium")).isEqualTo("99.90");
        assertThat(row(quoteId, "version")).isEqualTo("2");
    }

    @Test
    void anEventTypeTheViewDoesNotKnowIsSkipped() throws Exception {
        mock("dlq").expectedMessageCount(0);

        template.sendBody("direct:quote-events", "{\"eventType\":\"QuoteRepriced\",\"aggregateId\":\"Q-9\"}");

        MockEndpoint.assertIsSatisfied(camelContext);
    }

    @Test
    void anInvalidEventIsDeadLetteredWithItsReason() throws Exception {
        MockEndpoint dlq = mock("dlq");
        dlq.expectedMessageCount(1);
        String invalid = event("QuoteGenerated", "Q-" + UUID.randomUUID(), 1, "").replace("\"product\":\"AUTO\",", "");

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

    private static String event(String type, String quoteId, int version, String extraData) {
        return """
                {"eventId":"%s","eventType":"%s","aggregateId":"%s","aggregateVersion":%d,"occurredAt":"2026-11-22T10:00:00.000Z",
                 "data":{%s"quoteId":"%s","product":"AUTO","validUntil":"2026-12-22T10:00:00.000Z"}}"""
                .formatted(UUID.randomUUID(), type, quoteId, version, extraData, quoteId);
    }
}
