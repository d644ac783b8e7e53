package com.insurancehub.hub.claims;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;
import com.insurancehub.hub.support.Policies;

import static com.insurancehub.hub.support.Policies.get;
import static com.insurancehub.hub.support.Policies.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * E05 (ClaimAssessed: the policy's claim count and amount in PAS, the customer told the decision) and E06 (ClaimSettled:
 * Billing pays out, the customer told), from the Claims outbox relayed to Kafka. The claims are made in the Claims
 * system on a policy subscribed through the hub.
 */
@HubIntegrationTest
class ClaimEventsIntegrationTest {

    @LocalServerPort
    int port;

    @Test
    void anAcceptedClaimCountsOnThePolicyAndItsSettlementIsPaidOutWithTheCustomerToldEachTime() {
        Policies.Subscribed sub = Policies.subscribe(new HubApi(port));
        String claimId = openClaim(sub, "1200.00");
        assertThat(Mocks.call("POST", "claims/claims/" + claimId + "/assessment",
                "{\"decision\":\"ACCEPTED\",\"assessedAmount\":900.00,\"notes\":\"bodywork\"}").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode policy = get("pas/policies/" + sub.policyId());
            assertThat(policy.get("claimCount").asInt()).isEqualTo(1);
            assertThat(policy.get("claimedTotal").decimalValue()).isEqualByComparingTo("900");
            assertThat(messages(claimId, "claim-assessed")).hasSize(1);
        });
        assertThat(messages(claimId, "claim-assessed").get(0).get("body").asText()).contains("accepted").contains("900");
        assertThat(messages(claimId, "claim-assessed").get(0).get("to").asText()).isEqualTo(sub.email());

        assertThat(Mocks.call("POST", "claims/claims/" + claimId + "/settlement", "{\"amount\":850.00}").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode payouts = get("billing/payouts?claimId=" + claimId);
            assertThat(payouts).hasSize(1);
            assertThat(payouts.get(0).get("amount").decimalValue()).isEqualByComparingTo("850");
            assertThat(payouts.get(0).get("policyId").asText()).isEqualTo(sub.policyId());
            assertThat(messages(claimId, "claim-settled")).hasSize(1);
        });
        assertThat(get("pas/policies/" + sub.policyId()).get("claimCount").asInt()).isEqualTo(1);
    }

    @Test
    void aRejectedClaimIsToldToTheCustomerAndCostsThePolicyNothing() {
        Policies.Subscribed sub = Policies.subscribe(new HubApi(port));
        String claimId = openClaim(sub, "300.00");

        assertThat(Mocks.call("POST", "claims/claims/" + claimId + "/assessment",
                "{\"decision\":\"REJECTED\",\"notes\":\"not covered\"}").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(messages(claimId, "claim-assessed")).hasSize(1));
        assertThat(messages(claimId, "claim-assessed").get(0).get("body").asText()).contains("rejected").contains("not covered");
        assertThat(get("pas/policies/" + sub.policyId()).get("claimCount").asInt()).isZero();
    }

    private static String openClaim(Policies.Subscribed sub, String amount) {
        JsonHttp.Response opened = Mocks.call("POST", "claims/claims", """
                {"policyId":"%s","policyNumber":"%s","customerId":"%s","description":"rear-ended at a light",
                 "incidentDate":"%s","claimedAmount":%s,"currency":"EUR"}""".formatted(sub.policyId(),
                sub.policy().get("policyNumber").asText(), sub.customerId(),
                LocalDate.now(ZoneOffset.UTC).minusDays(2), amount));
        assertThat(opened.status()).as(String.valueOf(opened.body())).isEqualTo(201);
        return opened.body().get("claimId").asText();
    }
}
