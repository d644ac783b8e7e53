package com.insurancehub.hub.policy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of the E01 fan-out: policy-created-to-billing, -notifications (through notify-customer), -audit
 * and -documents, fed from direct endpoints instead of Kafka, the systems replaced by mock endpoints, the idempotent
 * repository real.
 */
class PolicyCreatedFanOutRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void adviceRoutes() throws Exception {
        advice("policy-created-to-billing", a -> {
            a.replaceFromWith("direct:to-billing");
            a.weaveById("issue-first-invoice").replace().to("mock:billing");
        });
        advice("policy-created-to-notifications", a -> a.replaceFromWith("direct:to-notifications"));
        advice("notify-customer", a -> {
            a.weaveById("look-up-customer-to-notify").replace().to("mock:customer-hub");
            a.weaveById("send-customer-notification").replace().to("mock:notifications");
        });
        advice("policy-created-to-audit", a -> {
            a.replaceFromWith("direct:to-audit");
            a.weaveById("record-in-audit").replace().to("mock:audit");
        });
        advice("policy-created-to-documents", a -> {
            a.replaceFromWith("direct:to-documents");
            a.weaveById("generate-policy-documents").replace().to("mock:documents");
        });
        advice("dead-letter-to-dlq-topic", a -> a.weaveById("publish-to-dlq-topic").replace().to("mock:dlq"));
    }

    @Test
    void eachConsumerAsksItsSystemOnceEvenWhenTheEventComesTwice() throws Exception {
        mock("customer-hub").whenAnyExchangeReceived(e -> e.getMessage().setBody(
                "{\"customerId\":\"C-7\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.com\"}"));
        for (String system : new String[] {"billing", "notifications", "audit", "documents"}) {
            mock(system).expectedMessageCount(1);
        }
        String event = policyCreated(UUID.randomUUID().toString(), "P-" + UUID.randomUUID());

        for (int delivery = 0; delivery < 2; delivery++) {
            template.sendBody("direct:to-billing", event);
            template.sendBody("direct:to-notifications", event);
            template.sendBody("direct:to-audit", event);
            template.sendBody("direct:to-documents", event);
        }

        MockEndpoint.assertIsSatisfied(camelContext);
        JsonNode invoice = sent("billing");
        assertThat(invoice.get("amount").decimalValue()).isEqualByComparingTo("420.00");
        assertThat(invoice.get("sourceEventId").asText()).isEqualTo(JSON.readTree(event).get("eventId").asText());
        JsonNode email = sent("notifications");
        assertThat(email.get("to").asText()).isEqualTo("ada@example.com");
        assertThat(email.get("subject").asText()).contains("POL-00000042");
        assertThat(email.get("template").asText()).isEqualTo("policy-confirmation");
        assertThat(email.get("body").asText()).startsWith("Dear Ada Lovelace, your policy POL-00000042 is issued: premium 420");
        assertThat(sent("audit").get("eventType").asText()).isEqualTo("PolicyCreated");
        assertThat(sent("documents").get("kinds")).hasSize(2);
    }

    @Test
    void otherPolicyEventsAreNotForTheseConsumers() throws Exception {
        mock("billing").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(0);

        template.sendBody("direct:to-billing", "{\"eventType\":\"PolicyCancelled\",\"eventId\":\"x\",\"data\":{}}");

        MockEndpoint.assertIsSatisfied(camelContext);
    }

    /** Kafka hands headers over as bytes: the relay's eventType header decides without the body being read. */
    @Test
    void anEventOfAnotherTypeIsSkippedOnItsKafkaHeaderWithoutBeingRead() throws Exception {
        mock("billing").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(0);

        template.sendBodyAndHeader("direct:to-billing", "not even JSON", "eventType", "PolicyCancelled".getBytes(StandardCharsets.UTF_8));

        MockEndpoint.assertIsSatisfied(camelContext);
    }

    @Test
    void aRecordWithTheRightHeaderIsStillReadAndAPoisonOneDeadLettered() throws Exception {
        mock("billing").expectedMessageCount(1);
        mock("dlq").expectedMessageCount(1);
        byte[] header = "PolicyCreated".getBytes(StandardCharsets.UTF_8);

        template.sendBodyAndHeader("direct:to-billing", policyCreated(UUID.randomUUID().toString(), "P-" + UUID.randomUUID()), "eventType", header);
        template.sendBodyAndHeader("direct:to-billing", "not even JSON", "eventType", header);

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("policy-created-to-billing");
    }

    @Test
    void aPolicyCreatedThatBreaksItsSchemaIsDeadLettered() throws Exception {
        mock("billing").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        template.sendBody("direct:to-billing", policyCreated(UUID.randomUUID().toString(), "P-1").replace("\"premium\":420.00,", ""));

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("policy-created-to-billing");
    }

    private JsonNode sent(String system) throws Exception {
        return JSON.readTree(mock(system).getReceivedExchanges().get(0).getMessage().getBody(String.class));
    }

    static String policyCreated(String eventId, String policyId) {
        return """
                {"eventId":"%s","eventType":"PolicyCreated","aggregateId":"%s","aggregateVersion":2,
                 "occurredAt":"2026-11-22T10:00:00.000Z",
                 "data":{"policyId":"%s","policyNumber":"POL-00000042","quoteId":"Q-1","customerId":"C-7","product":"AUTO",
                         "premium":420.00,"currency":"EUR","status":"ISSUED"}}""".formatted(eventId, policyId, policyId);
    }
}
