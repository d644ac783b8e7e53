package com.insurancehub.dev;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

import com.insurancehub.dev.DevServices.Ports;
import com.insurancehub.dev.DevServices.Service;
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
 *
 * <p>{@code -Dhub.dev.keep-data=true}: the database, Kafka's topics, the relay offsets and the LRA coordinator's log
 * of the last run on the same ports are used again and kept, a kill -9 included (see {@link DevServices#start}).
 *
 * <p>{@code -Dhub.dev.infrastructure=external}: the hub alone, pointed at the services that
 * {@link LocalInfrastructure} processes run (their {@link DevServices#INFRASTRUCTURE_FILE}); start as many as wanted
 * side by side, each with its {@code -Dserver.port}. It stops with exit code 1, saying why, when a service it needs
 * is not there. The all-in-one run writes that file too: a second hub can join it the same way.
 */
public final class LocalHub {

    private LocalHub() {
    }

    public static void main(String[] args) throws Exception {
        boolean lra = lraProfileActive(args);
        String infrastructure = System.getProperty("hub.dev.infrastructure", "");
        if (infrastructure.equals("external")) {
            startAlone(args, lra);
            return;
        }
        if (!infrastructure.isEmpty()) {
            fail("-Dhub.dev.infrastructure=" + infrastructure + ": only 'external' is known (without it, the hub starts its own)");
        }
        Ports ports = Ports.local();
        boolean keepData = DevServices.keepData();
        Set<Service> wanted = EnumSet.of(Service.KAFKA, Service.POSTGRES, Service.MOCKS, Service.IDP);
        if (lra) {
            wanted.add(Service.LRA); // now rather than when the hub asks: a port problem shows before the hub starts
        }
        DevServices.afterAnEarlierRunDied(ports.postgres(), keepData);
        for (Service service : wanted) {
            if (FreePorts.inUse(ports.of(service))) {
                fail("Port " + ports.of(service) + " is taken: is another hub running? Stop it or choose other "
                        + "ports (-Dhub.dev.kafka-port, -Dhub.dev.postgres-port, -Dhub.dev.mocks-port, -Dhub.dev.idp-port, -Dhub.dev.lra-port).");
            }
        }
        Path infrastructureFile = DevServices.workDir().resolve(DevServices.INFRASTRUCTURE_FILE);
        DevServices services = DevServices.start(wanted, ports, keepData, Map.of(), Map.of(),
                PrivateFiles.read(infrastructureFile));
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

        services.publishInfrastructure();
        Path credentials = services.writeCredentials();
        Path camelRun = services.writeCamelRunProperties(Path.of(""));
        SpringApplication hub = new SpringApplication(HubApplication.class);
        hub.addInitializers(new DevServicesInitializer(services));
        bindAddress();
        // A typed listener: a lambda's event type is invisible to Spring, which would call it for every event
        hub.addListeners(new ApplicationListener<ApplicationReadyEvent>() {
            @Override
            public void onApplicationEvent(ApplicationReadyEvent ready) {
                printUrls(ready.getApplicationContext().getEnvironment(), services, credentials, camelRun, keepData);
            }
        });
        hub.setRegisterShutdownHook(false);
        running.set(hub.run(args));
    }

    /** The hub alone, on the services of {@link DevServices#INFRASTRUCTURE_FILE}, each checked to be listening. */
    private static void startAlone(String[] args, boolean lra) throws IOException {
        Path file = DevServices.workDir().resolve(DevServices.INFRASTRUCTURE_FILE);
        if (!Files.exists(file)) {
            fail("No local infrastructure: " + file + " does not exist. Start it first: ./mvnw spring-boot:test-run "
                    + "-Dspring-boot.run.main-class=" + LocalInfrastructure.class.getName()
                    + " (the same -Dhub.dev.work-dir, if any)");
        }
        Map<String, String> infrastructure = PrivateFiles.read(file);
        Map<String, String> needed = new LinkedHashMap<>();
        needed.put("hub.kafka.brokers", Service.KAFKA.key());
        needed.put("hub.postgres.port", Service.POSTGRES.key());
        needed.put("hub.mocks.base-url", Service.MOCKS.key());
        needed.put("hub.security.issuer", Service.IDP.key());
        if (lra) {
            needed.put("hub.lra.coordinator-url", Service.LRA.key());
        }
        for (Map.Entry<String, String> need : needed.entrySet()) {
            String value = infrastructure.get(need.getKey());
            if (value == null) {
                fail(file + " has no " + need.getKey() + ": start a LocalInfrastructure with -Dhub.dev.services=...,"
                        + need.getValue());
            }
            int port = need.getKey().equals("hub.postgres.port") ? Integer.parseInt(value)
                    : need.getKey().equals("hub.kafka.brokers") ? Integer.parseInt(value.substring(value.lastIndexOf(':') + 1))
                    : URI.create(value).getPort();
            if (!listening(port)) {
                fail("Nothing listens on port " + port + " (" + need.getKey() + "=" + value + ", from " + file
                        + "): is the LocalInfrastructure process that runs " + need.getValue() + " still running?");
            }
        }
        Map<String, String> hubProperties = new LinkedHashMap<>(infrastructure);
        hubProperties.keySet().removeIf(key -> !key.startsWith("hub."));
        if (!lra) {
            hubProperties.remove("hub.lra.coordinator-url");
        }
        SpringApplication hub = new SpringApplication(HubApplication.class);
        hub.addInitializers(DevServicesInitializer.external(hubProperties));
        bindAddress();
        hub.addListeners(new ApplicationListener<ApplicationReadyEvent>() {
            @Override
            public void onApplicationEvent(ApplicationReadyEvent ready) {
                printAlone(ready.getApplicationContext().getEnvironment(), hubProperties, file);
            }
        });
        hub.run(args);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void fail(String why) {
        System.err.println(why);
        System.exit(1);
    }

    private static void bindAddress() {
        if (System.getProperty("hub.dev.bind-address") != null && System.getProperty("server.address") == null) {
            System.setProperty("server.address", DevServices.bindAddress()); // ahead of application.yaml's loopback
        }
    }

    /** The profiles as the hub will see them: arguments, system properties, environment. */
    private static boolean lraProfileActive(String[] args) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        return env.acceptsProfiles(Profiles.of(DevServicesInitializer.LRA_PROFILE));
    }

    private static void printUrls(Environment env, DevServices services, Path credentials, Path camelRun, boolean keepData) {
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
                  PostgreSQL     %4$s  (roles and passwords, %9$s: %6$s)
                  Saga (F03)     %5$s
                  camel run      --properties=%8$s  (one flow alone: README)
                Ctrl-C stops the hub, the mocks, the identity provider, Kafka and PostgreSQL%10$s.
                """.formatted(hub, mocks, services.kafkaBootstrapServers(), services.jdbcUrl(), saga, credentials, services.issuer(),
                        Path.of("").toAbsolutePath().relativize(camelRun.toAbsolutePath()),
                        keepData ? "kept with the data" : "new at every start",
                        keepData ? " (their data stays, -Dhub.dev.keep-data)" : ""));
    }

    private static void printAlone(Environment env, Map<String, String> infrastructure, Path file) {
        String hub = "http://localhost:" + env.getProperty("local.server.port", env.getProperty("server.port"));
        System.out.println("""

                ==== Insurance integration hub is running ====
                  Hub API        %1$s/api/quotes
                  Health         %1$s/actuator/health
                  Hawtio         %1$s/actuator/hawtio/camel/routes  (operator's password: %2$s)
                  Services       Kafka %3$s, PostgreSQL port %4$s, mocks %5$s, identity %6$s%7$s
                Ctrl-C stops this hub only; the services run on (LocalInfrastructure).
                """.formatted(hub, file, infrastructure.get("hub.kafka.brokers"), infrastructure.get("hub.postgres.port"),
                        infrastructure.get("hub.mocks.base-url"), infrastructure.get("hub.security.issuer"),
                        infrastructure.containsKey("hub.lra.coordinator-url")
                                ? ", LRA coordinator " + infrastructure.get("hub.lra.coordinator-url") : ""));
    }
}
