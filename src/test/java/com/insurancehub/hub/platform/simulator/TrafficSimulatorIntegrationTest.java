package com.insurancehub.hub.platform.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.platform.edge.RateLimitKeyResolver;
import com.insurancehub.hub.platform.edge.RateLimitProperties;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Tokens;
import com.insurancehub.testing.JsonHttp.Response;

/** O04: the simulator's PEAK really sends ten times NORMAL's rate, and ERRORS' invalid traffic is refused and dead-lettered. */
@HubIntegrationTest
class TrafficSimulatorIntegrationTest {

    @Value("${local.server.port}")
    int port;
    @Value("${hub.simulator.max-rate}")
    double maxRate;
    @Value("${hub.simulator.client-id}")
    String simulatorClient;
    @Value("${hub.simulator.slow-consumer.route-id}")
    String subscriptionView;

    @Autowired
    RateLimitProperties rateLimits;
    @Autowired
    JdbcTemplate jdbc;

    private HubApi operator() {
        return HubApi.withToken(port, Tokens.of("operator", "operator-local-only", "admin"));
    }

    /** Starts a run and answers it once it has ended by itself (the requests in flight answered). */
    private JsonNode run(String request, int seconds) {
        HubApi operator = operator();
        Response started = operator.post("/api/simulator/runs", request);
        assertThat(started.status()).as("%s", started.body()).isEqualTo(201);
        String id = started.body().get("id").asText();
        await().atMost(Duration.ofSeconds(seconds + 15)).pollInterval(Duration.ofMillis(250)).until(() ->
                !operator.get("/api/simulator/runs/" + id).body().get("state").asText().equals("RUNNING"));
        JsonNode run = operator.get("/api/simulator/runs/" + id).body();
        assertThat(run.get("state").asText()).isEqualTo("COMPLETED");
        return run;
    }

    @Test
    void peakSendsTenTimesTheNormalRateOpenLoop() {
        // the client's rate limit lets PEAK through: a refused request would count as failed
        assertThat(rateLimits.limitOf(RateLimitKeyResolver.Caller.client(simulatorClient)) / (double) rateLimits.period().toSeconds())
                .isGreaterThanOrEqualTo(maxRate);
        assertThat(operator().post("/api/simulator/runs", "{\"scenario\":\"PEAK\",\"durationSeconds\":5,\"peakSeconds\":31}").status())
                .isEqualTo(400);

        JsonNode run = run("{\"scenario\":\"PEAK\",\"durationSeconds\":6,\"peakSeconds\":2}", 6);

        JsonNode peak = run.at("/phases/peak");
        JsonNode normal = run.at("/phases/normal");
        assertThat(peak.get("seconds").asDouble()).isEqualTo(2.0);
        assertThat(normal.get("seconds").asDouble()).isEqualTo(4.0);
        assertThat(normal.get("sent").asLong()).isPositive();
        double peakRate = peak.get("sent").asLong() / peak.get("seconds").asDouble();
        double normalRate = normal.get("sent").asLong() / normal.get("seconds").asDouble();
        assertThat(peakRate).as("%s", run).isGreaterThanOrEqualTo(8 * normalRate);
        assertThat(run.get("sent").asLong()).isEqualTo(peak.get("sent").asLong() + normal.get("sent").asLong());
        // none refused by the client's rate limit, none skipped; answered (a claim may meet a breaker another test opened)
        assertThat(run.get("rateLimited").asLong()).as("%s", run).isZero();
        assertThat(run.get("skipped").asLong()).as("%s", run).isZero();
        assertThat(run.get("ok").asLong()).as("%s", run).isGreaterThanOrEqualTo(run.get("sent").asLong() * 9 / 10);
    }

    @Test
    void errorsAreRefusedWithProblemsAndDeadLetteredWithTheirReasonAndNoJourneyIsLost() {
        JsonNode run = run("{\"scenario\":\"ERRORS\",\"durationSeconds\":5}", 5);
        String id = run.get("id").asText();

        long invalidRequests = run.get("invalidRequests").asLong();
        long invalidEvents = run.get("invalidEvents").asLong();
        long requests = run.get("sent").asLong() - invalidEvents;
        assertThat(invalidRequests).as("%s", run).isPositive();
        assertThat((double) invalidRequests / requests).isBetween(0.05, 0.2);
        assertThat(run.get("ok").asLong()).as("%s", run).isGreaterThanOrEqualTo((requests - invalidRequests) * 8 / 10);
        assertThat(invalidEvents).isEqualTo(invalidRequests);

        // each broken record in the DLQ store, dead-lettered by the subscription view (one of the topic's consumers)
        // with its reason
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT count(*) FROM hub.dead_letters WHERE record_key LIKE ? AND failed_route = ? AND reason <> ''",
                Long.class, id + "-%", subscriptionView)).isEqualTo(invalidEvents));
        // and every journey's quote reached the view all the same
        long journeys = run.get("journeys").asLong();
        assertThat(journeys).isPositive();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT count(*) FROM hub.quote_subscription_view WHERE customer_email LIKE ?",
                Long.class, id.toLowerCase() + "-%")).isEqualTo(journeys));
    }
}
