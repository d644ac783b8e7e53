package com.insurancehub.hub.policy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.saga.CamelSagaCoordinator;
import org.apache.camel.saga.CamelSagaService;
import org.apache.camel.saga.CamelSagaStep;
import org.apache.camel.service.lra.LRASagaService;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.builder.ExpressionBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

import com.insurancehub.dev.EmbeddedLraCoordinator;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HttpForwarder;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * F03 on camel-lra (profile {@code lra}) against a real Narayana LRA coordinator (the dev services start it in
 * this JVM): the saga scenarios of {@link SubscriptionSagaScenarios}, plus what only the coordinator shows. Every
 * saga is an LRA of the coordinator, with the saga timeout as its time limit; the participants are called back
 * over HTTP ({@code /lra-participant/complete|compensate}, platform-http); a compensation that fails keeps the
 * LRA in the coordinator's log, and its recovery calls it again until it succeeds.
 *
 * <p>The outbox relay stays with the shared integration context (a replication slot has one reader):
 * "announced" is checked at the source, the PAS outbox.
 */
@HubIntegrationTest
@ActiveProfiles({"test", "lra"})
@TestPropertySource(properties = "hub.outbox.enabled=false")
class LraSubscriptionIntegrationTest extends SubscriptionSagaScenarios {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Value("${camel.lra.coordinator-url}")
    String coordinatorUrl;
    @Value("${hub.subscription.saga-timeout}")
    Duration sagaTimeout;

    private long testStartedAt;
    private final Map<String, Long> callbacksBefore = new HashMap<>();

    @BeforeEach
    void noteStart() {
        testStartedAt = System.currentTimeMillis();
        for (String routeId : new String[] {"lra-compensation", "lra-completion"}) {
            callbacksBefore.put(routeId, 0L);
            callbacksBefore.put(routeId, callbacks(routeId));
        }
    }

    @Override
    protected Class<? extends CamelSagaService> expectedSagaService() {
        return LRASagaService.class;
    }

