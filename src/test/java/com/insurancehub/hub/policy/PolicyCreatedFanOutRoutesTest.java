package com.insurancehub.hub.policy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of the E01 fan-out: policy-created-to-billing, -notifications (through notify-customer), -audit
 * and -documents, fed from direct endpoints instead of Kafka, the systems replaced by mock endpoints, the idempotent
 * repository real.
 */
@RouteDomains("policy")
class PolicyCreatedFanOutRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void adviceRoutes() {
        route("policy-created-to-billing").from("direct:to-billing").mockCall("issue-first-invoice", "billing");
        route("policy-created-to-notifications").from("direct:to-notifications");
        route("notify-customer")
                .mockCall("look-up-customer-to-notify", "customer-hub").mockCall("send-customer-notification", "notifications");
        route("policy-created-to-audit").from("direct:to-audit").mockCall("record-in-audit", "audit");
        route("policy-created-to-documents").from("direct:to-documents")
                .mockCall("generate-policy-documents", "documents");
        mockDeadLetterTopic();
    }

    @Test
    void eachConsumerAsksItsSystemOnceEvenWhenTheEventComesTwice() throws Exception {
        answer("customer-hub", "{\"customerId\":\"C-7\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.com\"}");
        for (String system : new String[] {"billing", "notifications", "audit", "documents"}) {
            mock(system).expectedMessageCount(1);
        }
        String event = policyCreated("P-" + UUID.randomUUID()).json();

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

        template.sendBody("direct:to-billing", Events.of("PolicyCancelled").id("x").unchecked().json());

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

        template.sendBodyAndHeader("direct:to-billing", policyCreated("P-" + UUID.randomUUID()).json(), "eventType", header);
        template.sendBodyAndHeader("direct:to-billing", "not even JSON", "eventType", header);

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("policy-created-to-billing");
    }

    @Test
    void aPolicyCreatedThatBreaksItsSchemaIsDeadLettered() throws Exception {
        mock("billing").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        template.sendBody("direct:to-billing", policyCreated("P-1").without("premium").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("policy-created-to-billing");
    }

    private JsonNode sent(String system) throws Exception {
        return JSON.readTree(mock(system).getReceivedExchanges().get(0).getMessage().getBody(String.class));
    }

    private static Events.Event policyCreated(String policyId) {
        return Events.of("PolicyCreated").aggregate(policyId, 2).data("""
                {"policyId":"%s","policyNumber":"POL-00000042","quoteId":"Q-1","customerId":"C-7","product":"AUTO",
                 "premium":420.00,"currency":"EUR","status":"ISSUED"}""".formatted(policyId));
    }
}
