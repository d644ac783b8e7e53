package com.insurancehub.hub.policy;

import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * AdviceWith test of the subscription saga (F03): post-subscription-api, subscribe-to-quote, its six steps and
 * their five compensations, with every system call replaced by a mock endpoint and the in-memory saga service real.
 */
@RouteDomains("policy")
class SubscriptionSagaRoutesTest extends RouteTestSupport {

    private static final String QUOTE_ID = "Q-11111111-2222-3333-4444-555555555555";
    private static final String QUOTE = """
            {"quoteId":"%s","product":"AUTO","premium":420.00,"currency":"EUR","status":"%s",
             "customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","birthDate":"1990-12-10"}}""";
    private static final String POLICY = """
            {"policyId":"P-1","policyNumber":"POL-00000001","status":"%s","quoteId":"%s","customerId":"C-1",
             "premium":420.00,"currency":"EUR"}""";

    /** Each step's route (in the saga's order) and the system calls it makes. */
    private static final Map<String, List<String>> STEPS = Map.of(
            "link-customer", List.of("resolve-golden-record", "link-customer-to-quote"),
            "create-pending-policy", List.of("create-policy-in-pas"),
            "open-billing-account", List.of("open-account-in-billing"),
            "request-documents", List.of("request-documents-in-docmgmt"),
            "mark-quote-subscribed", List.of("mark-subscribed-in-quote-engine"),
            "issue-policy", List.of("issue-policy-in-pas"));
    /** Each compensation's route and the system call it makes. */
    private static final Map<String, List<String>> COMPENSATIONS = Map.of(
            "unlink-customer", List.of("remove-customer-link"),
            "cancel-policy-of-quote", List.of("cancel-policy-in-pas"),
            "close-billing-account-of-policy", List.of("close-account-in-billing"),
            "cancel-documents-of-policy", List.of("cancel-documents-in-docmgmt"),
            "reopen-quote", List.of("reopen-quote-in-quote-engine"));
    private static final List<String> STEP_CALLS = calls(STEPS);
    private static final List<String> COMPENSATION_CALLS = calls(COMPENSATIONS);

    /** Every system call goes to a mock of its own name (mock:create-policy-in-pas...). */
    @Override
    protected void adviceRoutes() {
        route("subscribe-to-quote").mockCalls("read-quote");
        STEPS.forEach((routeId, calls) -> route(routeId).mockCalls(calls.toArray(String[]::new)));
        COMPENSATIONS.forEach((routeId, calls) -> route(routeId).mockCalls(calls.toArray(String[]::new)));
    }

    private void systemsAnswer(String quoteStatus) {
        answer("read-quote", 200, QUOTE.formatted(QUOTE_ID, quoteStatus));
        answer("resolve-golden-record", "{\"customerId\":\"C-1\",\"matched\":false}");
        answer("create-policy-in-pas", POLICY.formatted("PENDING", QUOTE_ID));
        answer("issue-policy-in-pas", POLICY.formatted("ISSUED", QUOTE_ID));
    }

    @Test
    void everyStepRunsInOrderAndNothingIsCompensated() throws Exception {
        systemsAnswer("ACTIVE");
        STEP_CALLS.forEach(id -> mock(id).expectedMessageCount(1));

        HubApi.Response response = new HubApi(port).post("/api/quotes/" + QUOTE_ID + "/subscribe", "");

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body().get("policyId").asText()).isEqualTo("P-1");
        assertThat(response.body().get("policyNumber").asText()).isEqualTo("POL-00000001");
        assertThat(response.body().get("status").asText()).isEqualTo("ISSUED");
        MockEndpoint.assertIsSatisfied(camelContext);
        // What each system was asked
        assertThat(body("resolve-golden-record")).contains("\"email\":\"ada@example.com\"");
        assertThat(body("create-policy-in-pas")).contains("\"customerId\":\"C-1\"").contains("\"quoteId\":\"" + QUOTE_ID + "\"");
        assertThat(body("open-account-in-billing")).contains("\"policyId\":\"P-1\"");
        // The saga completes: no compensation ever
        await().during(java.time.Duration.ofMillis(500)).atMost(java.time.Duration.ofSeconds(2))
                .until(() -> COMPENSATION_CALLS.stream().allMatch(id -> mock(id).getReceivedCounter() == 0));
    }

    @Test
    void aFailedStepCompensatesTheStepsAlreadyDoneAndNamesItself() {
        systemsAnswer("ACTIVE");
        mock("open-account-in-billing").whenAnyExchangeReceived(e -> {
            throw new java.io.IOException("billing unreachable");
        });

        HubApi.Response response = new HubApi(port).post("/api/quotes/" + QUOTE_ID + "/subscribe", "");

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body().get("failedStep").asText()).isEqualTo("open-billing-account");
        await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(mock("remove-customer-link").getReceivedCounter()).isPositive();
            assertThat(mock("cancel-policy-in-pas").getReceivedCounter()).isPositive();
        });
        Exchange cancel = mock("cancel-policy-in-pas").getReceivedExchanges().get(0);
        assertThat(cancel.getMessage().getHeader("quoteId", String.class)).as("compensation keyed by the quote").isEqualTo(QUOTE_ID);
        assertThat(mock("request-documents-in-docmgmt").getReceivedCounter()).isZero();
        assertThat(mock("issue-policy-in-pas").getReceivedCounter()).isZero();
    }

    @Test
    void aQuoteThatIsNotActiveIsA409AndStartsNoSaga() {
        systemsAnswer("EXPIRED");

        HubApi.Response response = new HubApi(port).post("/api/quotes/" + QUOTE_ID + "/subscribe", "");

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.body().get("detail").asText()).contains("EXPIRED");
        assertThat(mock("resolve-golden-record").getReceivedCounter()).isZero();
    }

    private String body(String mockId) {
        return mock(mockId).getReceivedExchanges().get(0).getMessage().getBody(String.class);
    }

    private static List<String> calls(Map<String, List<String>> routes) {
        return routes.values().stream().flatMap(List::stream).toList();
    }
}
