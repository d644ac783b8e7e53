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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The local run command's promise: LocalHub (what {@code ./mvnw spring-boot:test-run} starts) brings up Kafka,
 * PostgreSQL, the mocks and the hub; SIGTERM stops all of it and leaves no process behind; a second run right
 * after, on the same ports, works; killed with SIGKILL, it leaves its PostgreSQL behind, and the next run on the same
 * ports still starts first time (it stops that PostgreSQL and starts from a fresh data directory).
 */
class LocalHubLifecycleTest {

    @Test
    void sigtermStopsEverythingAndARunAfterASigtermOrASigkillOnTheSamePortsWorks() throws Exception {
        int hub = FreePorts.find();
        int mocks = FreePorts.find();
        int kafka = FreePorts.find();
        int postgres = FreePorts.find();
        int idp = FreePorts.find();

        for (int run = 1; run <= 3; run++) {
            boolean killed = run == 2;
            List<String> output = new CopyOnWriteArrayList<>();
            Process process = start(hub, mocks, kafka, postgres, idp, output);
            try {
                try {
                    await("run " + run + " is up").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                            .until(() -> output.stream().anyMatch(l -> l.contains("Insurance integration hub is running"))
                                    || !process.isAlive());
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("run " + run + " not up; its output:\n" + String.join("\n", output), e);
                }
                assertThat(process.isAlive()).as(String.join("\n", output)).isTrue();
                String health = get("http://localhost:" + hub + "/actuator/health");
                assertThat(health).contains("\"kafka\":{\"status\":\"UP\"").contains("\"db\":{\"status\":\"UP\"");
                assertThat(get("http://localhost:" + mocks + "/rating/_admin/stats")).contains("requests");
                assertThat(output).anyMatch(l -> l.contains("http://localhost:" + hub + "/actuator/hawtio"));
                // what `ss -ltn` shows: the hub, the mocks and the identity provider on loopback only
                for (int port : new int[] {hub, mocks, idp}) {
                    assertThat(ListeningSockets.localAddresses(port)).as("listening on port %d", port)
                            .isNotEmpty().allMatch(address -> address.isLoopbackAddress());
                }
                assertThat(get("http://localhost:" + idp + "/.well-known/openid-configuration"))
                        .contains("\"issuer\":\"http://localhost:" + idp + "\"");
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

    private static Process start(int hub, int mocks, int kafka, int postgres, int idp, List<String> output) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(),
                "-Xmx768m",
                "-Dhub.dev.kafka-port=" + kafka, "-Dhub.dev.postgres-port=" + postgres,
                "-Dhub.dev.mocks-port=" + mocks, "-Dserver.port=" + hub, "-Dhub.dev.idp-port=" + idp,
                "-Dhub.dev.work-dir=target/dev-services-lifecycle",
                "-cp", System.getProperty("java.class.path"), LocalHub.class.getName())
                .redirectErrorStream(true)
                .start();
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

    private static List<ProcessHandle> postgresProcessesOn(int port) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains("postgres-" + port)).orElse(false))
                .toList();
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
