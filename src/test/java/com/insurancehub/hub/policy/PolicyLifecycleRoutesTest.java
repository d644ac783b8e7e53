package com.insurancehub.hub.policy;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith tests of the policy lifecycle routes: the policy changes API (modify-policy, cancel-policy), the E02
 * consumers (policy-modified-to-billing, -notifications), the E03 consumers (policy-cancelled-to-billing,
 * -notifications, refund-issued-to-notifications) and the shared notify-customer route. Kafka is replaced by direct
 * endpoints, the systems by mock endpoints; the idempotent repository is the real one.
 */
@RouteDomains("policy")
class PolicyLifecycleRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void adviceRoutes() {
        route("modify-policy").mockCall("modify-policy-in-pas", "pas-modify");
        route("cancel-policy").mockCall("cancel-policy-at-customers-request", "pas-cancel");
        route("policy-modified-to-billing").from("direct:modified-to-billing")
                .mockCall("adjust-premium-in-billing", "billing");
        route("policy-modified-to-notifications").from("direct:modified-to-notifications")
                .mockCall("send-modification-email", "notify");
        route("policy-cancelled-to-billing").from("direct:cancelled-to-billing")
                .mockCall("terminate-billing", "billing");
        route("policy-cancelled-to-notifications").from("direct:cancelled-to-notifications")
                .mockCall("send-cancellation-email", "notify");
        route("refund-issued-to-notifications").from("direct:refund-to-notifications")
                .mockCall("send-refund-email", "notify");
        route("notify-customer")
                .mockCall("look-up-policy-holder", "pas-policy")
                .mockCall("look-up-customer-to-notify", "customer-hub")
                .mockCall("send-customer-notification", "notifications");
        mockDeadLetterTopic();
    }

    @Test
    void aModificationCarriesItsIdempotencyKeyToPasAndAnswersTheModifiedPolicy() throws Exception {
        String policyId = "P-" + UUID.randomUUID();
        answer("pas-modify", 201, """
                {"policyId":"%s","policyNumber":"POL-1","status":"ACTIVE","product":"AUTO","premium":600.0,"currency":"EUR",
                 "version":4,"claimCount":0,"modification":{"modificationId":"MOD-1","requestId":"key-1","previousPremium":500.0,
                 "premium":600.0,"premiumDelta":100.0,"reason":"second driver","policyVersion":4}}""".formatted(policyId));

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
        String event = policyModified(policyId, "120.00").json();

        template.sendBody("direct:modified-to-billing", event);
        template.sendBody("direct:modified-to-billing", event);
        template.sendBody("direct:modified-to-billing", policyModified(policyId, "0").json());

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
        answer("billing", 409, "{\"status\":409,\"reason\":\"ACCOUNT_CLOSED\"}");

        template.sendBody("direct:modified-to-billing", policyModified("P-1", "-50.00").json());

        MockEndpoint.assertIsSatisfied(camelContext);
    }

    @Test
    void aPolicyModifiedThatBreaksItsSchemaIsDeadLettered() throws Exception {
        mock("billing").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        template.sendBody("direct:modified-to-billing",
                policyModified("P-1", "10").without("premiumDelta").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("policy-modified-to-billing");
    }

    @Test
    void customersAreToldOfModificationsCancellationsAndRefundsOncePerEvent() throws Exception {
        mock("notify").expectedMessageCount(3);
        String policyId = "P-" + UUID.randomUUID();
        String modified = policyModified(policyId, "120.00").json();
        String cancelled = policyCancelled(policyId).json();
        String refund = refundIssued(policyId).json();

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
        String event = policyCancelled("P-9").json();

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
        answer("pas-policy", "{\"policyId\":\"P-3\",\"customerId\":\"C-3\"}");
        answer("customer-hub", "{\"customerId\":\"C-3\",\"firstName\":\"Grace\",\"lastName\":\"Hopper\",\"email\":\"grace@example.com\"}");
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

    private static Events.Event policyModified(String policyId, String delta) {
        return Events.of("PolicyModified").aggregate(policyId, 3).data("""
                {"policyId":"%s","policyNumber":"POL-00000042","quoteId":"Q-1","customerId":"C-7","product":"AUTO",
                 "premium":540.00,"currency":"EUR","status":"ACTIVE","version":3,"claimCount":0,"claimedTotal":0,
                 "premiumPaid":420.00,"modificationId":"MOD-1","reason":"second driver","previousPremium":420.00,
                 "premiumDelta":%s,"previousProduct":"AUTO"}""".formatted(policyId, delta));
    }

    private static Events.Event policyCancelled(String policyId) {
        return Events.of("PolicyCancelled").aggregate(policyId, 4).data("""
                {"policyId":"%s","policyNumber":"POL-00000042","quoteId":"Q-1","customerId":"C-7","product":"AUTO",
                 "premium":420.00,"currency":"EUR","status":"CANCELLED","version":4,"claimCount":0,"claimedTotal":0,
                 "premiumPaid":0,"cancellationReason":"NON_PAYMENT","cancellationEffectiveDate":"2026-11-22",
                 "reason":"NON_PAYMENT","effectiveDate":"2026-11-22","previousStatus":"ISSUED"}""".formatted(policyId));
    }

    private static Events.Event refundIssued(String policyId) {
        return Events.of("RefundIssued").aggregate("A-1", 7).data("""
                {"accountId":"A-1","policyId":"%s","refundId":"RF-1","amount":42.5,"currency":"EUR",
                 "reason":"CUSTOMER_REQUEST"}""".formatted(policyId));
    }
}
