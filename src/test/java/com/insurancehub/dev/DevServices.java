package com.insurancehub.dev;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

import com.insurancehub.mocks.MocksApplication;

/**
 * What the hub needs around it on a developer's machine or in the tests, all real: a Kafka broker (KRaft),
 * PostgreSQL with logical decoding, the mocks of the insurer's systems on their own port, and, for the
 * {@code lra} profile only, a Narayana LRA coordinator (started on first demand: {@link #lraCoordinator()}).
 *
 * <p>The test suite shares one instance per JVM ({@link #shared()}, free ports); the local run
 * ({@link LocalHub}) starts one on the documented default ports.
 */
public final class DevServices implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevServices.class);
    private static DevServices shared;

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedKafkaBroker kafka;
    private final ConfigurableApplicationContext mocks;
    private final int mocksPort;
    private final int lraCoordinatorPort;
    private final Path workDir;
    private EmbeddedLraCoordinator lraCoordinator;

    private DevServices(EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka,
                        ConfigurableApplicationContext mocks, int mocksPort, int lraCoordinatorPort, Path workDir) {
        this.workDir = workDir;
        this.postgres = postgres;
        this.kafka = kafka;
        this.mocks = mocks;
        this.mocksPort = mocksPort;
        this.lraCoordinatorPort = lraCoordinatorPort;
    }

    /** Port 0 means any free port; the LRA coordinator is not started yet (see {@link #lraCoordinator()}). */
    public static DevServices start(int kafkaPort, int postgresPort, int mocksPort, int lraCoordinatorPort,
                                    Map<String, Object> mockProperties) throws Exception {
        Path workDir = Path.of(System.getProperty("hub.dev.work-dir", "target/dev-services")).toAbsolutePath();
        long t0 = System.nanoTime();
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(postgresPort, workDir);
        EmbeddedKafkaBroker kafka;
        try {
            kafka = EmbeddedKafkaBroker.start(kafkaPort, workDir);
        } catch (Exception e) {
            postgres.close();
            throw e;
        }
        int port = mocksPort > 0 ? mocksPort : FreePorts.find();
        ConfigurableApplicationContext mocks;
        try {
            mocks = MocksApplication.start(port, postgres.jdbcUrl(), EmbeddedPostgresServer.USER,
                    EmbeddedPostgresServer.PASSWORD, mockProperties);
        } catch (RuntimeException e) {
            kafka.close();
            postgres.close();
            throw e;
        }
        LOG.info("Dev services up in {} ms: PostgreSQL {}, Kafka {}, mocks http://localhost:{}",
                (System.nanoTime() - t0) / 1_000_000, postgres.jdbcUrl(), kafka.bootstrapServers(), port);
        FileTree.delete(workDir.resolve("outbox-offsets-" + postgres.port()));
        return new DevServices(postgres, kafka, mocks, port, lraCoordinatorPort, workDir);
    }

    /** One set of services for every test class of this JVM, stopped when the JVM ends. */
    public static synchronized DevServices shared() {
        if (shared == null) {
            try {
                shared = start(0, 0, 0, 0, Map.of());
            } catch (Exception e) {
                throw new IllegalStateException("Could not start the dev services", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "dev-services-shutdown"));
        }
        return shared;
    }

    /** The properties that point the hub at these services. */
    public Map<String, Object> hubProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("hub.kafka.brokers", kafka.bootstrapServers());
        props.put("hub.postgres.port", postgres.port());
        props.put("hub.mocks.base-url", mocksBaseUrl());
        // Offsets belong with this database: a fresh database, fresh offsets
        props.put("hub.outbox.offset-dir", workDir.resolve("outbox-offsets-" + postgres.port()).toString());
        return props;
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    public String mocksBaseUrl() {
        return "http://localhost:" + mocksPort;
    }

    /**
     * The Narayana LRA coordinator of the {@code lra} profile, started at the first call (about 1 s) and then
     * shared: a JVM whose hubs all run the in-memory saga never pays for it.
     */
    public synchronized EmbeddedLraCoordinator lraCoordinator() {
        if (lraCoordinator == null) {
            long t0 = System.nanoTime();
            try {
                lraCoordinator = EmbeddedLraCoordinator.start(lraCoordinatorPort, workDir);
            } catch (Exception e) {
                throw new IllegalStateException("Could not start the LRA coordinator", e);
            }
            LOG.info("LRA coordinator up in {} ms: {}/lra-coordinator", (System.nanoTime() - t0) / 1_000_000,
                    lraCoordinator.url());
        }
        return lraCoordinator;
    }

    /** The coordinator's base URL if it runs, else null. */
    public synchronized String lraCoordinatorUrl() {
        return lraCoordinator == null ? null : lraCoordinator.url();
    }

    @Override
    public synchronized void close() {
        if (lraCoordinator != null) {
            try {
                lraCoordinator.close();
            } catch (Exception e) {
                LOG.warn("Stopping the LRA coordinator failed", e);
            }
        }
        try {
            mocks.close();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the mocks failed", e);
        }
        try {
            kafka.close();
        } catch (Exception e) {
            LOG.warn("Stopping Kafka failed", e);
        }
        try {
            postgres.close();
        } catch (Exception e) {
            LOG.warn("Stopping PostgreSQL failed", e);
        }
    }
}
