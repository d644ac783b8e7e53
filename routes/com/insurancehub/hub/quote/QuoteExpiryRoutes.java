package com.insurancehub.hub.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.insurancehub.hub.platform.correlation.CorrelationId;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * E09 - quotes past their validity become EXPIRED and a QuoteExpired event is published.
 *
 * <p>A timer asks the Quote Engine which ACTIVE quotes are overdue and expires each one. The Quote Engine's
 * transition is conditional (ACTIVE and overdue, else 409), so when several hub instances run this schedule
 * only the instance that wins a transition publishes its event.
 */
@Component
public class QuoteExpiryRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:quote-expiry?period={{hub.quotes.expiry.check-interval}}&delay={{hub.quotes.expiry.check-interval}}")
                .routeId("find-overdue-quotes")
                .description("E09 - every hub.quotes.expiry.check-interval, ask the Quote Engine for ACTIVE quotes past their validity")
                .onException(Exception.class).handled(true)
                    .log(LoggingLevel.WARN, "Quote expiry run failed, next run retries: ${exception.message}")
                .end()
                .setHeader(Exchange.HTTP_METHOD, constant("GET"))
                .setHeader(Exchange.HTTP_QUERY, simple("status=ACTIVE&limit={{hub.quotes.expiry.batch-size}}"
                        + "&validBefore=${date-with-timezone:now:UTC:yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}"))
                .to("{{hub.systems.quote-engine.url}}/quotes").id("list-overdue-quotes")
                .convertBodyTo(JsonNode.class)
                .split(body())
                    .to("direct:expire-quote").id("expire-each-quote")
                .end();

        from("direct:expire-quote")
                .routeId("expire-quote")
                .description("E09 - expire one quote in the Quote Engine and publish QuoteExpired if this instance won the transition")
                .setVariable("quoteId", jq(".quoteId", String.class))
                .removeHeaders("*", CorrelationId.HEADER)
                .setBody(constant(""))
                .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                .toD("{{hub.systems.quote-engine.url}}/quotes/${variable.quoteId}/expiry?throwExceptionOnFailure=false")
                    .id("expire-in-quote-engine")
                .choice()
                    .when(header(Exchange.HTTP_RESPONSE_CODE).isEqualTo(200))
                        .convertBodyTo(String.class)
                        .setHeader("aggregateId", jq(".quoteId", String.class))
                        .setHeader("aggregateVersion", jq(".version", String.class))
                        .transform(jq("{quoteId, product, validUntil, customer: {email: .customer.email}}"))
                        .to("kamelet:insurance-event-sink?topic={{hub.topics.quote}}&eventType=QuoteExpired")
                            .id("publish-quote-expired")
                        .to("micrometer:counter:hub.quotes.expired")
                    .otherwise()
                        .log(LoggingLevel.DEBUG, "Quote ${variable.quoteId} not expired here (${header.CamelHttpResponseCode}): "
                                + "another instance won it, or it changed meanwhile")
                .end();
    }
}