    /**
     * The coordinator closed the LRA: it called each participant back to complete. 2 participants: the saga, with
     * its compensation keyed by the attempt, and its steps, which join without a compensation of their own (the
     * same participant URL, which the coordinator enlists once).
     */
    @Override
    protected void afterSubscribed(String quoteId, HubApi.Response subscribed) {
        assertThat(lrasStartedSinceTheTestBegan()).as("no LRA left open").isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(callbacks("lra-completion")).isEqualTo(2));
        assertThat(callbacks("lra-compensation")).isZero();
    }

    /**
     * The compensation came from the coordinator and failed (Billing is down), so the coordinator keeps the LRA,
     * Cancelling, for its recovery to call it again.
     */
    @Override
    protected void afterCompensatedWhileBillingIsDown(String quoteId, String policyId) {
        // both participants, the saga's compensation failing
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(callbacks("lra-compensation")).isGreaterThanOrEqualTo(2));
        assertThat(callbacks("lra-completion")).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<JsonNode> lras = lrasStartedSinceTheTestBegan();
            assertThat(lras).as("the compensated LRA, in recovery").hasSize(1);
            assertThat(lras.get(0).get("status").asText()).isEqualTo("Cancelling");
            assertThat(lras.get(0).get("recovering").asBoolean()).isTrue();
        });
        // Recovery keeps trying while Billing is down
        long billingCalls = Mocks.requests("billing");
        await().atMost(Duration.ofSeconds(4 * EmbeddedLraCoordinator.RECOVERY_PERIOD_SECONDS + 5))
                .until(() -> Mocks.requests("billing") > billingCalls);
    }

    /** With Billing back, the recovery's next call of the compensation succeeds and the LRA is done. */
    @Override
    protected void afterBillingIsBack(String quoteId, String policyId) {
        await().atMost(Duration.ofSeconds(4 * EmbeddedLraCoordinator.RECOVERY_PERIOD_SECONDS + 5))
                .untilAsserted(() -> assertThat(lrasStartedSinceTheTestBegan()).isEmpty());
    }

    @Test
    void eachSubscriptionIsAnLraOfTheCoordinatorLimitedByTheSagaTimeout() throws Exception {
        String quoteId = quote("lra-" + UUID.randomUUID() + "@example.com");
        Mocks.faults("documents", 1500, 0, false); // a slow step keeps the saga open long enough to be seen

        CompletableFuture<HubApi.Response> subscription =
                CompletableFuture.supplyAsync(() -> api().post("/api/quotes/" + quoteId + "/subscribe", ""));

        // camel-lra gives the LRA its time limit when the first step joins it, a moment after starting it
        JsonNode lra = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(this::lrasStartedSinceTheTestBegan,
                        lras -> !lras.isEmpty() && lras.get(0).path("finishTime").asLong() > 0).get(0);
        assertThat(lra.get("status").asText()).isEqualTo("Active");
        long timeLimit = lra.get("finishTime").asLong() - lra.get("startTime").asLong();
        assertThat(timeLimit).as("the LRA's time limit (ms)")
                .isBetween(sagaTimeout.toMillis(), sagaTimeout.toMillis() + 2_000);
        String lraId = lra.get("lraId").asText();
        assertThat(status(lraId).body()).isEqualTo("Active");

        assertThat(subscription.get(20, TimeUnit.SECONDS).status()).isEqualTo(201);
        // Closed: the coordinator forgets an LRA once all its participants completed
        assertThat(lrasStartedSinceTheTestBegan()).isEmpty();
        assertThat(status(lraId).statusCode()).isEqualTo(404);
    }

    /**
     * Issue 10: the hub that ran a saga dies before the saga ends, and a hub answers at its address again later (it
     * restarted, or another instance behind the same address). The coordinator keeps the LRA in its log, cancels it
     * when its time limit passes, calls the compensation at an address where nothing answers, keeps it Cancelling,
     * and its recovery calls again until a hub answers: that hub compensates a saga it never ran, from the callback
     * alone (the compensation endpoint and the attempt's keys are in the participant URL; camel-lra keeps nothing
     * in memory but the endpoints its routes registered when they started).
     *
     * <p>The dead hub is simulated: the LRA is started and joined by this hub's camel-lra with the participant
     * address of a port where nothing listens (the dead hub's), then left alone; the systems hold what that hub had
     * done ({@link HalfDoneSubscription}). "A hub answers again" is a forwarder on that port to this hub. Not proven
     * here: a real JVM restart, and the coordinator's own restart with its log on disk.
     */
    @Test
    void aSagaWhoseHubDiedIsCompensatedByTheCoordinatorOnceAHubAnswersAtItsAddressAgain() throws Exception {
        HalfDoneSubscription halfDone = HalfDoneSubscription.upTo("mark-quote-subscribed", jdbc);
        int deadHubPort = freePort();
        joinAsADeadHub(halfDone, deadHubPort);

        // the time limit passed: cancelled, the compensation called where nothing answers
        JsonNode lra = await().atMost(Duration.ofSeconds(15)).until(this::lrasStartedSinceTheTestBegan,
                lras -> lras.size() == 1 && "Cancelling".equals(lras.get(0).get("status").asText())).get(0);
        assertThat(lra.get("recovering").asBoolean()).isTrue();
        await().during(Duration.ofSeconds(EmbeddedLraCoordinator.RECOVERY_PERIOD_SECONDS)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(lrasStartedSinceTheTestBegan()).hasSize(1));
        assertThat(halfDone.policyStatus()).isEqualTo("PENDING");
        assertThat(halfDone.attemptStatus()).isEqualTo("STARTED");

        try (HttpForwarder hubBack = HttpForwarder.start(deadHubPort, port)) {
            await().atMost(Duration.ofSeconds(4 * EmbeddedLraCoordinator.RECOVERY_PERIOD_SECONDS + 5))
                    .untilAsserted(() -> assertThat(lrasStartedSinceTheTestBegan()).isEmpty());
            assertThat(hubBack.forwarded()).isPositive();
        }
        assertThat(halfDone.attemptStatus()).isEqualTo("COMPENSATED");
        assertThat(halfDone.policyStatus()).isEqualTo("CANCELLED");
        assertThat(halfDone.accountStatus()).isEqualTo("CLOSED");
        assertThat(halfDone.documentStatuses()).isNotEmpty().containsOnly("CANCELLED");
        assertThat(halfDone.linked()).isFalse();
        assertThat(halfDone.quoteStatus()).isEqualTo("ACTIVE");
    }

    /**
     * What the dead hub's run-subscription-saga did with camel-lra before it died: an LRA, joined by the saga's
     * compensation with the attempt's keys, from its own address. The time limit is short (1 s) so that the test
     * need not wait the saga timeout.
     */
    private void joinAsADeadHub(HalfDoneSubscription halfDone, int deadHubPort) throws Exception {
        LRASagaService lra = camelContext.getRegistry().lookupByNameAndType(sagaServiceName, LRASagaService.class);
        String ownAddress = lra.getLocalParticipantUrl();
        Exchange exchange = new DefaultExchange(camelContext);
        lra.setLocalParticipantUrl("http://localhost:" + deadHubPort);
        try {
            CamelSagaCoordinator saga = lra.newSaga(exchange).get(10, TimeUnit.SECONDS);
            saga.beginStep(exchange, new CamelSagaStep(camelContext.getEndpoint("direct:compensate-subscription"), null,
                    Map.of("attemptId", ExpressionBuilder.constantExpression(halfDone.attemptId),
                            "quoteId", ExpressionBuilder.constantExpression(halfDone.quoteId)), 1000L))
                    .get(10, TimeUnit.SECONDS);
        } finally {
            lra.setLocalParticipantUrl(ownAddress);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The coordinator's LRAs (active or in recovery) started since this test began, deduplicated. */
    private List<JsonNode> lrasStartedSinceTheTestBegan() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(coordinatorUrl + "/lra-coordinator"))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return StreamSupport.stream(JSON.readTree(response.body()).spliterator(), false)
                    .filter(lra -> lra.get("startTime").asLong() >= testStartedAt)
                    .collect(Collectors.toMap(lra -> lra.get("lraId").asText(), lra -> lra, (a, b) -> a, LinkedHashMap::new))
                    .values().stream().toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The coordinator's answer about one LRA (its id is its URL): 200 with the status, 404 once forgotten. */
    private static HttpResponse<String> status(String lraId) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(lraId + "/status")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Exchanges camel-lra's participant route (fed only by the coordinator's callbacks) took since the test began. */
    private long callbacks(String routeId) {
        return camelContext.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute(routeId).getExchangesTotal() - callbacksBefore.getOrDefault(routeId, 0L);
    }
}
