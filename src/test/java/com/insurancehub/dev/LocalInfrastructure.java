package com.insurancehub.dev;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

import com.insurancehub.dev.DevServices.Ports;
import com.insurancehub.dev.DevServices.Service;

/**
 * The local stack's infrastructure without a hub, for hubs in processes of their own (the shape of a deployment with
 * several hub instances):
 * {@code ./mvnw spring-boot:test-run -Dspring-boot.run.main-class=com.insurancehub.dev.LocalInfrastructure}, then
 * each hub with {@code -Dhub.dev.infrastructure=external} ({@link LocalHub}).
 *
 * <p>{@code -Dhub.dev.services} chooses what this process runs, a comma list of {@code kafka,postgres,mocks,idp,lra}
 * (default {@code kafka,postgres,mocks,idp}; {@code lra} is the LRA coordinator), so that one service can run, be
 * killed and restarted alone, e.g. Kafka in one process ({@code -Dhub.dev.services=kafka}) and the rest in another.
 * Ports and work directory as {@link LocalHub}'s ({@code -Dhub.dev.kafka-port}, ..., {@code -Dhub.dev.work-dir}), and
 * {@code -Dhub.dev.keep-data=true} keeps its services' data across runs.
 *
 * <p>Each process adds what it provides to {@code <work-dir>/local-infrastructure.properties}
 * ({@link DevServices#INFRASTRUCTURE_FILE}), where the hubs read it; mocks without PostgreSQL in the same process find
 * their database there (start the PostgreSQL process first). Ctrl-C (SIGTERM) stops what this process started; what
 * a kill -9 leaves (its PostgreSQL) the next start on the same port stops.
 */
public final class LocalInfrastructure {

    private LocalInfrastructure() {
    }

    public static void main(String[] args) throws Exception {
        Set<Service> services;
        try {
            services = Service.parse(System.getProperty("hub.dev.services", "kafka,postgres,mocks,idp"));
        } catch (IllegalArgumentException e) {
            LocalHub.fail("-Dhub.dev.services: " + e.getMessage());
            return;
        }
        if (services.isEmpty()) {
            LocalHub.fail("-Dhub.dev.services names no service (kafka,postgres,mocks,idp,lra)");
        }
        Ports ports = Ports.local();
        boolean keepData = DevServices.keepData();
        if (services.contains(Service.POSTGRES)) {
            DevServices.afterAnEarlierRunDied(ports.postgres(), keepData);
        }
        for (Service service : services) {
            if (FreePorts.inUse(ports.of(service))) {
                LocalHub.fail("Port " + ports.of(service) + " (" + service.key() + ") is taken: is it running already? "
                        + "Stop it or choose another port (-Dhub.dev." + (service == Service.IDP ? "idp" : service.key()) + "-port).");
            }
        }
        Path file = DevServices.workDir().resolve(DevServices.INFRASTRUCTURE_FILE);
        Map<String, String> elsewhere = PrivateFiles.read(file);
        if (services.contains(Service.MOCKS) && !services.contains(Service.POSTGRES)) {
            String port = elsewhere.get("hub.postgres.port");
            if (port == null || !FreePorts.inUse(Integer.parseInt(port))) {
                LocalHub.fail("The mocks need PostgreSQL: " + (port == null ? file + " names none" : "nothing listens on port " + port)
                        + ". Start it first (-Dhub.dev.services=postgres), or here with them (-Dhub.dev.services=postgres,mocks,...).");
            }
        }
        long t0 = System.nanoTime();
        DevServices devServices;
        try {
            devServices = DevServices.start(services, ports, keepData, Map.of(), Map.of(), elsewhere);
        } catch (Exception e) {
            e.printStackTrace();
            LocalHub.fail("Could not start " + names(services) + ": " + e.getMessage());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(devServices::close, "local-infrastructure-shutdown"));
        devServices.publishInfrastructure();
        Path credentials = services.contains(Service.POSTGRES) ? devServices.writeCredentials() : null;
        Map<String, String> provided = devServices.providedProperties();
        StringBuilder lines = new StringBuilder();
        provided.forEach((key, value) -> {
            if (key.startsWith("hub.") && !key.endsWith("password")) {
                lines.append("\n  ").append(key).append(" = ").append(value);
            }
        });
        System.out.println("""

                ==== Local infrastructure is running: %s (%d ms%s) ====%s
                  Written to %s%s
                  A hub on it: ./mvnw spring-boot:test-run -Dspring-boot.run.jvmArguments="-Dhub.dev.infrastructure=external -Dserver.port=8080%s"
                Ctrl-C stops %s.
                """.formatted(names(services), (System.nanoTime() - t0) / 1_000_000, keepData ? ", data kept" : "", lines,
                        file, credentials == null ? "" : " and " + credentials,
                        System.getProperty("hub.dev.work-dir") == null ? "" : " -Dhub.dev.work-dir=" + System.getProperty("hub.dev.work-dir"),
                        names(services)));
        new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook stops the services
    }

    private static String names(Set<Service> services) {
        return services.stream().map(Service::key).collect(Collectors.joining(","));
    }
}
