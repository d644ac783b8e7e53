package com.insurancehub.hub.platform.edge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import com.insurancehub.dev.DevServicesInitializer;
import com.insurancehub.hub.HubApplication;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.Tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * F07 rate limits on real parts: real HTTP into the hub, buckets in the real PostgreSQL. Small limits in one context
 * of their own (closed after the class: it need not consume events for the rest of the suite), the outbox relays
 * staying with the shared one. Each test starts from empty buckets.
 * Clients are real ones of the identity provider, calling with their tokens.
 */
@HubIntegrationTest
@TestPropertySource(properties = {"hub.outbox.enabled=false", RateLimitIntegrationTest.ANONYMOUS_LIMIT,
        "hub.rate-limits.default-client=4", "hub.rate-limits.clients.partner-broker=8",
        "hub.rate-limits.clients.cost-probe=1000000", "hub.rate-limits.cleanup.interval=500"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class RateLimitIntegrationTest {

    static final String ANONYMOUS_LIMIT = "hub.rate-limits.anonymous=5";
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitIntegrationTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Supplier<String> BROKER = () -> "Bearer " + Tokens.of("partner-broker", "partner-broker-local-only", "quotes");
    private static final Supplier<String> OPERATOR = () -> "Bearer " + Tokens.of("operator", "operator-local-only", "admin");
    /** Answers 404 after asking the Quote Engine: a cheap, real API call, open to anonymous callers and any client. */
    private static final String API_PATH = "/api/quotes/Q-rate-limit-test";

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    RateLimiter limiter;

    @BeforeEach
    void emptyBuckets() {
        jdbc.update("DELETE FROM " + RateLimitConfiguration.TABLE);
    }

    @Test
    void anAnonymousCallerGetsFiveRequestsAMinuteThenA429ProblemWithRetryAfter() throws Exception {
        for (int i = 1; i <= 5; i++) {
            // a header any caller can write does not choose the bucket
            HttpResponse<String> answer = get(port, API_PATH, "X-Forwarded-For", "203.0.113." + i);
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(header(answer, RateLimitFilter.LIMIT)).isEqualTo("5");
            assertThat(header(answer, RateLimitFilter.REMAINING)).isEqualTo(Integer.toString(5 - i));
            assertThat(Long.parseLong(header(answer, RateLimitFilter.RESET))).isBetween(1L, 60L);
        }

        HttpResponse<String> refused = get(port, API_PATH, "X-Forwarded-For", "203.0.113.6");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(header(refused, "Content-Type")).startsWith("application/problem+json");
        // greedy refill: 5 a minute is one token every 12 s
        assertThat(Long.parseLong(header(refused, "Retry-After"))).isBetween(1L, 12L);
        assertThat(header(refused, RateLimitFilter.LIMIT)).isEqualTo("5");
        assertThat(header(refused, RateLimitFilter.REMAINING)).isEqualTo("0");
        assertThat(Long.parseLong(header(refused, RateLimitFilter.RESET))).isBetween(1L, 60L);
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.get("type").asText()).isEqualTo("about:blank");
        assertThat(problem.get("title").asText()).isEqualTo("Too Many Requests");
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("detail").asText()).contains("5 requests per 1 min").contains("anonymous caller");
        assertThat(problem.get("instance").asText()).isEqualTo(API_PATH);
    }

    @Test
    void healthAndPrometheusAreNeverLimited() throws Exception {
        exhaustAnonymousBucket(port);

        // from the address whose bucket is empty: limited, these would be 429 (health: 200 UP or 503 DOWN, the state
        // of the shared stack - this context runs no outbox relay)
        for (String path : List.of("/actuator/health", "/actuator/prometheus")) {
            HttpResponse<String> answer = get(port, path);
            assertThat(answer.statusCode()).as(path).isIn(200, path.endsWith("health") ? 503 : 200);
            assertThat(answer.headers().firstValue(RateLimitFilter.LIMIT)).as(path).isEmpty();
        }
    }

    @Test
    void anAuthenticatedClientHasItsOwnBucketAndItsConfiguredLimit() throws Exception {
        exhaustAnonymousBucket(port); // the same address, but a client is not counted as anonymous

        for (int i = 1; i <= 8; i++) {
            HttpResponse<String> answer = get(port, API_PATH, "Authorization", BROKER.get());
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(header(answer, RateLimitFilter.LIMIT)).isEqualTo("8"); // hub.rate-limits.clients.partner-broker
        }
        HttpResponse<String> refused = get(port, API_PATH, "Authorization", BROKER.get());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(refused.body()).get("detail").asText()).contains("8 requests per 1 min").contains("client partner-broker");

        HttpResponse<String> otherClient = get(port, API_PATH, "Authorization", OPERATOR.get());
        assertThat(otherClient.statusCode()).isEqualTo(404);
        assertThat(header(otherClient, RateLimitFilter.LIMIT)).isEqualTo("4"); // hub.rate-limits.default-client
        assertThat(header(otherClient, RateLimitFilter.REMAINING)).isEqualTo("3");
    }

    @Test
    void twoHubInstancesOnOneDatabaseCountAgainstTheSameBucket() throws Exception {
        try (ConfigurableApplicationContext other = new SpringApplicationBuilder(HubApplication.class)
                .profiles("test").initializers(new DevServicesInitializer()).registerShutdownHook(false)
                // command-line arguments: above application-test.yaml, as the test's own properties are
                .run("--server.port=0", "--hub.outbox.enabled=false", "--" + ANONYMOUS_LIMIT)) {
            int otherPort = other.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            int[] ports = {port, otherPort, port, otherPort, port};
            for (int i = 0; i < ports.length; i++) {
                HttpResponse<String> answer = get(ports[i], API_PATH);
                assertThat(answer.statusCode()).isEqualTo(404);
                assertThat(header(answer, RateLimitFilter.REMAINING)).as("request %d", i + 1).isEqualTo(Integer.toString(4 - i));
            }
            assertThat(get(otherPort, API_PATH).statusCode()).isEqualTo(429);
            assertThat(get(port, API_PATH).statusCode()).isEqualTo(429);
        }
    }

    @Test
    void aBucketRowExpiresOnceFullAgainAndTheCleanUpRouteDeletesIt() throws Exception {
        get(port, API_PATH);
        Long expiresAt = jdbc.queryForObject("SELECT expires_at FROM " + RateLimitConfiguration.TABLE
                + " WHERE id = 'anonymous:127.0.0.1@5/PT1M'", Long.class);
        // full again 12 s after one request (5 a minute), kept keep-after-refill (1 min) more
        assertThat(expiresAt).isGreaterThan(System.currentTimeMillis() + Duration.ofMinutes(1).toMillis());

        jdbc.update("INSERT INTO " + RateLimitConfiguration.TABLE + " (id, expires_at) VALUES ('anonymous:gone', 0)");
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject("SELECT count(*) FROM "
                + RateLimitConfiguration.TABLE + " WHERE id = 'anonymous:gone'", Integer.class) == 0);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + RateLimitConfiguration.TABLE, Integer.class)).isOne();
    }

    /** A caller's first requests arriving together: its row is created once, and exactly its limit gets through. */
    @Test
    void concurrentFirstRequestsOfACallerTakeExactlyItsLimit() throws Exception {
        RateLimitKeyResolver.Caller caller = RateLimitKeyResolver.Caller.client("concurrency-probe"); // default-client: 4
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Boolean>> checks = IntStream.range(0, 16)
                    .mapToObj(i -> threads.submit(() -> {
                        start.await();
                        return limiter.check(caller).allowed();
                    })).toList();
            start.countDown();
            long allowed = 0;
            for (java.util.concurrent.Future<Boolean> check : checks) {
                allowed += check.get(30, java.util.concurrent.TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(allowed).isEqualTo(4);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM " + RateLimitConfiguration.TABLE
                    + " WHERE id LIKE 'client:concurrency-probe@%'", Integer.class)).isOne();
        } finally {
            threads.shutdownNow();
        }
    }

    /** What a check costs on the request path: the one statement on the bucket's row, measured over many checks. */
    @Test
    void aCheckIsOneShortStatement() {
        RateLimitKeyResolver.Caller caller = RateLimitKeyResolver.Caller.client("cost-probe");
        IntStream.range(0, 50).forEach(i -> limiter.check(caller)); // the row exists, the pool and statements are warm
        long[] micros = new long[1000];
        for (int i = 0; i < micros.length; i++) {
            long started = System.nanoTime();
            assertThat(limiter.check(caller).allowed()).isTrue();
            micros[i] = (System.nanoTime() - started) / 1000;
        }
        Arrays.sort(micros);
        long p50 = micros[micros.length / 2];
        long p99 = micros[micros.length * 99 / 100];
        LOG.info("Rate limit check: p50 {} µs, p99 {} µs, max {} µs, mean {} µs over {} checks", p50, p99,
                micros[micros.length - 1], Arrays.stream(micros).sum() / micros.length, micros.length);
        // loose: a shared 2-core machine; the figure that matters is in the log and in hub_rate_limit_checks_seconds
        assertThat(Duration.ofNanos(p50 * 1000)).isLessThan(Duration.ofMillis(50));
    }

    private static void exhaustAnonymousBucket(int port) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> get(port, API_PATH).statusCode() == 429);
    }

    private static HttpResponse<String> get(int port, String path, String... headers) throws IOException, InterruptedException {
        // 127.0.0.1, not localhost: the anonymous bucket is per address, and localhost may be ::1 or 127.0.0.1
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(HttpResponse<?> answer, String name) {
        return answer.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header"));
    }
}
