package com.insurancehub.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

import com.insurancehub.hub.HubApplication;

/**
 * The one-command local run: {@code ./mvnw spring-boot:test-run}. Starts Kafka, PostgreSQL and the mocks,
 * then the hub pointed at them, and prints where everything is. Ctrl-C stops all of it.
 *
 * <p>With the {@code lra} profile ({@code ./mvnw spring-boot:test-run -Dspring-boot.run.profiles=lra}) it also
 * starts a Narayana LRA coordinator, and the subscription saga runs on it (camel-lra) instead of in memory.
 *
 * <p>Ports: hub 8080, mocks 8090, Kafka 9092, PostgreSQL 15432, LRA coordinator 8088; override with
 * {@code -Dhub.dev.kafka-port=...}, {@code -Dhub.dev.postgres-port=...}, {@code -Dhub.dev.mocks-port=...},
 * {@code -Dhub.dev.lra-port=...} and {@code -Dserver.port=...} (through
 * {@code -Dspring-boot.run.jvmArguments="..."}).
 */
public final class LocalHub {

    private LocalHub() {
    }

    public static void main(String[] args) throws Exception {
        int kafkaPort = Integer.getInteger("hub.dev.kafka-port", 9092);
        int postgresPort = Integer.getInteger("hub.dev.postgres-port", 15432);
        int mocksPort = Integer.getInteger("hub.dev.mocks-port", 8090);
        int lraPort = Integer.getInteger("hub.dev.lra-port", 8088);
        int idpPort = Integer.getInteger("hub.dev.idp-port", 9000);
        boolean lra = lraProfileActive(args);
        int[] ports = lra ? new int[] {kafkaPort, postgresPort, mocksPort, idpPort, lraPort} : new int[] {kafkaPort, postgresPort, mocksPort, idpPort};
        afterAnEarlierRunDied(postgresPort);
        for (int port : ports) {
            if (FreePorts.inUse(port)) {
                System.err.println("Port " + port + " is taken: is another hub running? Stop it or choose other "
                        + "ports (-Dhub.dev.kafka-port, -Dhub.dev.postgres-port, -Dhub.dev.mocks-port, -Dhub.dev.idp-port, -Dhub.dev.lra-port).");
                System.exit(1);
            }
        }
        DevServices services = DevServices.start(kafkaPort, postgresPort, mocksPort, lraPort, idpPort, Map.of(), Map.of());
        // One hook, in order: the hub first (its consumers leave their groups while Kafka is still there), then the
        // services it uses. Two hooks would run in parallel and the hub's Kafka consumers would wait on a dead broker.
        AtomicReference<ConfigurableApplicationContext> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ConfigurableApplicationContext context = running.get();
            if (context != null) {
                context.close();
            }
            services.close();
        }, "local-hub-shutdown"));
        if (lra) {
            services.lraCoordinator(); // now rather than when the hub asks: a port problem shows before the hub starts
        }

        Path credentials = services.writeCredentials();
        Path camelRun = services.writeCamelRunProperties(Path.of(""));
        SpringApplication hub = new SpringApplication(HubApplication.class);
        hub.addInitializers(new DevServicesInitializer(services));
        if (System.getProperty("hub.dev.bind-address") != null && System.getProperty("server.address") == null) {
            System.setProperty("server.address", DevServices.bindAddress()); // ahead of application.yaml's loopback
        }
        // A typed listener: a lambda's event type is invisible to Spring, which would call it for every event
        hub.addListeners(new ApplicationListener<ApplicationReadyEvent>() {
            @Override
            public void onApplicationEvent(ApplicationReadyEvent ready) {
                printUrls(ready.getApplicationContext().getEnvironment(), services, credentials, camelRun);
            }
        });
        hub.setRegisterShutdownHook(false);
        running.set(hub.run(args));
    }

    /**
     * A run killed with SIGKILL (or a crashed JVM) leaves its PostgreSQL running on the port and its data directory
     * behind; Kafka, the mocks and the hub died with the JVM. Stops and deletes those, unless that run is alive (then
     * the port check says another hub runs), and marks the work directory as this run's.
     */
    private static void afterAnEarlierRunDied(int postgresPort) throws IOException {
        Path marker = DevServices.workDir().resolve("local-hub-" + postgresPort + ".pid");
        if (Files.exists(marker)) {
            String pid = Files.readString(marker).trim();
            boolean alive = !pid.isEmpty() && pid.chars().allMatch(Character::isDigit)
                    && ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
                            .flatMap(p -> p.info().command()).map(command -> command.endsWith("java")).orElse(false);
            if (alive) {
                return;
            }
        }
        EmbeddedPostgresServer.stopLeftOver(DevServices.workDir(), postgresPort);
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, Long.toString(ProcessHandle.current().pid()));
        marker.toFile().deleteOnExit();
    }

    /** The profiles as the hub will see them: arguments, system properties, environment. */
    private static boolean lraProfileActive(String[] args) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        return env.acceptsProfiles(Profiles.of(DevServicesInitializer.LRA_PROFILE));
    }

    private static void printUrls(Environment env, DevServices services, Path credentials, Path camelRun) {
        String hub = "http://localhost:" + env.getProperty("local.server.port", env.getProperty("server.port"));
        String mocks = services.mocksBaseUrl();
        String saga = services.lraCoordinatorUrl() == null
                ? "in memory (camel-saga)"
                : "LRA coordinator " + services.lraCoordinatorUrl() + "/lra-coordinator (camel-lra)";
        System.out.println("""

                ==== Insurance integration hub is running ====
                  Hub API        %1$s/api/quotes
                  Health         %1$s/actuator/health
                  Prometheus     %1$s/actuator/prometheus
                  Hawtio         %1$s/actuator/hawtio/camel/routes
                  Mocks          %2$s/quote-engine  %2$s/rating   (admin: {base}/_admin/faults|stats|reset)
                  Identity       %7$s  (tokens: %7$s/oauth2/token; clients: identity-provider.yaml)
                  Kafka          %3$s
                  PostgreSQL     %4$s  (roles and passwords, new at every start: %6$s)
                  Saga (F03)     %5$s
                  camel run      --properties=%8$s  (one flow alone: README)
                Ctrl-C stops the hub, the mocks, the identity provider, Kafka and PostgreSQL.
                """.formatted(hub, mocks, services.kafkaBootstrapServers(), services.jdbcUrl(), saga, credentials, services.issuer(),
                        Path.of("").toAbsolutePath().relativize(camelRun.toAbsolutePath())));
    }
}
