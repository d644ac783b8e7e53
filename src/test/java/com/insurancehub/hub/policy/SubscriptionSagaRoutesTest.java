package com.insurancehub.hub.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.saga.CamelSagaService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * AdviceWith test of the subscription saga (F03): post-subscription-api, subscribe-to-quote,
 * refuse-subscription-in-flight, run-subscription-saga, its six steps and its compensation (compensate-subscription,
 * settle-open-subscription and the five routes that undo a step), with every system call replaced by a mock
 * endpoint, the in-memory saga service and the attempt log (hub.subscription_attempts, the test database) real.
 */
@RouteDomains("policy")
class SubscriptionSagaRoutesTest extends RouteTestSupport {

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
    /** The routes that undo a step and the system call each makes, in the compensation's order (newest first). */
    private static final Map<String, String> UNDO = Map.of(
            "reopen-quote", "reopen-quote-in-quote-engine",
            "cancel-documents-of-policy", "cancel-documents-in-docmgmt",
            "close-billing-account-of-policy", "close-account-in-billing",
            "cancel-policy-of-quote", "cancel-policy-in-pas",
            "unlink-customer", "remove-customer-link");
    private static final List<String> UNDO_CALLS = List.of("reopen-quote-in-quote-engine", "cancel-documents-in-docmgmt",
            "close-account-in-billing", "cancel-policy-in-pas", "remove-customer-link");
    private static final List<String> STEP_CALLS = STEPS.values().stream().flatMap(List::stream).toList();

    @Autowired
    DataSource dataSource;
    private final List<String> quotes = new ArrayList<>();

    /** Every system call goes to a mock of its own name (mock:create-policy-in-pas...). */
    @Override
    protected void adviceRoutes() {
        route("subscribe-to-quote").mockCalls("read-quote");
        STEPS.forEach((routeId, calls) -> route(routeId).mockCalls(calls.toArray(String[]::new)));
        route("settle-open-subscription").mockCalls("find-policies-of-quote");
        UNDO.forEach((routeId, call) -> route(routeId).mockCalls(call));
    }

    @AfterEach
    void forgetTheAttempts() {
        quotes.forEach(quoteId -> jdbc().update("DELETE FROM hub.subscription_attempts WHERE quote_id = ?", quoteId));
    }

    /** A quote of this test, the systems answering as if all went well. */
    private String systemsAnswer(String quoteStatus) {
        String quoteId = "Q-" + UUID.randomUUID();
        quotes.add(quoteId);
        answer("read-quote", 200, QUOTE.formatted(quoteId, quoteStatus));
        answer("resolve-golden-record", "{\"customerId\":\"C-1\",\"matched\":false}");
        answer("create-policy-in-pas", POLICY.formatted("PENDING", quoteId));
        answer("issue-policy-in-pas", POLICY.formatted("ISSUED", quoteId));
        answer("find-policies-of-quote", "[" + POLICY.formatted("PENDING", quoteId) + "]");
        return quoteId;
    }

