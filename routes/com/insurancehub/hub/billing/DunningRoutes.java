package com.insurancehub.hub.billing;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * E08 - the dunning batch: overdue invoices are dunned and each notice is published as {@code PaymentOverdue}.
 *
 * <p>Every {@code hub.billing.dunning.interval} the hub asks Billing for a dunning run as of
 * {@code hub.billing.dunning.as-of} (empty: now) with {@code hub.billing.dunning.grace-days}. Billing moves each
 * overdue OPEN invoice one level (1 = REMINDER once past due, 2 = FINAL once the grace period is over too) and answers
 * the transitions it made. Its rows are taken with {@code SKIP LOCKED}, so concurrent runs of several hub instances
 * never answer the same transition twice: every instance may run this schedule, and each transition is published
 * once, by the instance that made it.
 *
 * <p>The event is keyed by the billing account (as every billing event, so it stays in order with the account's
 * payments), its version the account version the notice was computed against, and its id names the invoice and the
 * level ({@code PaymentOverdue-<invoiceId>-<level>}): a consumer deduplicates by invoice and level, as the schema asks.
 * Known limit (as for quote expiry): the transition and the publication are two writes; if the hub dies in between,
 * that notice is lost (a lost REMINDER is followed by the FINAL one; a lost FINAL would need Billing to publish
 * dunning through its outbox).
 */
@Component
public class DunningRoutes extends RouteBuilder {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void configure() {
        from("timer:dunning?period={{hub.billing.dunning.interval}}&delay={{hub.billing.dunning.interval}}")
                .routeId("run-dunning")
                .description("E08 - every hub.billing.dunning.interval, Billing's dunning run; each transition it answers is published as PaymentOverdue")
                .onException(Exception.class).handled(true)
                    .log(LoggingLevel.WARN, "Dunning run failed, the next run retries: ${exception.message}")
                .end()
                .process(this::dunningRunRequest)
                .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                .to("{{hub.systems.billing.url}}/dunning-runs").id("ask-billing-for-dunning-run")
                .convertBodyTo(JsonNode.class)
                .split(body())
                    .to("direct:publish-payment-overdue").id("publish-each-transition")
                .end();

        from("direct:publish-payment-overdue")
                .routeId("publish-payment-overdue")
                .description("E08 - publish one dunning transition as PaymentOverdue on the billing topic, keyed by the billing account")
                .transform(simple("${bodyAs(String)}"))
                .setHeader("aggregateId", jq(".accountId", String.class))
                .setHeader("aggregateVersion", jq(".accountVersion // 1", String.class))
                .setHeader("eventId", jq("\"PaymentOverdue-\\(.invoiceId)-\\(.dunningLevel)\"", String.class))
                .log(LoggingLevel.INFO, "Invoice overdue, notice ${header.eventId} for account ${header.aggregateId}")
                .to("kamelet:insurance-event-sink?topic={{hub.topics.billing}}&eventType=PaymentOverdue")
                    .id("publish-payment-overdue-event");
    }

    /** {asOf, graceDays}; asOf only when set (Billing's default is now). */
    private void dunningRunRequest(Exchange exchange) throws Exception {
        String asOf = exchange.getContext().resolvePropertyPlaceholders("{{hub.billing.dunning.as-of:}}");
        Map<String, Object> run = new LinkedHashMap<>();
        if (asOf != null && !asOf.isBlank()) {
            run.put("asOf", asOf.trim());
        }
        run.put("graceDays", Integer.valueOf(
                exchange.getContext().resolvePropertyPlaceholders("{{hub.billing.dunning.grace-days}}")));
        exchange.getMessage().setBody(JSON.writeValueAsString(run));
    }
}
