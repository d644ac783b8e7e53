package com.insurancehub.hub.policy;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith tests of the policy lifecycle routes: the policy changes API (modify-policy, cancel-policy), the E02
 * consumers (policy-modified-to-billing, -notifications), the E03 consumers (policy-cancelled-to-billing,
 * -notifications, refund-issued-to-notifications) and the shared notify-customer route. Kafka is replaced by direct
 * endpoints, the systems by mock endpoints; the idempotent repository is the real one.
 */
class PolicyLifecycleRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void adviceRoutes() throws Exception {
        advice("modify-policy", a -> a.weaveById("modify-policy-in-pas").replace().to("mock:pas-modify"));
        advice("cancel-policy", a -> a.weaveById("cancel-policy-at-customers-request").replace().to("mock:pas-cancel"));
        advice("policy-modified-to-billing", a -> {
            a.replaceFromWith("direct:modified-to-billing");
            a.weaveById("adjust-premium-in-billing").replace().to("mock:billing");
        });
        advice("policy-modified-to-notifications", a -> {
            a.replaceFromWith("direct:modified-to-notifications");
            a.weaveById("send-modification-email").replace().to("mock:notify");
        });
        advice("policy-cancelled-to-billing", a -> {
            a.replaceFromWith("direct:cancelled-to-billing");
            a.weaveById("terminate-billing").replace().to("mock:billing");
        });
        advice("policy-cancelled-to-notifications", a -> {
            a.replaceFromWith("direct:cancelled-to-notifications");
            a.weaveById("send-cancellation-email").replace().to("mock:notify");
        });
        advice("refund-issued-to-notifications", a -> {
            a.replaceFromWith("direct:refund-to-notifications");
            a.weaveById("send-refund-email").replace().to("mock:notify");
        });
        advice("notify-customer", a -> {
            a.weaveById("look-up-policy-holder").replace().to("mock:pas-policy");
            a.weaveById("look-up-customer-to-notify").replace().to("mock:customer-hub");
            a.weaveById("send-customer-notification").replace().to("mock:notifications");
        });
        advice("dead-letter-to-dlq-topic", a -> a.weaveById("publish-to-dlq-topic").replace().to("mock:dlq"));
    }

    @Test
    void aModificationCarriesItsIdempotencyKeyToPasAndAnswersTheModifiedPolicy() throws Exception {
        String policyId = "P-" + UUID.randomUUID();
        mock("pas-modify").whenAnyExchangeReceived(e -> {
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
            e.getMessage().setBody("""
                    {"policyId":"%s","policyNumber":"POL-1","status":"ACTIVE","product":"AUTO","premium":600.0,"currency":"EUR",
                     "version":4,"claimCount":0,"modification":{"modificationId":"MOD-1","requestId":"key-1","previousPremium":500.0,
                     "premium":600.0,"premiumDelta":100.0,"reason":"second driver","policyVersion":4}}""".formatted(policyId));
        });

        Exchange answer = template.request("direct:modify-policy", e -> {
            e.getMessage().setHeader("policyId", policyId);
            e.getMessage().setHeader("Idempotency-Key", "key-1");
            e.getMessage().setBody("{\"premium\":600,\"reason\":\"second driver\"}");
        });

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(201);
        JsonNode sent = JSON.readTree(mock("pas-modify").getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(sent.get("requestId").asText()).isEqualTo("key-1");
        assertThat(sent.get("premium").asInt()).isEqualTo(600);
        JsonNode policy = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(policy.get("modification").get("premiumDelta").asDouble()).isEqualTo(100.0);
        assertThat(policy.has("claimCount")).isFalse();
    }

    @Test
    void pasRefusalsArePassedOnWithTheirReasonAndBadInputNeverReachesPas() throws Exception {
        mock("pas-modify").expectedMessageCount(1);
        mock("pas-modify").whenAnyExchangeReceived(e -> {
            throw new HttpOperationFailedException("http://pas/policies/x/modifications", 409, "Conflict", null, Map.of(),
                    "{\"status\":409,\"title\":\"Conflict\",\"detail\":\"policy x is CANCELLED\",\"reason\":\"POLICY_CANCELLED\"}");
        });
        String policyId = "P-" + UUID.randomUUID();

        Exchange conflict = template.request("direct:modify-policy", e -> {
            e.getMessage().setHeader("policyId", policyId);
            e.getMessage().setBody("{\"premium\":600,\"reason\":\"x\"}");
        });
        Exchange invalid = template.request("direct:modify-policy", e -> {
            e.getMessage().setHeader("policyId", policyId);
            e.getMessage().setBody("{\"product\":\"BOAT\",\"reason\":\"x\"}");
        });
        Exchange notAPolicy = template.request("direct:modify-policy", e -> {
            e.getMessage().setHeader("policyId", "../admin");
            e.getMessage().setBody("{\"premium\":600,\"reason\":\"x\"}");
        });

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(conflict.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(409);
        JsonNode problem = JSON.readTree(conflict.getMessage().getBody(String.class));
        assertThat(problem.get("reason").asText()).isEqualTo("POLICY_CANCELLED");
        assertThat(problem.get("detail").asText()).isEqualTo("policy x is CANCELLED");
        assertThat(invalid.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(400);
        assertThat(invalid.getMessage().getBody(String.class)).contains("$.product");
        assertThat(notAPolicy.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(404);
    }

    @Test
    void aCancellationOfAnUnknownPolicyIsA404() throws Exception {
        mock("pas-cancel").whenAnyExchangeReceived(e -> {
            throw new HttpOperationFailedException("http://pas/policies/x/cancellation", 404, "Not Found", null, Map.of(),
                    "{\"status\":404,\"title\":\"Not Found\",\"detail\":\"no policy x\"}");
        });

        Exchange answer = template.request("direct:cancel-policy", e -> {
            e.getMessage().setHeader("policyId", "P-" + UUID.randomUUID());
            e.getMessage().setBody("{\"reason\":\"CUSTOMER_REQUEST\"}");
        });

        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(404);
        assertThat(answer.getMessage().getBody(String.class)).contains("no policy x");
    }

    @Test
    void aPolicyModifiedIsAdjustedOnceEvenDeliveredTwiceAndNotAtAllWithoutAPremiumChange() throws Exception {
        mock("billing").expectedMessageCount(1);
        String policyId = "P-" + UUID.randomUUID();
        String event = policyModified(UUID.randomUUID().toString(), policyId, "120.00");

        template.sendBody("direct:modified-to-billing", event);
        template.sendBody("direct:modified-to-billing", event);
        template.sendBody("direct:modified-to-billing", policyModified(UUID.randomUUID().toString(), policyId, "0"));

        MockEndpoint.assertIsSatisfied(camelContext);
        JsonNode adjustment = sent("billing");
        assertThat(adjustment.get("amountDelta").decimalValue()).isEqualByComparingTo("120");
        assertThat(adjustment.get("policyId").asText()).isEqualTo(policyId);
        assertThat(adjustment.get("sourceEventId").asText()).isEqualTo(JSON.readTree(event).get("eventId").asText());
    }

    @Test
    void anAdjustmentRefusedByAClosedAccountIsSupersededNotDeadLettered() throws Exception {
        mock("billing").expectedMessageCount(1);
        mock("dlq").expectedMessageCount(0);
        mock("billing").whenAnyExchangeReceived(e -> {
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 409);
            e.getMessage().setBody("{\"status\":409,\"reason\":\"ACCOUNT_CLOSED\"}");
        });

        template.sendBody("direct:modified-to-billing", policyModified(UUID.randomUUID().toString(), "P-1", "-50.00"));

        MockEndpoint.assertIsSatisfied(camelContext);
    }

    @Test
    void aPolicyModifiedThatBreaksItsSchemaIsDeadLettered() throws Exception {
        mock("billing").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        template.sendBody("direct:modified-to-billing",
                policyModified(UUID.randomUUID().toString(), "P-1", "10").replace("\"premiumDelta\":10,", ""));

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("policy-modified-to-billing");
    }

    @Test
    void customersAreToldOfModificationsCancellationsAndRefundsOncePerEvent() throws Exception {
        mock("notify").expectedMessageCount(3);
        String policyId = "P-" + UUID.randomUUID();
        String modified = policyModified(UUID.randomUUID().toString(), policyId, "120.00");
        String cancelled = policyCancelled(UUID.randomUUID().toString(), policyId);
        String refund = refundIssued(UUID.randomUUID().toString(), policyId);

        for (int delivery = 0; delivery < 2; delivery++) {
            template.sendBody("direct:modified-to-notifications", modified);
            template.sendBody("direct:cancelled-to-notifications", cancelled);
            template.sendBody("direct:refund-to-notifications", refund);
        }

        MockEndpoint.assertIsSatisfied(camelContext);
        var messages = mock("notify").getReceivedExchanges().stream()
                .map(e -> readTree(e.getMessage().getBody(String.class))).toList();
        assertThat(messages).extracting(m -> m.get("template").asText())
                .containsExactly("policy-modified", "policy-cancelled", "premium-refund");
        assertThat(messages.get(1).get("body").asText()).contains("NON_PAYMENT").contains("unpaid");
        assertThat(messages.get(2).get("body").asText()).contains("42.5 EUR");
        assertThat(messages.get(2).has("customerId")).isFalse();
        assertThat(messages).allSatisfy(m -> assertThat(m.get("reference").asText()).isEqualTo(policyId));
    }

    @Test
    void aPolicyCancelledTerminatesBillingOnceWithTheCancellationsReasonAndDate() throws Exception {
        mock("billing").expectedMessageCount(1);
        String event = policyCancelled(UUID.randomUUID().toString(), "P-9");

        template.sendBody("direct:cancelled-to-billing", event);
        template.sendBody("direct:cancelled-to-billing", event);

        MockEndpoint.assertIsSatisfied(camelContext);
        JsonNode termination = sent("billing");
        assertThat(termination.get("reason").asText()).isEqualTo("NON_PAYMENT");
        assertThat(termination.get("effectiveDate").asText()).isEqualTo("2026-11-22");
        assertThat(termination.get("policyId").asText()).isEqualTo("P-9");
    }

    @Test
    void notifyCustomerAddressesTheGoldenRecordAndFindsTheCustomerThroughThePolicyWhenTheEventHasNone() throws Exception {
        mock("pas-policy").whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"policyId\":\"P-3\",\"customerId\":\"C-3\"}"));
        mock("customer-hub").whenAnyExchangeReceived(e -> e.getMessage().setBody(
                "{\"customerId\":\"C-3\",\"firstName\":\"Grace\",\"lastName\":\"Hopper\",\"email\":\"grace@example.com\"}"));
        mock("pas-policy").expectedMessageCount(1);
        mock("notifications").expectedMessageCount(1);

        template.sendBody("direct:notify-customer",
                "{\"policyId\":\"P-3\",\"template\":\"t\",\"subject\":\"s\",\"body\":\"hello.\",\"reference\":\"P-3\",\"sourceEventId\":\"E-1\"}");

        MockEndpoint.assertIsSatisfied(camelContext);
        JsonNode message = sent("notifications");
        assertThat(message.get("to").asText()).isEqualTo("grace@example.com");
        assertThat(message.get("body").asText()).isEqualTo("Dear Grace Hopper, hello.");
        assertThat(message.get("sourceEventId").asText()).isEqualTo("E-1");
        assertThat(mock("customer-hub").getReceivedExchanges().get(0).getMessage().getHeader(Exchange.HTTP_URI)).isNull();
    }

    private JsonNode sent(String endpoint) throws Exception {
        return JSON.readTree(mock(endpoint).getReceivedExchanges().get(0).getMessage().getBody(String.class));
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String policyModified(String eventId, String policyId, String delta) {
        return """
                {"eventId":"%s","eventType":"PolicyModified","aggregateId":"%s","aggregateVersion":3,
                 "occurredAt":"2026-11-22T10:00:00.000Z",
                 "data":{"policyId":"%s","policyNumber":"POL-00000042","quoteId":"Q-1","customerId":"C-7","product":"AUTO",
                         "premium":540.00,"currency":"EUR","status":"ACTIVE","version":3,"claimCount":0,"claimedTotal":0,
                         "premiumPaid":420.00,"modificationId":"MOD-1","reason":"second driver","previousPremium":420.00,
                         "premiumDelta":%s,"previousProduct":"AUTO"}}""".formatted(eventId, policyId, policyId, delta);
    }

    static String policyCancelled(String eventId, String policyId) {
        return """
                {"eventId":"%s","eventType":"PolicyCancelled","aggregateId":"%s","aggregateVersion":4,
                 "occurredAt":"2026-11-22T10:00:00.000Z",
                 "data":{"policyId":"%s","policyNumber":"POL-00000042","quoteId":"Q-1","customerId":"C-7","product":"AUTO",
                         "premium":420.00,"currency":"EUR","status":"CANCELLED","version":4,"claimCount":0,"claimedTotal":0,
                         "premiumPaid":0,"cancellationReason":"NON_PAYMENT","cancellationEffectiveDate":"2026-11-22",
                         "reason":"NON_PAYMENT","effectiveDate":"2026-11-22","previousStatus":"ISSUED"}}"""
                .formatted(eventId, policyId, policyId);
    }

    static String refundIssued(String eventId, String policyId) {
        return """
                {"eventId":"%s","eventType":"RefundIssued","aggregateId":"A-1","aggregateVersion":7,
                 "occurredAt":"2026-11-22T10:00:00.000Z",
                 "data":{"accountId":"A-1","policyId":"%s","refundId":"RF-1","amount":42.5,"currency":"EUR",
                         "reason":"CUSTOMER_REQUEST"}}""".formatted(eventId, policyId);
    }
}
