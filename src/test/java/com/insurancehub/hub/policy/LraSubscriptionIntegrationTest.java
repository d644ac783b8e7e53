package com.insurancehub.hub.policy;

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
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.saga.CamelSagaService;
import org.apache.camel.service.lra.LRASagaService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

import com.insurancehub.dev.EmbeddedLraCoordinator;
import com.insurancehub.hub.HubIntegrationTest;
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
     * The coordinator closed the LRA: it called each participant back to complete. 6 participants: the saga and its
     * steps, create-pending-policy and issue-policy being one (the same compensation with the same quote id is
     * the same participant URL, which the coordinator enlists once).
     */
    @Override
    protected void afterSubscribed(String quoteId, HubApi.Response subscribed) {
        assertThat(lrasStartedSinceTheTestBegan()).as("no LRA left open").isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(callbacks("lra-completion")).isEqualTo(6));
        assertThat(callbacks("lra-compensation")).isZero();
    }

    /**
     * The compensations came from the coordinator; Billing's one failed (Billing is down), so the coordinator
     * keeps the LRA, Cancelling, for its recovery to call that compensation again.
     */
    @Override
    protected void afterCompensatedWhileBillingIsDown(String quoteId, String policyId) {
        // the saga and the steps begun: link-customer, create-pending-policy, open-billing-account
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(callbacks("lra-compensation")).isGreaterThanOrEqualTo(4));
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
