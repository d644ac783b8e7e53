package com.insurancehub.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The local run command's promises, on real processes: LocalHub (what {@code ./mvnw spring-boot:test-run} starts)
 * brings up Kafka, PostgreSQL, the mocks and the hub; with {@code -Dhub.dev.keep-data=true} a quote and its event
 * outlive a SIGKILL; a SIGKILL leaves its PostgreSQL behind and the next run on the same ports still starts first
 * time (fresh, or on the kept data); SIGTERM stops all of it and leaves no process behind. And the split stack:
 * LocalInfrastructure in one process, hubs in others ({@code -Dhub.dev.infrastructure=external}) side by side, one
 * of them killed while the other runs on.
 */
class LocalHubLifecycleTest {

    private static final String QUOTE = """
            {"product":"AUTO","customer":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com",
             "birthDate":"1990-12-10"},"risk":{"insuredValue":20000,"postalCode":"75011"}}""";
    private static final Pattern QUOTE_ID = Pattern.compile("\"quoteId\":\"([^\"]+)\"");

    @Test
    void keptDataOutlivesASigkillAFreshRunAfterASigkillStartsAndSigtermLeavesNothingBehind() throws Exception {
        int hub = FreePorts.find();
        int mocks = FreePorts.find();
        int kafka = FreePorts.find();
        int postgres = FreePorts.find();
        int idp = FreePorts.find();
        String workDir = "target/dev-services-lifecycle";
        String quoteId = null;
        String superuserPassword = null;

        for (int run = 1; run <= 3; run++) {
            boolean keepData = run < 3;
            boolean killed = run < 3;
            List<String> output = new CopyOnWriteArrayList<>();
            List<String> args = new ArrayList<>(List.of("-Dhub.dev.kafka-port=" + kafka, "-Dhub.dev.postgres-port=" + postgres,
                    "-Dhub.dev.mocks-port=" + mocks, "-Dserver.port=" + hub, "-Dhub.dev.idp-port=" + idp,
                    "-Dhub.dev.work-dir=" + workDir));
            if (keepData) {
                args.add("-Dhub.dev.keep-data=true");
            }
            Process process = start(LocalHub.class, args, output);
            try {
                awaitLine(process, output, "Insurance integration hub is running",
                        "all-in-one run " + run + (keepData ? " (keep-data)" : ""));
                assertHealthUp(hub);
                assertThat(get("http://localhost:" + mocks + "/rating/_admin/stats").body()).contains("requests");
                assertThat(output).anyMatch(l -> l.contains("http://localhost:" + hub + "/actuator/hawtio"));
                // what `ss -ltn` shows: the hub, the mocks and the identity provider on loopback only
                for (int port : new int[] {hub, mocks, idp}) {
                    assertThat(ListeningSockets.localAddresses(port)).as("listening on port %d", port)
                            .isNotEmpty().allMatch(address -> address.isLoopbackAddress());
                }
                assertThat(get("http://localhost:" + idp + "/.well-known/openid-configuration").body())
                        .contains("\"issuer\":\"http://localhost:" + idp + "\"");
                String password = credentials(workDir).get("postgres.superuser.password");
                if (run == 1) {
                    quoteId = createQuote(hub);
                    String id = quoteId;
                    await("QuoteGenerated on Kafka").atMost(Duration.ofSeconds(30))
                            .until(() -> quoteEventKeys(kafka).contains(id));
                    superuserPassword = password;
                } else if (run == 2) {
                    assertThat(get("http://localhost:" + mocks + "/quote-engine/quotes/" + quoteId).statusCode())
                            .as("the quote of run 1, kept by the Quote Engine's database").isEqualTo(200);
                    assertThat(quoteEventKeys(kafka)).as("its QuoteGenerated, kept by Kafka").contains(quoteId);
                    assertThat(password).as("the database's passwords, kept").isEqualTo(superuserPassword);
                } else {
                    assertThat(get("http://localhost:" + mocks + "/quote-engine/quotes/" + quoteId).statusCode())
                            .as("without keep-data, a fresh database").isEqualTo(404);
                    assertThat(quoteEventKeys(kafka)).as("and a fresh Kafka").doesNotContain(quoteId);
                    assertThat(password).isNotEqualTo(superuserPassword);
                }
            } finally {
                int stopAt = output.size();
                long stopping = System.nanoTime();
                if (killed) {
                    process.destroyForcibly(); // SIGKILL: a crash
                } else {
                    process.destroy(); // SIGTERM, as Ctrl-C through Maven
                }
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
                if (!killed) {
                    // a clean stop: in seconds (20, forced, with errors, before the Kafka consumers stopped side by
                    // side) and nothing logged at WARN or above
                    assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("time to stop")
                            .isLessThan(Duration.ofSeconds(15));
                    assertThat(output.subList(stopAt, output.size())).as("what the stop logged")
                            .noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR "));
                }
            }
            if (killed) {
                assertThat(postgresProcessesOn(postgres)).as("a crash leaves PostgreSQL behind").isNotEmpty();
                continue;
            }
            assertThat(postgresProcessesOn(postgres)).as("no PostgreSQL left behind").isEmpty();
            for (int port : new int[] {hub, mocks, kafka, postgres, idp}) {
                assertThat(FreePorts.inUse(port)).as("port %d released", port).isFalse();
            }
        }
    }

