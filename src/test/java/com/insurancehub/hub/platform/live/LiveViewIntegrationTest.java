package com.insurancehub.hub.platform.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Tokens;
import com.insurancehub.testing.JsonHttp.Response;

/** O04: the live view's feed and the traffic simulator's API, operator only. */
@HubIntegrationTest
class LiveViewIntegrationTest {

    @Value("${local.server.port}")
    int port;

    @Value("${hub.simulator.slow-consumer.route-id}")
    String slowConsumer;

    @Value("${hub.topics.quote}")
    String quoteTopic;

    @Autowired
    CamelContext camel;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private String adminToken() {
        return Tokens.of("operator", "operator-local-only", "admin");
    }

    @Test
    void theFeedCarriesAQuoteAsItHappens() {
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/live/events"))
                .header("Authorization", "Bearer " + adminToken()).header("Accept", "text/event-stream").build();
        CompletableFuture<HttpResponse<Stream<String>>> stream = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        try {
            // the stream is open once its first metrics event arrived
            HttpResponse<Stream<String>> response = stream.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            Thread reader = new Thread(() -> response.body().forEach(lines::add), "live-feed-reader");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(line -> line.startsWith("event:metrics")));

            Response quote = HubApi.anonymous(port).post("/api/quotes",
                    HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "live.view@example.com"));
            assertThat(quote.status()).isEqualTo(201);

            // the request in, and the calls it made to the Quote Engine (and Rating) on its way
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(lines).anyMatch(line -> line.contains("\"from\":\"client\"") && line.contains("\"route\":\"post-quote-api\"") && line.contains("\"flow\":\"F01\""));
                assertThat(lines).anyMatch(line -> line.contains("\"to\":\"system:quote-engine\""));
            });
            assertThat(lines).anyMatch(line -> line.startsWith("data:") && line.contains("\"flows\":{"));
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            stream.cancel(true);
            stream.thenAccept(response -> response.body().close()); // the connection ends, and the server's stream with it
        }
    }

    @Test
    void onlyTheOperatorSeesTheLiveView() {
        String business = Tokens.of("partner-broker", "partner-broker-local-only", "quotes customers policies");
        assertThat(HubApi.withToken(port, business).get("/api/live/session").status()).isEqualTo(403);
        assertThat(HubApi.anonymous(port).get("/api/live/session").status()).isEqualTo(401);
        assertThat(HubApi.withToken(port, adminToken()).get("/live/index.html").status()).isEqualTo(200);
    }

    @Test
    void theSimulatorRunsOneRunAtATimeAndStopsOnRequest() {
        HubApi operator = HubApi.withToken(port, adminToken());
        HubApi business = HubApi.withToken(port, Tokens.of("partner-broker", "partner-broker-local-only", "quotes customers policies"));

        assertThat(business.post("/api/simulator/runs", "{\"scenario\":\"NORMAL\",\"durationSeconds\":5}").status()).isEqualTo(403);
        Response unknown = operator.post("/api/simulator/runs", "{\"scenario\":\"CHAOS\",\"durationSeconds\":5}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.body().toString()).contains("scenario");

        Response started = operator.post("/api/simulator/runs", "{\"scenario\":\"NORMAL\",\"durationSeconds\":30}");
        assertThat(started.status()).isEqualTo(201);
        String id = started.body().get("id").asText();
        assertThat(started.headers().firstValue("Location")).hasValue("/api/simulator/runs/" + id);
        try {
            assertThat(operator.post("/api/simulator/runs", "{\"scenario\":\"PEAK\",\"durationSeconds\":5}").status()).isEqualTo(409);
            // a quote, then its subscription: real requests through the edge, answered
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Response run = operator.get("/api/simulator/runs/" + id);
                assertThat(run.body().get("state").asText()).isEqualTo("RUNNING");
                assertThat(run.body().get("ok").asLong()).isGreaterThanOrEqualTo(2);
            });
        } finally {
            Response stopped = operator.send("DELETE", "/api/simulator/runs/" + id, (String) null);
            assertThat(stopped.status()).isEqualTo(200);
            assertThat(stopped.body().get("state").asText()).isEqualTo("STOPPED");
        }
        assertThat(operator.get("/api/simulator/runs/" + id).body().get("sent").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(operator.get("/api/simulator/runs/" + "SIM-unknown").status()).isEqualTo(404);
    }

    /** The proof of SLOW_CONSUMER: its consumer paused, the group's lag (hub_kafka_consumer_lag) grows, then drains. */
    @Test
    void aSlowConsumerRunMakesItsGroupsLagGrowThenDrainOnceStopped() {
        HubApi operator = HubApi.withToken(port, adminToken());
        Response started = operator.post("/api/simulator/runs", "{\"scenario\":\"SLOW_CONSUMER\",\"durationSeconds\":30}");
        assertThat(started.status()).isEqualTo(201);
        String id = started.body().get("id").asText();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    camel.getRouteController().getRouteStatus(slowConsumer) == ServiceStatus.Suspended);
            // quotes of our own besides the simulator's: their QuoteGenerated wait for the paused consumer
            for (int i = 0; i < 3; i++) {
                assertThat(HubApi.anonymous(port).post("/api/quotes", HubApi.quoteRequest("AUTO",
                        HubApi.uniqueInsuredValue(), "slow.consumer@example.com")).status()).isEqualTo(201);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> slowConsumerLag() > 0);
        } finally {
            operator.send("DELETE", "/api/simulator/runs/" + id, (String) null);
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                camel.getRouteController().getRouteStatus(slowConsumer) == ServiceStatus.Started);
        await().atMost(Duration.ofSeconds(30)).until(() -> slowConsumerLag() == 0);
    }

    /** The slowed consumer's lag over its partitions of the quote topic, as the metric says (-1: no gauge yet). */
    private double slowConsumerLag() {
        List<io.micrometer.core.instrument.Gauge> gauges = meters.find("hub.kafka.consumer.lag").tag("topic", quoteTopic)
                .gauges().stream().filter(g -> String.valueOf(g.getId().getTag("group")).endsWith(slowConsumer)).toList();
        return gauges.isEmpty() ? -1 : gauges.stream().mapToDouble(io.micrometer.core.instrument.Gauge::value).sum();
    }
}
