package com.insurancehub.hub.platform.metrics;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.platform.simulator.Scenario;
import com.insurancehub.hub.platform.simulator.TrafficSimulator;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * O02/R06 on the real Prometheus (Debian package {@code prometheus}, with promtool): the repository's scrape
 * configuration and alert rules pass {@code promtool check}, Prometheus scrapes this test's hub with them (target
 * rewritten, intervals shortened), and after a little traffic every query of every Grafana dashboard in
 * docker/grafana/dashboards returns at least one series through Prometheus's HTTP API: no panel shows nothing because
 * of a wrong metric or label name.
 */
@HubIntegrationTest
class PrometheusDashboardsIntegrationTest {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path PROMETHEUS_DIR = REPO.resolve("docker/prometheus");
    private static final Path DASHBOARDS = REPO.resolve("docker/grafana/dashboards");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Process prometheus;

    @LocalServerPort
    int port;
    @Autowired
    ApplicationContext context;
    @Autowired
    MeterRegistry meters;
    private Path logFile;

    @AfterAll
    static void stopPrometheus() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void everyDashboardQueryReturnsSeriesFromTheRealPrometheus(@TempDir Path work) throws Exception {
        String promtool = tool("promtool");
        run(work, promtool, "check", "config", PROMETHEUS_DIR.resolve("prometheus.yml").toString());
        run(work, promtool, "check", "rules", PROMETHEUS_DIR.resolve("alerts.yml").toString());

        int prometheusPort = freePort();
        logFile = work.resolve("prometheus.log");
        String config = Files.readString(PROMETHEUS_DIR.resolve("prometheus.yml"))
                .replace("\"hub:8080\"", "\"127.0.0.1:" + port + "\"")
                .replaceAll("(scrape|evaluation)_interval: \\S+", "$1_interval: 1s");
        assertThat(config).as("the test's target").contains("127.0.0.1:" + port);
        Files.writeString(work.resolve("prometheus.yml"), config);
        Files.copy(PROMETHEUS_DIR.resolve("alerts.yml"), work.resolve("alerts.yml"));
        prometheus = new ProcessBuilder(tool("prometheus"), "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        String api = "http://127.0.0.1:" + prometheusPort + "/api/v1/";

        // Traffic: a quote and its subscription (a saga), and a poison record (a dead letter)
        double sagasCompleted = count("hub.subscription.sagas", "outcome", "completed");
        double deadLetters = count("hub.dead-letters.new", "topic", "insurance.quote.events.dlq");
        HubApi hub = new HubApi(port);
        HubApi.Response quote = hub.post("/api/quotes", HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(),
                "dashboards-" + UUID.randomUUID() + "@example.com"));
        assertThat(quote.status()).isEqualTo(201);
        assertThat(hub.post("/api/quotes/" + quote.body().get("quoteId").asText() + "/subscribe", "").status()).isEqualTo(201);
        KafkaRecords.send("insurance.quote.events", "Q-" + UUID.randomUUID(), "{not json, for the dead-letter metric",
                Map.of("eventType", "QuoteGenerated"));
        assertThat(count("hub.subscription.sagas", "outcome", "completed")).isEqualTo(sagasCompleted + 1);
        // one dead letter per consumer group of the topic that meets the poison record
        await().atMost(Duration.ofSeconds(15)).until(() -> count("hub.dead-letters.new", "topic", "insurance.quote.events.dlq")
                > deadLetters);
        assertThat(meters.find("hub.kafka.consumer.lag").tag("topic", "insurance.quote.events").gauges())
                .as("lag per partition of the quote events' consumer groups").isNotEmpty()
                .allSatisfy(gauge -> assertThat(gauge.getId().getTag("partition")).matches("[0-9]+"));
        // A 2-second NORMAL run of the traffic simulator (O04), through its bean: its API is the operator console's
        assertThat(context.getBean(TrafficSimulator.class).start(Scenario.NORMAL, 2, null)).isNotNull();

        Map<String, String> queries = dashboardQueries();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(series(api, "up{job=\"hub\"} == 1")).as(() -> "Prometheus scrapes the hub: " + scrapeState(api))
                    .isPositive();
            Map<String, String> empty = new TreeMap<>();
            for (Map.Entry<String, String> query : queries.entrySet()) {
                if (series(api, query.getValue()) == 0) {
                    empty.put(query.getKey(), query.getValue());
                }
            }
            assertThat(empty).as("dashboard panels whose query returns no series").isEmpty();
        });
        // the rules are loaded and evaluated on these series
        JsonNode rules = get(api + "rules").get("data").get("groups");
        assertThat(rules.findValuesAsText("name")).contains("ConsumerLagHigh", "NewDeadLetter", "CircuitBreakerOpen",
                "NoRelayLeader", "WarehouseLoadFailed");
        assertThat(rules.findValues("health")).allSatisfy(health -> assertThat(health.asText()).isEqualTo("ok"));
    }

    /** Every panel query of every dashboard, by "file / panel / refId". */
    private static Map<String, String> dashboardQueries() throws IOException {
        Map<String, String> queries = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(DASHBOARDS)) {
            files = listed.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("kafka-and-consumers.json", "route-health.json", "business-events.json", "simulation.json");
        for (Path file : files) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            List<JsonNode> panels = new ArrayList<>();
            collectPanels(dashboard.get("panels"), panels);
            assertThat(panels).as(file + " has panels").isNotEmpty();
            for (JsonNode panel : panels) {
                String name = file.getFileName() + " / " + panel.get("title").asText();
                assertThat(panel.at("/datasource/uid").asText()).as(name + ": the provisioned datasource").isEqualTo("prometheus");
                assertThat(panel.get("targets")).as(name + " has a query").isNotEmpty();
                for (JsonNode target : panel.get("targets")) {
                    String expr = target.get("expr").asText();
                    queries.put(name + " / " + target.get("refId").asText(),
                            expr.replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$__range", "1h"));
                }
            }
        }
        return queries;
    }

    private static void collectPanels(JsonNode panels, List<JsonNode> into) {
        for (JsonNode panel : panels) {
            if (panel.has("panels")) {
                collectPanels(panel.get("panels"), into); // a row
            } else if (!"row".equals(panel.path("type").asText())) {
                into.add(panel);
            }
        }
    }

    private double count(String name, String tag, String value) {
        Counter counter = meters.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The target's last scrape as Prometheus says it, and the end of its log. */
    private String scrapeState(String api) {
        String log;
        try {
            List<String> lines = Files.readAllLines(logFile);
            log = String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            log = e.toString();
        }
        try {
            return get(api + "targets").at("/data/activeTargets") + "\n" + log;
        } catch (Throwable e) {
            return e + "\n" + log;
        }
    }

    private static int series(String api, String query) throws Exception {
        JsonNode answer = get(api + "query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        assertThat(answer.get("status").asText()).as(query + ": " + answer).isEqualTo("success");
        return answer.at("/data/result").size();
    }

    private static JsonNode get(String url) throws Exception {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (java.net.ConnectException e) {
            throw new AssertionError("Prometheus does not answer yet at " + url, e);
        }
    }

    /** The tool's path; missing, the test fails under CI=true (it must run there) and is skipped elsewhere. */
    private static String tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String missing = name + " is not installed (Debian package 'prometheus', which .ci/run installs)";
        if ("true".equals(System.getenv("CI"))) {
            fail(missing + ": the dashboards and alert rules cannot be checked");
        }
        Assumptions.abort(missing);
        return null;
    }

    private static void run(Path work, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
