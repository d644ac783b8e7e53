package com.insurancehub.hub.claims;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith tests of the claim event consumers: E05 claim-assessed-to-pas / -notifications and E06
 * claim-settled-to-billing / -notifications. Kafka and the systems are replaced by endpoints of this test.
 */
@RouteDomains("claims")
class ClaimEventsRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void adviceRoutes() {
        route("claim-assessed-to-pas").from("direct:assessed-to-pas").mockCall("count-claim-on-policy", "pas");
        route("claim-assessed-to-notifications").from("direct:assessed-to-notifications")
                .mockCall("send-assessment-email", "notify");
        route("claim-settled-to-billing").from("direct:settled-to-billing").mockCall("issue-payout", "billing");
        route("claim-settled-to-notifications").from("direct:settled-to-notifications")
                .mockCall("send-settlement-email", "notify");
        mockDeadLetterTopic();
    }

    @Test
    void anAcceptedClaimIsCountedOnItsPolicyOnceAndARejectedOneNot() throws Exception {
        mock("pas").expectedMessageCount(1);
        String accepted = claimEvent("ClaimAssessed", "ACCEPTED", "900.00").json();

        template.sendBody("direct:assessed-to-pas", accepted);
        template.sendBody("direct:assessed-to-pas", accepted);
        template.sendBody("direct:assessed-to-pas", claimEvent("ClaimAssessed", "REJECTED", "0").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        JsonNode counted = sent("pas", 0);
        assertThat(counted.get("claimId").asText()).isEqualTo("CLM-1");
        assertThat(counted.get("assessedAmount").decimalValue()).isEqualByComparingTo("900");
        assertThat(mock("pas").getReceivedExchanges().get(0).getMessage().getHeader("CamelHttpUri")).isNull();
    }

    @Test
    void aSettledClaimIsPaidOutOnceAndEachDecisionToldOnce() throws Exception {
        mock("billing").expectedMessageCount(1);
        mock("notify").expectedMessageCount(3);
        String accepted = claimEvent("ClaimAssessed", "ACCEPTED", "900.00").json();
        String rejected = claimEvent("ClaimAssessed", "REJECTED", "0").json();
        String settled = claimEvent("ClaimSettled", "ACCEPTED", "900.00").json();

        for (int delivery = 0; delivery < 2; delivery++) {
            template.sendBody("direct:settled-to-billing", settled);
            template.sendBody("direct:assessed-to-notifications", accepted);
            template.sendBody("direct:assessed-to-notifications", rejected);
            template.sendBody("direct:settled-to-notifications", settled);
        }

        MockEndpoint.assertIsSatisfied(camelContext);
        JsonNode payout = sent("billing", 0);
        assertThat(payout.get("amount").decimalValue()).isEqualByComparingTo("850");
        assertThat(payout.get("policyId").asText()).isEqualTo("P-1");
        assertThat(payout.get("sourceEventId").asText()).isEqualTo(JSON.readTree(settled).get("eventId").asText());
        assertThat(sent("notify", 0).get("body").asText()).contains("accepted for 900");
        assertThat(sent("notify", 1).get("body").asText()).contains("rejected: not covered");
        assertThat(sent("notify", 2).get("template").asText()).isEqualTo("claim-settled");
        assertThat(sent("notify", 2).get("reference").asText()).isEqualTo("CLM-1");
    }

    @Test
    void aClaimSettledThatBreaksItsSchemaIsDeadLettered() throws Exception {
        mock("billing").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        template.sendBody("direct:settled-to-billing",
                claimEvent("ClaimSettled", "ACCEPTED", "900.00").without("amount").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("claim-settled-to-billing");
    }

    private JsonNode sent(String endpoint, int index) throws Exception {
        return JSON.readTree(mock(endpoint).getReceivedExchanges().get(index).getMessage().getBody(String.class));
    }

    private static Events.Event claimEvent(String type, String decision, String assessed) {
        boolean accepted = "ACCEPTED".equals(decision);
        String settled = "ClaimSettled".equals(type) ? "\"settledAmount\":850.00,\"amount\":850.00," : "";
        return Events.of(type).aggregate("CLM-1", 2).data("""
                {"claimId":"CLM-1","claimNumber":"CLA-00000007","policyId":"P-1","policyNumber":"POL-1","customerId":"C-1",
                 "incidentDate":"2026-11-20","claimedAmount":1200.00,"currency":"EUR",%s"status":"%s","version":2,
                 "decision":"%s","assessedAmount":%s%s}"""
                .formatted(settled, accepted ? "ASSESSED" : "REJECTED", decision, assessed,
                        accepted ? "" : ",\"assessmentNotes\":\"not covered\""));
    }
}
