package com.insurancehub.hub.eventstore;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of D07: domain-events-to-event-store fed from a direct endpoint (the database real, dead letters to
 * mock:dlq), and the API routes behind the REST verbs (read-policy-events, read-policy-state, rebuild-projection)
 * called directly.
 */
@RouteDomains("eventstore")
class EventStoreRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JdbcTemplate jdbc;

    @Override
    protected void adviceRoutes() {
        route("domain-events-to-event-store").from("direct:to-store").advice(a -> a.weaveAddLast().to("mock:stored"));
        mockDeadLetterTopic();
    }

    @Test
    void eachEventIsStoredOnceWithItsAggregateTypeAndAConflictIsParked() throws Exception {
        String policyId = "P-" + UUID.randomUUID();
        String accountId = "A-" + UUID.randomUUID();
        String created = policyCreated(policyId, 2).json();
        mock("stored").expectedMessageCount(5);

        store("insurance.policy.events", created);
        store("insurance.policy.events", created);
        store("insurance.policy.events", policyCreated(policyId, 2).json());
        store("insurance.billing.events", paymentOverdue(accountId, 1));
        store("insurance.billing.events", paymentOverdue(accountId, 2));

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("stored").getReceivedExchanges()).extracting(e -> e.getMessage().getHeader("outcome", String.class))
                .satisfiesExactly(o -> assertThat(o).startsWith("APPENDED "), o -> assertThat(o).isEqualTo("DUPLICATE"),
                        o -> assertThat(o).isEqualTo("PARKED"), o -> assertThat(o).startsWith("APPENDED "),
                        o -> assertThat(o).startsWith("APPENDED "));
        Map<String, Object> stored = jdbc.queryForMap("SELECT aggregate_type, version, event_type, source FROM hub.event_store WHERE aggregate_id = ?", policyId);
        assertThat(stored).containsEntry("aggregate_type", "policy").containsEntry("version", 2)
                .containsEntry("event_type", "PolicyCreated").containsEntry("source", "insurance.policy.events/0/7");
        assertThat(jdbc.queryForList("SELECT aggregate_type FROM hub.event_store WHERE aggregate_id = ? AND version IS NULL", String.class, accountId))
                .as("unversioned notices, both kept").containsExactly("billing-account", "billing-account");
        assertThat(jdbc.queryForMap("SELECT status, premium, version FROM hub.policy_state WHERE policy_id = ?", policyId))
                .containsEntry("status", "ISSUED").containsEntry("version", 2);
    }

    @Test
    void aRecordBreakingItsSchemaIsDeadLetteredAndOtherTypesAreSkipped() throws Exception {
        mock("stored").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        store("insurance.policy.events", Events.of("SomethingElse").id("x").json());
        store("insurance.policy.events", policyCreated("P-" + UUID.randomUUID(), 2).without("premium").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("domain-events-to-event-store");
    }

    @Test
    void theApiRoutesAnswerTheStreamTheStateAndTheirProblems() throws Exception {
        String policyId = "P-" + UUID.randomUUID();
        store("insurance.policy.events", policyCreated(policyId, 2).json());

        JsonNode stream = body(template.request("direct:read-policy-events", e -> e.getMessage().setHeader("policyId", policyId)));
        assertThat(stream.get("events")).hasSize(1);
        assertThat(stream.at("/events/0/eventType").asText()).isEqualTo("PolicyCreated");
        JsonNode state = body(template.request("direct:read-policy-state", e -> {
            e.getMessage().setHeader("policyId", policyId);
            e.getMessage().setHeader("asOf", Events.OCCURRED_AT);
        }));
        assertThat(state.get("premium").decimalValue()).isEqualByComparingTo("420.00");
        assertThat(state.get("source").asText()).isEqualTo("snapshot and events");

        Exchange notAnInstant = template.request("direct:read-policy-state", e -> {
            e.getMessage().setHeader("policyId", policyId);
            e.getMessage().setHeader("asOf", "now");
        });
        assertThat(notAnInstant.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(400);
        assertThat(body(notAnInstant).at("/errors/0/field").asText()).isEqualTo("asOf");
        Exchange unknown = template.request("direct:read-policy-events", e -> e.getMessage().setHeader("policyId", "P-" + UUID.randomUUID()));
        assertThat(unknown.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(404);

        JsonNode rebuilt = body(template.request("direct:rebuild-projection", e -> e.getMessage().setHeader("projection", "policy-state")));
        assertThat(rebuilt.at("/after/checksum").asText()).isEqualTo(rebuilt.at("/before/checksum").asText());
        Exchange noSuchProjection = template.request("direct:rebuild-projection", e -> e.getMessage().setHeader("projection", "nope"));
        assertThat(noSuchProjection.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(404);
    }

    private void store(String topic, String event) {
        template.send("direct:to-store", e -> {
            e.getMessage().setHeader(KafkaConstants.TOPIC, topic);
            e.getMessage().setHeader(KafkaConstants.PARTITION, 0);
            e.getMessage().setHeader(KafkaConstants.OFFSET, 7L);
            e.getMessage().setBody(event);
        });
    }

    private static JsonNode body(Exchange exchange) throws Exception {
        return JSON.readTree(exchange.getMessage().getBody(String.class));
    }

    /** Both levels of one invoice's dunning carry the account's version 3: notices, not versions of the account. */
    private static String paymentOverdue(String accountId, int level) {
        return Events.of("PaymentOverdue").aggregate(accountId, 3).data("""
                {"invoiceId":"I-1","policyId":"P-1","accountId":"%s","amount":100.00,"currency":"EUR",
                 "dueDate":"2026-11-01","dunningLevel":%d,"graceExpired":%b,"accountVersion":3}"""
                .formatted(accountId, level, level == 2)).json();
    }

    private static Events.Event policyCreated(String policyId, int version) {
        return Events.of("PolicyCreated").aggregate(policyId, version).data("""
                {"policyId":"%s","policyNumber":"POL-%s","quoteId":"Q-1","customerId":"C-7","product":"AUTO",
                 "premium":420.00,"currency":"EUR","status":"ISSUED","version":%d}""".formatted(policyId, policyId, version));
    }
}
