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
 * PostgreSQL with logical decoding, and the mocks of the insurer's systems on their own port.
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
    private final Path workDir;

    private DevServices(EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka,
                        ConfigurableApplicationContext mocks, int mocksPort, Path workDir) {
        this.workDir = workDir;
        this.postgres = postgres;
        this.kafka = kafka;
        this.mocks = mocks;
        this.mocksPort = mocksPort;
    }

    /** Port 0 means any free port. */
    public static DevServices start(int kafkaPort, int postgresPort, int mocksPort, Map<String, Object> mockProperties)
            throws Exception {
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
        return new DevServices(postgres, kafka, mocks, port, workDir);
    }

    /** One set of services for every test class of this JVM, stopped when the JVM ends. */
    public static synchronized DevServices shared() {
        if (shared == null) {
            try {
                shared = start(0, 0, 0, Map.of());
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

    @Override
    public synchronized void close() {
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
