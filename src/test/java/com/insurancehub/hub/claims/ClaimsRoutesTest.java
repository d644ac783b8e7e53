package com.insurancehub.hub.claims;

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
 * AdviceWith test of F06 (open-claim, check-policy-coverage, assess-claim, settle-claim; Claims' refusals passed on) and
 * E04 (claim-opened-to-notifications through notify-customer, claim-opened-to-audit): PAS, the replica, Claims, the Customer Hub,
 * Notifications and Audit replaced by mock endpoints; the idempotent repository real.
 */
@RouteDomains("claims")
class ClaimsRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLAIM_ID = "CLM-" + UUID.randomUUID();

    @Override
    protected void adviceRoutes() {
        route("open-claim").mockCall("check-coverage", "coverage").mockCall("open-claim-in-claims", "claims");
        route("check-policy-coverage").mockCall("look-up-policy-in-pas", "pas");
        route("read-coverage-from-replica").mockCall("look-up-policy-in-replica", "replica");
        route("assess-claim").mockCall("assess-claim-in-claims", "claims-assessment");
        route("settle-claim").mockCall("settle-claim-in-claims", "claims-settlement");
        route("claim-opened-to-notifications").from("direct:to-notifications");
        route("notify-customer")
                .mockCall("look-up-customer-to-notify", "customer-hub").mockCall("send-customer-notification", "notifications");
        route("claim-opened-to-audit").from("direct:to-audit").mockCall("record-claim-in-audit", "audit");
        mockDeadLetterTopic();
    }

    @Test
    void aCoveredClaimIsOpenedInClaimsWithThePolicyAndCustomerOfTheCoverage() throws Exception {
        coverage("{\"found\":true,\"coverageSource\":\"PAS\",\"policyId\":\"P-1\",\"policyNumber\":\"POL-1\",\"customerId\":\"C-1\",\"status\":\"ACTIVE\",\"version\":3}");
        answer("claims", 201,
                "{\"claimId\":\"" + CLAIM_ID + "\",\"claimNumber\":\"CLA-00000001\",\"status\":\"OPEN\",\"policyId\":\"P-1\",\"policyNumber\":\"POL-1\",\"claimedAmount\":500.0,\"currency\":\"EUR\",\"version\":1}");
        mock("claims").expectedMessageCount(1);

        Exchange answer = template.request("direct:open-claim", e -> e.getMessage().setBody(request("POL-1")));

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(status(answer)).isEqualTo(201);
        JsonNode body = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(body.get("claimId").asText()).isEqualTo(CLAIM_ID);
        assertThat(body.get("coverageSource").asText()).isEqualTo("PAS");
        assertThat(body.has("replica")).isFalse();
        JsonNode sent = JSON.readTree(mock("claims").getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(sent.get("policyId").asText()).isEqualTo("P-1");
        assertThat(sent.get("customerId").asText()).isEqualTo("C-1");
        assertThat(sent.get("claimedAmount").decimalValue()).isEqualByComparingTo("500");
    }

    @Test
    void aClaimOnACancelledPolicyIsA422WithTheReasonAndClaimsIsNotAsked() throws Exception {
        coverage("{\"found\":true,\"coverageSource\":\"REPLICA\",\"policyId\":\"P-2\",\"customerId\":\"C-1\",\"status\":\"CANCELLED\",\"replicaVersion\":4}");
        mock("claims").expectedMessageCount(0);

        Exchange answer = template.request("direct:open-claim", e -> e.getMessage().setBody(request("POL-2")));

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(status(answer)).isEqualTo(422);
        JsonNode problem = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(problem.get("reason").asText()).isEqualTo("POLICY_CANCELLED");
        assertThat(problem.get("coverageSource").asText()).isEqualTo("REPLICA");
        assertThat(problem.get("detail").asText()).contains("POL-2").contains("CANCELLED");
    }

    @Test
    void anUnknownPolicyIsA422PolicyNotFound() throws Exception {
        coverage("{\"found\":false,\"coverageSource\":\"PAS\"}");

        Exchange answer = template.request("direct:open-claim", e -> e.getMessage().setBody(request("POL-404")));

        assertThat(status(answer)).isEqualTo(422);
        assertThat(JSON.readTree(answer.getMessage().getBody(String.class)).get("reason").asText()).isEqualTo("POLICY_NOT_FOUND");
    }

    @Test
    void pasFailingTheReplicaAnswersTheCoverage() throws Exception {
        mock("pas").whenAnyExchangeReceived(e -> {
            throw new java.io.IOException("PAS is down");
        });
        answer("replica", "{\"found\":true,\"coverageSource\":\"REPLICA\",\"policyId\":\"P-3\",\"status\":\"ACTIVE\",\"replicaVersion\":2}");
        mock("replica").expectedMessageCount(1);

        String coverage = template.requestBody("direct:check-policy-coverage", null, String.class);

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(JSON.readTree(coverage).get("coverageSource").asText()).isEqualTo("REPLICA");
    }

    @Test
    void pasAnsweringNoPolicyMeansNotFoundFromPas() throws Exception {
        answer("pas", "[]");
        mock("replica").expectedMessageCount(0);

        String coverage = template.requestBody("direct:check-policy-coverage", null, String.class);

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(JSON.readTree(coverage).get("found").asBoolean()).isFalse();
        assertThat(JSON.readTree(coverage).get("coverageSource").asText()).isEqualTo("PAS");
    }

    @Test
    void claimsRefusalsArePassedOnAsProblems() throws Exception {
        mock("claims-assessment").whenAnyExchangeReceived(e -> refuse(409,
                "{\"status\":409,\"title\":\"Conflict\",\"detail\":\"claim already assessed\",\"reason\":\"CLAIM_ALREADY_ASSESSED\"}"));
        mock("claims-settlement").whenAnyExchangeReceived(e -> refuse(400,
                "{\"status\":400,\"title\":\"Bad Request\",\"detail\":\"amount exceeds\",\"field\":\"amount\"}"));

        Exchange conflict = template.request("direct:assess-claim", e -> {
            e.getMessage().setHeader("claimId", CLAIM_ID);
            e.getMessage().setBody("{\"decision\":\"ACCEPTED\",\"assessedAmount\":10}");
        });
        Exchange invalid = template.request("direct:settle-claim", e -> {
            e.getMessage().setHeader("claimId", CLAIM_ID);
            e.getMessage().setBody("{\"amount\":10}");
        });
        Exchange unknown = template.request("direct:settle-claim", e -> {
            e.getMessage().setHeader("claimId", "not-a-claim");
            e.getMessage().setBody("{}");
        });

        assertThat(status(conflict)).isEqualTo(409);
        assertThat(JSON.readTree(conflict.getMessage().getBody(String.class)).get("reason").asText()).isEqualTo("CLAIM_ALREADY_ASSESSED");
        assertThat(status(invalid)).isEqualTo(400);
        JsonNode invalidProblem = JSON.readTree(invalid.getMessage().getBody(String.class));
        assertThat(invalidProblem.get("field").asText()).as("F06 names Claims' field as a member").isEqualTo("$.amount");
        assertThat(invalidProblem.get("detail").asText()).isEqualTo("amount exceeds");
        assertThat(invalidProblem.has("errors")).isFalse();
        assertThat(status(unknown)).isEqualTo(404);
    }

    @Test
    void claimOpenedIsSentToNotificationsAndAuditOnceEvenWhenDeliveredTwice() throws Exception {
        answer("customer-hub", "{\"customerId\":\"C-7\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.com\"}");
        mock("notifications").expectedMessageCount(1);
        mock("audit").expectedMessageCount(1);
        String event = claimOpened().json();

        for (int delivery = 0; delivery < 2; delivery++) {
            template.sendBody("direct:to-notifications", event);
            template.sendBody("direct:to-audit", event);
        }

        MockEndpoint.assertIsSatisfied(camelContext);
        JsonNode email = JSON.readTree(mock("notifications").getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(email.get("to").asText()).isEqualTo("ada@example.com");
        assertThat(email.get("template").asText()).isEqualTo("claim-opened");
        assertThat(email.get("subject").asText()).contains("CLA-00000042");
        assertThat(email.get("reference").asText()).isEqualTo(CLAIM_ID);
        assertThat(email.get("body").asText()).startsWith("Dear Ada Lovelace, we registered your claim CLA-00000042");
        JsonNode record = JSON.readTree(mock("audit").getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(record.get("eventType").asText()).isEqualTo("ClaimOpened");
        assertThat(record.get("source").asText()).isEqualTo("Claims");
    }

    @Test
    void aClaimOpenedThatBreaksItsSchemaIsDeadLettered() throws Exception {
        mock("audit").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        template.sendBody("direct:to-audit", claimOpened().without("claimedAmount").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        assertThat(mock("dlq").getReceivedExchanges().get(0).getMessage().getHeader("dlqFailedRoute"))
                .isEqualTo("claim-opened-to-audit");
    }

    private void coverage(String json) {
        answer("coverage", json);
    }

    /** Claims refusing the request, as camel-http reports it. */
    private static void refuse(int status, String problem) throws HttpOperationFailedException {
        throw new HttpOperationFailedException("http://claims/claims/" + CLAIM_ID, status, "refused", null, Map.of(), problem);
    }

    private static int status(Exchange answer) {
        return answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    private static String request(String policyNumber) {
        return ClaimsTestData.claimRequest(policyNumber, "500.00");
    }

    private static Events.Event claimOpened() {
        return Events.of("ClaimOpened").aggregate(CLAIM_ID, 1).data("""
                {"claimId":"%s","claimNumber":"CLA-00000042","policyId":"P-1","policyNumber":"POL-1",
                 "customerId":"C-7","description":"dent","incidentDate":"2026-11-20","claimedAmount":500.00,
                 "currency":"EUR","status":"OPEN","version":1}""".formatted(CLAIM_ID));
    }
}