    @Test
    void hubsInProcessesOfTheirOwnShareTheInfrastructureAndOneKilledLeavesTheOtherRunning() throws Exception {
        int mocks = FreePorts.find();
        int kafka = FreePorts.find();
        int postgres = FreePorts.find();
        int idp = FreePorts.find();
        int hubA = FreePorts.find();
        int hubB = FreePorts.find();
        List<String> ports = List.of("-Dhub.dev.kafka-port=" + kafka, "-Dhub.dev.postgres-port=" + postgres,
                "-Dhub.dev.mocks-port=" + mocks, "-Dhub.dev.idp-port=" + idp, "-Dhub.dev.work-dir=target/dev-services-split");
        List<Process> hubs = new ArrayList<>();
        List<String> infrastructureOutput = new CopyOnWriteArrayList<>();
        Process infrastructure = start(LocalInfrastructure.class, ports, infrastructureOutput);
        try {
            awaitLine(infrastructure, infrastructureOutput, "Local infrastructure is running", "the infrastructure");
            for (int hub : new int[] {hubA, hubB}) {
                List<String> args = new ArrayList<>(ports);
                args.addAll(List.of("-Dhub.dev.infrastructure=external", "-Dserver.port=" + hub));
                List<String> output = new CopyOnWriteArrayList<>();
                hubs.add(start(LocalHub.class, args, output));
                awaitLine(hubs.get(hubs.size() - 1), output, "Insurance integration hub is running", "hub alone " + hubs.size());
                assertHealthUp(hub);
            }
            hubs.get(0).destroyForcibly();
            assertThat(hubs.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertHealthUp(hubB);
            assertThat(createQuote(hubB)).as("a quote through the hub that runs on").isNotBlank();
        } finally {
            for (Process hub : hubs) {
                hub.destroyForcibly();
                hub.waitFor(30, TimeUnit.SECONDS);
            }
            infrastructure.destroy(); // SIGTERM
            assertThat(infrastructure.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        }
        assertThat(postgresProcessesOn(postgres)).as("no PostgreSQL left behind").isEmpty();
        for (int port : new int[] {mocks, kafka, postgres, idp}) {
            assertThat(FreePorts.inUse(port)).as("port %d released", port).isFalse();
        }
    }

    private static Process start(Class<?> main, List<String> properties, List<String> output) throws IOException {
        // C1 only, as spring-boot:test-run launches it (optimizedLaunch): half the CPU time of a start
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:TieredStopAtLevel=1"));
        command.addAll(properties);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "local-hub-output");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    /** Waits for the line that says the process is up (generous: a busy 2-core machine takes minutes); logs how long. */
    private static void awaitLine(Process process, List<String> output, String line, String what) {
        long t0 = System.nanoTime();
        try {
            await(what + " is up").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> output.stream().anyMatch(l -> l.contains(line)) || !process.isAlive());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + " not up; its output:\n" + String.join("\n", output), e);
        }
        assertThat(process.isAlive()).as(String.join("\n", output)).isTrue();
        System.out.printf("LocalHubLifecycleTest: %s up in %d ms%n", what, (System.nanoTime() - t0) / 1_000_000);
    }

    private static void assertHealthUp(int hub) throws Exception {
        assertThat(get("http://localhost:" + hub + "/actuator/health").body())
                .contains("\"kafka\":{\"status\":\"UP\"").contains("\"db\":{\"status\":\"UP\"");
    }

    /** A portal visitor's quote (anonymous, F01): its id. */
    private static String createQuote(int hub) throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + hub + "/api/quotes")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(QUOTE)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Matcher id = QUOTE_ID.matcher(created.body());
        assertThat(id.find()).as(created.body()).isTrue();
        return id.group(1);
    }

    /** The keys (quote ids) of every record on the quote topic, from its beginning to its end. */
    private static Set<String> quoteEventKeys(int kafkaPort) {
        Map<String, Object> config = Map.of("bootstrap.servers", "localhost:" + kafkaPort,
                "key.deserializer", StringDeserializer.class.getName(), "value.deserializer", StringDeserializer.class.getName());
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor("insurance.quote.events", Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(record.key());
                }
            }
        }
        return keys;
    }

    private static Map<String, String> credentials(String workDir) throws IOException {
        return PrivateFiles.read(Path.of(workDir).toAbsolutePath().resolve("local-credentials.properties"));
    }

    private static List<ProcessHandle> postgresProcessesOn(int port) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains("postgres-" + port)).orElse(false))
                .toList();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
