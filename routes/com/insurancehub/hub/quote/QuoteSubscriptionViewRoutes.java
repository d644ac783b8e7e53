package com.insurancehub.hub.quote;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * E09 - the subscription view: the hub's read model of quotes, kept from the quote events with camel-jdbc.
 *
 * <p>Idempotent and order-safe by construction: the upsert applies an event only when its
 * aggregateVersion is newer than the row's, so a redelivered or late event changes nothing (R01, R02).
 * Event types this view does not know are skipped, so producers can add types without breaking it.
 */
@Component
public class QuoteSubscriptionViewRoutes extends RouteBuilder {

    private static final String UPSERT = """
            INSERT INTO hub.quote_subscription_view
                (quote_id, product, customer_email, premium, currency, rating_source, status, valid_until,
                 version, last_event_id)
            VALUES (:?quoteId, :?product, :?customerEmail, CAST(:?premium AS numeric), :?currency, :?ratingSource,
                    :?status, CAST(:?validUntil AS timestamptz), CAST(:?aggregateVersion AS integer), :?eventId)
            ON CONFLICT (quote_id) DO UPDATE SET
                customer_email = COALESCE(EXCLUDED.customer_email, quote_subscription_view.customer_email),
                premium        = COALESCE(EXCLUDED.premium, quote_subscription_view.premium),
                currency       = COALESCE(EXCLUDED.currency, quote_subscription_view.currency),
                rating_source  = COALESCE(EXCLUDED.rating_source, quote_subscription_view.rating_source),
                status         = EXCLUDED.status,
                valid_until    = COALESCE(EXCLUDED.valid_until, quote_subscription_view.valid_until),
                version        = EXCLUDED.version,
                last_event_id  = EXCLUDED.last_event_id,
                updated_at     = now()
            WHERE quote_subscription_view.version < EXCLUDED.version""";

    @Override
    public void configure() {
        from("kafka:{{hub.topics.quote}}?groupId={{hub.consumer.group-prefix}}quote-events-to-subscription-view&autoOffsetReset=earliest")
                .routeId("quote-events-to-subscription-view")
                .routeConfigurationId("kafka-consumer-errors")
                .description("E09 - keep the quote subscription view from QuoteGenerated and QuoteExpired")
                .convertBodyTo(String.class)
                .setHeader("eventType", jq(".eventType // \"\"", String.class))
                .choice()
                    .when(header("eventType").in("QuoteGenerated", "QuoteExpired"))
                        .toD("json-validator:{{hub.schemas.location}}/events/${header.eventType}.schema.json")
                            .id("validate-quote-event")
                        .setHeader("eventId", jq(".eventId", String.class))
                        .setHeader("aggregateVersion", jq(".aggregateVersion", String.class))
                        .setHeader("quoteId", jq(".data.quoteId", String.class))
                        .setHeader("product", jq(".data.product", String.class))
                        .setHeader("customerEmail", jq(".data.customer.email", String.class))
                        .setHeader("premium", jq(".data.premium", String.class))
                        .setHeader("currency", jq(".data.currency", String.class))
                        .setHeader("ratingSource", jq(".data.ratingSource", String.class))
                        .setHeader("validUntil", jq(".data.validUntil", String.class))
                        .setHeader("status", jq("if .eventType == \"QuoteExpired\" then \"EXPIRED\" else \"ACTIVE\" end", String.class))
                        .setBody(constant(UPSERT))
                        .to("jdbc:dataSource?useHeadersAsParameters=true").id("upsert-subscription-view")
                    .otherwise()
                        .log(LoggingLevel.DEBUG, "Skipping ${header.eventType}: not part of the subscription view")
                .end();
    }
}
