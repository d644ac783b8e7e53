package com.insurancehub.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import com.insurancehub.dev.identity.IdentityProviderApplication;
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
    /** The client the test suite calls the hub as (shared services only), and the scopes the hub knows. */
    public static final String TEST_CLIENT = "test-suite";
    public static final String SHORT_LIVED_CLIENT = "test-short-lived";
    /** The provider wants a secret per client */
    public static final String SHORT_LIVED_SECRET = java.util.UUID.randomUUID().toString();
    public static final String TEST_CLIENT_SECRET = java.util.UUID.randomUUID().toString();
    public static final List<String> ALL_SCOPES = List.of("quotes", "customers", "policies", "claims", "payments", "admin");

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedKafkaBroker kafka;
    private final ConfigurableApplicationContext mocks;
    private final ConfigurableApplicationContext identityProvider;
    private final String issuer;
    /** The operator console's password of this run; null when the environment gives one */
    private final String operatorPassword = System.getenv("HUB_SECURITY_OPERATOR_PASSWORD") == null
            ? java.util.UUID.randomUUID().toString() : null;
    private final int mocksPort;
    private final int lraCoordinatorPort;
    private final Path workDir;
    private EmbeddedLraCoordinator lraCoordinator;

    private DevServices(EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka,
                        ConfigurableApplicationContext mocks, int mocksPort, int lraCoordinatorPort, Path workDir,
                        ConfigurableApplicationContext identityProvider, String issuer) {
        this.identityProvider = identityProvider;
        this.issuer = issuer;
        this.workDir = workDir;
        this.postgres = postgres;
        this.kafka = kafka;
        this.mocks = mocks;
        this.mocksPort = mocksPort;
        this.lraCoordinatorPort = lraCoordinatorPort;
    }

    /** Where the services keep their files: {@code -Dhub.dev.work-dir}, target/dev-services by default. */
    public static Path workDir() {
        return Path.of(System.getProperty("hub.dev.work-dir", "target/dev-services")).toAbsolutePath();
    }

    /** Port 0 means any free port; the LRA coordinator is not started yet (see {@link #lraCoordinator()}). */
    public static DevServices start(int kafkaPort, int postgresPort, int mocksPort, int lraCoordinatorPort,
                                    int identityProviderPort, Map<String, Object> mockProperties,
                                    Map<String, Object> identityProviderProperties) throws Exception {
        Path workDir = workDir();
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
        ConfigurableApplicationContext mocks = null;
        try {
            Map<String, Object> mockSettings = new LinkedHashMap<>(mockProperties);
            mockSettings.putIfAbsent("server.address", bindAddress());
            mocks = MocksApplication.start(port, postgres.jdbcUrl(), DatabaseRoles.MOCKS,
                    postgres.roles().mocksPassword(), mockSettings);
            try (Connection owner = postgres.superuserConnection()) {
                postgres.roles().publish(owner); // the outbox tables exist now
            }
        } catch (RuntimeException | SQLException | IOException e) {
            if (mocks != null) {
                mocks.close();
            }
            kafka.close();
            postgres.close();
            throw e;
        }
        int idpPort = identityProviderPort > 0 ? identityProviderPort : FreePorts.find();
        String issuer = "http://localhost:" + idpPort;
        Map<String, Object> idpSettings = new LinkedHashMap<>(identityProviderProperties);
        idpSettings.put("idp.issuer", issuer);
        ConfigurableApplicationContext identityProvider;
        try {
            identityProvider = IdentityProviderApplication.start(idpPort, bindAddress(), idpSettings);
        } catch (RuntimeException e) {
            mocks.close();
            kafka.close();
            postgres.close();
            throw e;
        }
        LOG.info("Dev services up in {} ms: PostgreSQL {}, Kafka {}, mocks http://localhost:{}, identity provider {}",
                (System.nanoTime() - t0) / 1_000_000, postgres.jdbcUrl(), kafka.bootstrapServers(), port, issuer);
        return new DevServices(postgres, kafka, mocks, port, lraCoordinatorPort, workDir, identityProvider, issuer);
    }

    /**
     * Where the local stack's HTTP servers (hub, mocks) listen: loopback unless {@code -Dhub.dev.bind-address}
     * opens them (e.g. 0.0.0.0 in a container). The mocks' {@code _admin} switches are test tooling: never public.
     */
    public static String bindAddress() {
        return System.getProperty("hub.dev.bind-address", "127.0.0.1");
    }

    /** One set of services for every test class of this JVM, stopped when the JVM ends. */
    public static synchronized DevServices shared() {
        if (shared == null) {
            try {
                // the test suite's own client: every scope, so that tests of a flow are not tests of the edge
                shared = start(0, 0, 0, 0, 0, Map.of(), Map.of(
                        "idp.clients." + TEST_CLIENT + ".secret", TEST_CLIENT_SECRET,
                        "idp.clients." + TEST_CLIENT + ".grant-types", "client_credentials",
                        "idp.clients." + TEST_CLIENT + ".scopes", String.join(",", ALL_SCOPES),
                        // tokens that expire while a test watches
                        "idp.clients." + SHORT_LIVED_CLIENT + ".secret", SHORT_LIVED_SECRET,
                        "idp.clients." + SHORT_LIVED_CLIENT + ".grant-types", "client_credentials",
                        "idp.clients." + SHORT_LIVED_CLIENT + ".scopes", "admin",
                        "idp.clients." + SHORT_LIVED_CLIENT + ".access-token-lifetime", "2s"));
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
        props.put("hub.postgres.user", DatabaseRoles.HUB);
        props.put("hub.postgres.password", postgres.roles().hubPassword());
        props.put("hub.outbox.user", DatabaseRoles.RELAY);
        props.put("hub.outbox.password", postgres.roles().relayPassword());
        props.put("hub.mocks.base-url", mocksBaseUrl());
        props.put("hub.security.issuer", issuer);
        if (operatorPassword != null) {
            props.put("hub.security.operator.password", operatorPassword);
        }
        return props;
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    /** The database owner: publications, and what a test checks across schemas. Never the hub's connection. */
    public Connection superuserConnection() throws SQLException {
        return postgres.superuserConnection();
    }

    /** The same as a DataSource (a new connection per use), for a test's JdbcTemplate. */
    public DataSource superuserDataSource() {
        return new SimpleDriverDataSource(new org.postgresql.Driver(), jdbcUrl(), EmbeddedPostgresServer.SUPERUSER,
                postgres.roles().superuserPassword());
    }

    /**
     * Writes the hub's database settings and the operator's console password as a properties file only its owner may
     * read, for {@code camel run} (a properties file on its command line) and a developer's psql; answers its path.
     * The passwords are new at every start.
     */
    public Path writeCredentials() throws IOException {
        Path file = workDir.resolve("local-credentials.properties");
        Files.createDirectories(workDir);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, String.join("\n",
                "# The local stack's database roles, new at every start (src/main/resources/db/provisioning)",
                "hub.postgres.url=" + jdbcUrl(),
                "hub.postgres.user=" + DatabaseRoles.HUB,
                "hub.postgres.password=" + postgres.roles().hubPassword(),
                "# psql as the database owner: PGPASSWORD=<this> psql -h localhost -p " + postgres.port() + " -U postgres insurance",
                "postgres.superuser.password=" + postgres.roles().superuserPassword(),
                "# Hawtio's login (/actuator/hawtio): user operator",
                "hub.security.operator.password=" + (operatorPassword != null
                        ? operatorPassword : "(from HUB_SECURITY_OPERATOR_PASSWORD)"), ""));
        return file;
    }

    /**
     * Writes what {@code camel run} reads to run a YAML route against this stack ({@link CamelRunProperties}), next
     * to the credentials; answers its path.
     */
    public Path writeCamelRunProperties(Path project) {
        return CamelRunProperties.write(project, Map.of(
                "hub.mocks.base-url", mocksBaseUrl(),
                "hub.kafka.brokers", kafkaBootstrapServers(),
                "hub.postgres.url", jdbcUrl(),
                "hub.postgres.user", DatabaseRoles.HUB,
                "hub.postgres.password", postgres.roles().hubPassword()), workDir.resolve("camel-run.properties"));
    }

    /** The identity provider's issuer URL (its token endpoint is {@code <issuer>/oauth2/token}). */
    public String issuer() {
        return issuer;
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
            identityProvider.close();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the identity provider failed", e);
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