    @Test
    void everyStepRunsInOrderAndNothingIsCompensated() throws Exception {
        String quoteId = systemsAnswer("ACTIVE");
        STEP_CALLS.forEach(id -> mock(id).expectedMessageCount(1));

        HubApi.Response response = subscribe(quoteId);

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body().get("policyId").asText()).isEqualTo("P-1");
        assertThat(response.body().get("policyNumber").asText()).isEqualTo("POL-00000001");
        assertThat(response.body().get("status").asText()).isEqualTo("ISSUED");
        MockEndpoint.assertIsSatisfied(camelContext);
        // What each system was asked
        assertThat(body("resolve-golden-record")).contains("\"email\":\"ada@example.com\"");
        assertThat(body("create-policy-in-pas")).contains("\"customerId\":\"C-1\"").contains("\"quoteId\":\"" + quoteId + "\"");
        assertThat(body("open-account-in-billing")).contains("\"policyId\":\"P-1\"");
        // The attempt is settled ISSUED by the saga's last step
        assertThat(attempts(quoteId)).containsExactly("ISSUED");
        // The saga completes: no compensation ever
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> UNDO_CALLS.stream().allMatch(id -> mock(id).getReceivedCounter() == 0)
                        && mock("find-policies-of-quote").getReceivedCounter() == 0);
    }

    @Test
    void aFailedStepUndoesEveryStepNewestFirstAndNamesItself() {
        String quoteId = systemsAnswer("ACTIVE");
        mock("open-account-in-billing").whenAnyExchangeReceived(e -> {
            throw new java.io.IOException("billing unreachable");
        });
        List<String> order = recordOrder();

        HubApi.Response response = subscribe(quoteId);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body().get("failedStep").asText()).isEqualTo("open-billing-account");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(attempts(quoteId)).containsExactly("COMPENSATED"));
        assertThat(order).as("newest step first").containsExactlyElementsOf(UNDO_CALLS);
        // Keyed by the quote and by the policy PAS has for it
        assertThat(mock("find-policies-of-quote").getReceivedExchanges().get(0).getMessage()
                .getHeader(Exchange.HTTP_QUERY, String.class)).isEqualTo("quoteId=" + quoteId);
        Exchange cancelPolicy = mock("cancel-policy-in-pas").getReceivedExchanges().get(0);
        assertThat(cancelPolicy.getMessage().getHeader(Exchange.HTTP_QUERY, String.class)).isEqualTo("quoteId=" + quoteId);
        Exchange closeAccount = mock("close-account-in-billing").getReceivedExchanges().get(0);
        assertThat(closeAccount.getMessage().getHeader(Exchange.HTTP_QUERY, String.class)).isEqualTo("policyId=P-1");
        assertThat(mock("request-documents-in-docmgmt").getReceivedCounter()).isZero();
        assertThat(mock("issue-policy-in-pas").getReceivedCounter()).isZero();
    }

    @Test
    void aSubscribeWhileTheLastOneIsBeingCompensatedIsA409ThatSaysSoAndCanBeRetried() {
        String quoteId = systemsAnswer("ACTIVE");
        mock("open-account-in-billing").whenAnyExchangeReceived(e -> {
            throw new java.io.IOException("billing unreachable");
        });
        // Billing's undo fails for now: the compensation is retried, the attempt stays COMPENSATING
        AtomicBoolean billingBack = new AtomicBoolean();
        mock("close-account-in-billing").whenAnyExchangeReceived(e -> {
            if (!billingBack.get()) {
                throw new java.io.IOException("billing unreachable");
            }
        });
        assertThat(subscribe(quoteId).status()).isEqualTo(502);

        // At once, as a caller retrying the 502 would: the quote reads ACTIVE, the attempt is the truth
        HubApi.Response retried = subscribe(quoteId);

        assertThat(retried.status()).isEqualTo(409);
        assertThat(retried.body().get("reason").asText()).isEqualTo("SUBSCRIPTION_COMPENSATING");
        assertThat(retried.body().get("detail").asText()).contains(quoteId).contains("being compensated");
        assertThat(retried.header("Retry-After")).isEqualTo("5");
        assertThat(retried.header("Content-Type")).startsWith("application/problem+json");
        // The quote may read SUBSCRIBED meanwhile (a saga that failed after marking it): still the attempt's truth
        answer("read-quote", 200, QUOTE.formatted(quoteId, "SUBSCRIBED"));
        assertThat(subscribe(quoteId).body().get("reason").asText()).isEqualTo("SUBSCRIPTION_COMPENSATING");
        answer("read-quote", 200, QUOTE.formatted(quoteId, "ACTIVE"));

        billingBack.set(true);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(attempts(quoteId)).containsExactly("COMPENSATED"));
        mock("open-account-in-billing").whenAnyExchangeReceived(e -> { });
        HubApi.Response again = subscribe(quoteId);
        assertThat(again.status()).as(String.valueOf(again.body())).isEqualTo(201);
        assertThat(attempts(quoteId)).containsExactlyInAnyOrder("COMPENSATED", "ISSUED");
    }

    @Test
    void aCallThatLandsAfterTheSagaTimedOutLeavesTheAttemptToBeUndoneAgain() throws Exception {
        String quoteId = systemsAnswer("ACTIVE");
        // PAS answers late: meanwhile the saga times out and is compensated (as the saga service's timer does)
        mock("create-policy-in-pas").whenAnyExchangeReceived(e -> {
            CamelSagaService sagas = camelContext.getRegistry().lookupByNameAndType("sagaService", CamelSagaService.class);
            sagas.getSaga(e.getMessage().getHeader("Long-Running-Action", String.class)).get().compensate(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> attempts(quoteId).equals(List.of("COMPENSATED")));
            e.getMessage().setBody(POLICY.formatted("PENDING", quoteId));
        });

        HubApi.Response response = subscribe(quoteId);

        // the next step cannot join the compensated saga; the policy PAS made late is for the recovery to undo
        assertThat(response.status()).isGreaterThanOrEqualTo(500);
        assertThat(mock("open-account-in-billing").getReceivedCounter()).isZero();
        assertThat(attempts(quoteId)).containsExactly("COMPENSATING");
    }

    @Test
    void aSubscribeWhileAnotherRunsIsA409InProgress() {
        String quoteId = systemsAnswer("ACTIVE");
        jdbc().update("INSERT INTO hub.subscription_attempts (attempt_id, quote_id, status) VALUES (?, ?, 'STARTED')",
                "S-" + UUID.randomUUID(), quoteId);

        HubApi.Response response = subscribe(quoteId);

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.body().get("reason").asText()).isEqualTo("SUBSCRIPTION_IN_PROGRESS");
        assertThat(response.header("Retry-After")).isEqualTo("5");
        assertThat(mock("resolve-golden-record").getReceivedCounter()).isZero();
    }

    @Test
    void aQuoteThatIsNotActiveIsA409AndStartsNoSaga() {
        String quoteId = systemsAnswer("EXPIRED");

        HubApi.Response response = subscribe(quoteId);

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.body().get("detail").asText()).contains("EXPIRED");
        assertThat(response.body().get("reason").asText()).isEqualTo("QUOTE_EXPIRED");
        assertThat(response.header("Retry-After")).isNull();
        assertThat(mock("resolve-golden-record").getReceivedCounter()).isZero();
        assertThat(attempts(quoteId)).isEmpty();
    }

    @Test
    void anUndoThatFailsLeavesTheOthersDoneAndTheAttemptCompensatingForTheNextCall() {
        String quoteId = systemsAnswer("ACTIVE");
        String attemptId = openAttempt(quoteId, "COMPENSATING");
        mock("close-account-in-billing").whenAnyExchangeReceived(e -> {
            throw new java.io.IOException("billing unreachable");
        });

        assertThatThrownBy(() -> compensate(attemptId, quoteId)).hasRootCauseMessage("billing unreachable");

        UNDO_CALLS.forEach(call -> assertThat(mock(call).getReceivedCounter()).as(call).isEqualTo(1));
        assertThat(attempts(quoteId)).containsExactly("COMPENSATING");
    }

    @Test
    void anAttemptWhosePolicyWasIssuedIsCompletedNotUndone() {
        String quoteId = systemsAnswer("SUBSCRIBED");
        String attemptId = openAttempt(quoteId, "STARTED");
        answer("find-policies-of-quote", "[" + POLICY.formatted("CANCELLED", quoteId) + "," + POLICY.formatted("ISSUED", quoteId) + "]");

        Exchange done = compensate(attemptId, quoteId);

        assertThat(done.getVariable("compensationOutcome", String.class)).isEqualTo("completed");
        assertThat(attempts(quoteId)).containsExactly("ISSUED");
        UNDO_CALLS.forEach(call -> assertThat(mock(call).getReceivedCounter()).as(call).isZero());
    }

    @Test
    void aFailureTheHubSawIsUndoneEvenPastTheIssuance() {
        // issue-policy's answer was lost (PAS issued it): the caller got a 502, the policy is cancelled
        String quoteId = systemsAnswer("SUBSCRIBED");
        String attemptId = openAttempt(quoteId, "COMPENSATING");
        answer("find-policies-of-quote", "[" + POLICY.formatted("ISSUED", quoteId) + "]");

        assertThat(compensate(attemptId, quoteId).getVariable("compensationOutcome", String.class)).isEqualTo("compensated");

        assertThat(attempts(quoteId)).containsExactly("COMPENSATED");
        UNDO_CALLS.forEach(call -> assertThat(mock(call).getReceivedCounter()).as(call).isEqualTo(1));
    }

    @Test
    void aSettledAttemptIsNotCompensatedAgain() {
        String quoteId = systemsAnswer("ACTIVE");
        String attemptId = openAttempt(quoteId, "COMPENSATED");

        assertThat(compensate(attemptId, quoteId).getVariable("compensationOutcome", String.class)).isEqualTo("none");
        assertThat(compensate("S-" + UUID.randomUUID(), quoteId).getVariable("compensationOutcome", String.class))
                .as("an attempt the log does not know").isEqualTo("none");

        assertThat(mock("find-policies-of-quote").getReceivedCounter()).isZero();
        UNDO_CALLS.forEach(call -> assertThat(mock(call).getReceivedCounter()).as(call).isZero());
    }

    private JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    private HubApi.Response subscribe(String quoteId) {
        return new HubApi(port).post("/api/quotes/" + quoteId + "/subscribe", "");
    }

    /** The saga's compensation, called as the saga service calls it: the options as headers. */
    private Exchange compensate(String attemptId, String quoteId) {
        Exchange done = template.request("direct:compensate-subscription", e -> {
            e.getMessage().setHeader("attemptId", attemptId);
            e.getMessage().setHeader("quoteId", quoteId);
        });
        if (done.getException() != null) {
            throw new IllegalStateException(done.getException());
        }
        return done;
    }

    private String openAttempt(String quoteId, String status) {
        String attemptId = "S-" + UUID.randomUUID();
        jdbc().update("INSERT INTO hub.subscription_attempts (attempt_id, quote_id, status) VALUES (?, ?, ?)",
                attemptId, quoteId, status);
        return attemptId;
    }

    private List<String> attempts(String quoteId) {
        return jdbc().queryForList("SELECT status FROM hub.subscription_attempts WHERE quote_id = ? ORDER BY started_at",
                String.class, quoteId);
    }

    /** The undo calls in the order they come (their first call each). */
    private List<String> recordOrder() {
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        UNDO_CALLS.forEach(call -> mock(call).whenAnyExchangeReceived(e -> {
            if (!order.contains(call)) {
                order.add(call);
            }
        }));
        return order;
    }

    private String body(String mockId) {
        return mock(mockId).getReceivedExchanges().get(0).getMessage().getBody(String.class);
    }
}
