package com.insurancehub.hub.platform;

import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeCompletedEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** O02, O03, O05 and the mocks' admin surface: what an operator of the hub looks at. */
@HubIntegrationTest
class PlatformIntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camelContext;

    /**
     * An API route runs on Tomcat's request thread, not handed to a task pool and dispatched back
     * (PlatformHttpOnRequestThread): one thread per request, no run-queue waits between them.
     */
    @Test
    void anApiRouteRunsOnTheRequestThread() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        EventNotifierSupport completions = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof ExchangeCompletedEvent completed
                        && "get-dead-letters-api".equals(completed.getExchange().getFromRouteId())) {
                    threads.add(Thread.currentThread().getName());
                }
            }
        };
        camelContext.getManagementStrategy().addEventNotifier(completions);
        completions.start();
        try {
            assertThat(new HubApi(port).get("/api/dead-letters?status=NEW").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> !threads.isEmpty());
        } finally {
            camelContext.getManagementStrategy().removeEventNotifier(completions);
            completions.stop();
        }
        assertThat(threads).singleElement().asString().startsWith("http-nio-");
    }

    @Test
    void healthReportsKafkaAndTheDatabase() {
        HubApi api = new HubApi(port);
        // answered from the background evaluation: the first comes within a second of the start (application-test.yaml)
        JsonNode health = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("/actuator/health").body(), h -> "UP".equals(h.path("status").asText()));

        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/kafka/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/kafka/details/brokers").asInt()).isEqualTo(1);
        assertThat(health.at("/components/db/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/camelHealth/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/outboxRelays/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/consumerGroups/status").asText()).isEqualTo("UP");
    }

    /** R03: the DLQ store reads these from its start, so the first dead letter of a topic shows as fast as the next. */
    @Test
    void theDeadLetterTopicOfEveryEventTopicExistsFromTheStart() throws Exception {
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                DevServices.shared().kafkaBootstrapServers()))) {
            Set<String> topics = admin.listTopics().names().get();
            // the customer topic has no consumer in the hub yet: nothing ever dead-letters there
            assertThat(topics).contains("insurance.quote.events.dlq", "insurance.policy.events.dlq",
                    "insurance.claim.events.dlq", "insurance.billing.events.dlq", "insurance.customer.events.dlq");
        }
    }

    @Test
    void prometheusExportsRouteAndBusinessMetrics() throws Exception {
        HubApi api = new HubApi(port);
        assertThat(api.post("/api/quotes", HubApi.quoteRequest("HOME", 123_456, "metrics@example.com")).status())
                .isEqualTo(201);

        String scrape = raw("/actuator/prometheus");

        assertThat(scrape).contains("camel_exchanges_total{").contains("routeId=\"create-quote\"");
        assertThat(scrape).containsPattern("hub_quotes_generated_total\\{[^}]*ratingSource=\"(EXTERNAL|CACHE|FALLBACK)\"");
    }

    @Test
    void hawtioShowsTheHubsRoutes() throws Exception {
        assertThat(raw("/actuator/hawtio/")).containsIgnoringCase("hawtio");
        // The Camel tab of Hawtio reads the routes through Jolokia (JMX over HTTP).
        String routes = raw("/actuator/jolokia/search/org.apache.camel:type=routes,*");
        assertThat(routes).contains("create-quote").contains("rate-risk-with-circuit-breaker")
                .contains("quote-events-to-subscription-view");
    }

    @Test
    void everyMockHasTheSameAdminSurface() {
        for (String base : new String[] {"quote-engine", "rating"}) {
            Mocks.reset(base);
            Mocks.faults(base, 0, 1.0, false);
            assertThat(Mocks.call("GET", base + "/_admin/stats", null).body().at("/faults/errorRate").asDouble())
                    .isEqualTo(1.0);
            assertThat(Mocks.call("POST", base.equals("rating") ? "rating/ratings" : "quote-engine/quotes", "{}").status())
                    .isEqualTo(500);
            // the hub itself calls these mocks meanwhile (the expiry schedule): at least this call, as a failure
            JsonNode stats = Mocks.call("GET", base + "/_admin/stats", null).body();
            assertThat(stats.get("failures").asLong()).isPositive().isLessThanOrEqualTo(stats.get("requests").asLong());
            assertThat(Mocks.call("PUT", base + "/_admin/faults", "{\"errorRate\":1.5}").status()).isEqualTo(400);
            Mocks.reset(base);
            assertThat(Mocks.failures(base)).isZero();
            assertThat(Mocks.call("GET", base + "/_admin/stats", null).body().at("/faults/errorRate").asDouble()).isZero();
        }
    }

    private String raw(String path) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + path))
                        .header("Authorization", "Bearer " + com.insurancehub.hub.support.Tokens.testSuite()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }
}
