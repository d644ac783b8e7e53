package com.insurancehub.dev;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

import com.insurancehub.hub.HubApplication;

/**
 * The one-command local run: {@code ./mvnw spring-boot:test-run}. Starts Kafka, PostgreSQL and the mocks,
 * then the hub pointed at them, and prints where everything is. Ctrl-C stops all of it.
 *
 * <p>Ports: hub 8080, mocks 8090, Kafka 9092, PostgreSQL 15432; override with
 * {@code -Dhub.dev.kafka-port=...}, {@code -Dhub.dev.postgres-port=...}, {@code -Dhub.dev.mocks-port=...}
 * and {@code -Dserver.port=...} (through {@code -Dspring-boot.run.jvmArguments="..."}).
 */
public final class LocalHub {

    private LocalHub() {
    }

    public static void main(String[] args) throws Exception {
        int kafkaPort = Integer.getInteger("hub.dev.kafka-port", 9092);
        int postgresPort = Integer.getInteger("hub.dev.postgres-port", 15432);
        int mocksPort = Integer.getInteger("hub.dev.mocks-port", 8090);
        for (int port : new int[] {kafkaPort, postgresPort, mocksPort}) {
            if (FreePorts.inUse(port)) {
                System.err.println("Port " + port + " is taken: is another hub running? Stop it or choose other "
                        + "ports (-Dhub.dev.kafka-port, -Dhub.dev.postgres-port, -Dhub.dev.mocks-port).");
                System.exit(1);
            }
        }
        DevServices services = DevServices.start(kafkaPort, postgresPort, mocksPort, Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(services::close, "dev-services-shutdown"));

        SpringApplication hub = new SpringApplication(HubApplication.class);
        hub.addInitializers(new DevServicesInitializer(services));
        // A typed listener: a lambda's event type is invisible to Spring, which would call it for every event
        hub.addListeners(new ApplicationListener<ApplicationReadyEvent>() {
            @Override
            public void onApplicationEvent(ApplicationReadyEvent ready) {
                printUrls(ready.getApplicationContext().getEnvironment(), services);
            }
        });
        hub.run(args);
    }

    private static void printUrls(Environment env, DevServices services) {
        String hub = "http://localhost:" + env.getProperty("local.server.port", env.getProperty("server.port"));
        String mocks = services.mocksBaseUrl();
        System.out.println("""

                ==== Insurance integration hub is running ====
                  Hub API        %1$s/api/quotes
                  Health         %1$s/actuator/health
                  Prometheus     %1$s/actuator/prometheus
                  Hawtio         %1$s/actuator/hawtio/camel/routes
                  Mocks          %2$s/quote-engine  %2$s/rating   (admin: {base}/_admin/faults|stats|reset)
                  Kafka          %3$s
                  PostgreSQL     %4$s  (user postgres / postgres)
                Ctrl-C stops the hub, the mocks, Kafka and PostgreSQL.
                """.formatted(hub, mocks, services.kafkaBootstrapServers(), services.jdbcUrl()));
    }
}
