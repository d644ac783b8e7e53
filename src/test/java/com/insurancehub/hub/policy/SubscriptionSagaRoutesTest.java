package com.insurancehub.hub.policy;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * AdviceWith test of the subscription saga (F03): post-subscription-api, subscribe-to-quote, its six steps and
 * their five compensations, with every system call replaced by a mock endpoint and the in-memory saga service real.
 */
class SubscriptionSagaRoutesTest extends RouteTestSupport {

    private static final String QUOTE_ID = "Q-11111111-2222-3333-4444-555555555555";
    private static final String QUOTE = """
            {"quoteId":"%s","product":"AUTO","premium":420.00,"currency":"EUR","status":"%s",
             "customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","birthDate":"1990-12-10"}}""";
    private static final String POLICY = """
            {"policyId":"P-1","policyNumber":"POL-00000001","status":"%s","quoteId":"%s","customerId":"C-1",
             "premium":420.00,"currency":"EUR"}""";

    private static final List<String> STEP_CALLS = List.of("resolve-golden-record", "link-customer-to-quote",
            "create-policy-in-pas", "open-account-in-billing", "request-documents-in-docmgmt",
            "mark-subscribed-in-quote-engine", "issue-policy-in-pas");
    private static final List<String> COMPENSATION_CALLS = List.of("remove-customer-link", "cancel-policy-in-pas",
            "close-account-in-billing", "cancel-documents-in-docmgmt", "reopen-quote-in-quote-engine");

    @Override
    protected void adviceRoutes() throws Exception {
        advice("subscribe-to-quote", a -> a.weaveById("read-quote").replace().to("mock:read-quote"));
        advice("link-customer", a -> {
            a.weaveById("resolve-golden-record").replace().to("mock:resolve-golden-record");
            a.weaveById("link-customer-to-quote").replace().to("mock:link-customer-to-quote");
        });
        advice("create-pending-policy", a -> a.weaveById("create-policy-in-pas").replace().to("mock:create-policy-in-pas"));
        advice("open-billing-account", a -> a.weaveById("open-account-in-billing").replace().to("mock:open-account-in-billing"));
        advice("request-documents", a -> a.weaveById("request-documents-in-docmgmt").replace().to("mock:request-documents-in-docmgmt"));
        advice("mark-quote-subscribed", a -> a.weaveById("mark-subscribed-in-quote-engine").replace().to("mock:mark-subscribed-in-quote-engine"));
        advice("issue-policy", a -> a.weaveById("issue-policy-in-pas").replace().to("mock:issue-policy-in-pas"));
        advice("unlink-customer", a -> a.weaveById("remove-customer-link").replace().to("mock:remove-customer-link"));
        advice("cancel-policy-of-quote", a -> a.weaveById("cancel-policy-in-pas").replace().to("mock:cancel-policy-in-pas"));
        advice("close-billing-account-of-policy", a -> a.weaveById("close-account-in-billing").replace().to("mock:close-account-in-billing"));
        advice("cancel-documents-of-policy", a -> a.weaveById("cancel-documents-in-docmgmt").replace().to("mock:cancel-documents-in-docmgmt"));
        advice("reopen-quote", a -> a.weaveById("reopen-quote-in-quote-engine").replace().to("mock:reopen-quote-in-quote-engine"));
    }

    private void systemsAnswer(String quoteStatus) {
        mock("read-quote").whenAnyExchangeReceived(e -> {
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            e.getMessage().setBody(QUOTE.formatted(QUOTE_ID, quoteStatus));
        });
        mock("resolve-golden-record").whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"customerId\":\"C-1\",\"matched\":false}"));
        mock("create-policy-in-pas").whenAnyExchangeReceived(e -> e.getMessage().setBody(POLICY.formatted("PENDING", QUOTE_ID)));
        mock("issue-policy-in-pas").whenAnyExchangeReceived(e -> e.getMessage().setBody(POLICY.formatted("ISSUED", QUOTE_ID)));
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
}
