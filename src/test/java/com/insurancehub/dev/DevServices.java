package com.insurancehub.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

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
 * ({@link LocalHub}) starts one on the documented default ports, and {@link LocalInfrastructure} starts some of them
 * ({@link Service}) in a process of their own, the others elsewhere ({@link #INFRASTRUCTURE_FILE}).
 */
public final class DevServices implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevServices.class);
    /**
     * What the running infrastructure processes provide, merged key by key as each starts: the hub's settings
     * ({@code hub.*}) and the rest of what another process needs ({@code infrastructure.*}: the database's owner and
     * mocks passwords, the pid of the JVM that runs each service). Under the work directory, only its owner reads it.
     */
    public static final String INFRASTRUCTURE_FILE = "local-infrastructure.properties";
    private static DevServices shared;
    /** The client the test suite calls the hub as (shared services only), and the scopes the hub knows. */
    public static final String TEST_CLIENT = "test-suite";
    public static final String SHORT_LIVED_CLIENT = "test-short-lived";
    /** The provider wants a secret per client */
    public static final String SHORT_LIVED_SECRET = java.util.UUID.randomUUID().toString();
    public static final String TEST_CLIENT_SECRET = java.util.UUID.randomUUID().toString();
    public static final List<String> ALL_SCOPES = List.of("quotes", "customers", "policies", "claims", "payments", "admin", "reports", "audit");

    /** The services of the local stack, as {@code -Dhub.dev.services} names them. */
    public enum Service {
        KAFKA, POSTGRES, MOCKS, IDP, LRA;

        /** A comma list such as {@code kafka,postgres}. */
        static Set<Service> parse(String list) {
            Set<Service> services = EnumSet.noneOf(Service.class);
            for (String name : list.split(",")) {
                if (!name.isBlank()) {
                    try {
                        services.add(valueOf(name.trim().toUpperCase(java.util.Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("Unknown service '" + name.trim() + "' (known: "
                                + String.join(",", Stream.of(values()).map(Service::key).toList()) + ")");
                    }
                }
            }
            return services;
        }

        String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The ports asked for, 0 meaning any free port. */
    public record Ports(int kafka, int postgres, int mocks, int identityProvider, int lraCoordinator) {

        /** The local stack's: {@code -Dhub.dev.*-port} or the documented defaults. */
        static Ports local() {
            return new Ports(Integer.getInteger("hub.dev.kafka-port", 9092), Integer.getInteger("hub.dev.postgres-port", 15432),
                    Integer.getInteger("hub.dev.mocks-port", 8090), Integer.getInteger("hub.dev.idp-port", 9000),
                    Integer.getInteger("hub.dev.lra-port", 8088));
        }

        int of(Service service) {
            return switch (service) {
                case KAFKA -> kafka;
                case POSTGRES -> postgres;
                case MOCKS -> mocks;
                case IDP -> identityProvider;
                case LRA -> lraCoordinator;
            };
        }
    }

    /** Null when another process runs it (see {@link Service}). */
    private final EmbeddedPostgresServer postgres;
    private final EmbeddedKafkaBroker kafka;
    private final ConfigurableApplicationContext mocks;
    private final ConfigurableApplicationContext identityProvider;
    /** The database, this process's or another's; null if no service here uses it */
    private final Integer postgresPort;
    private final DatabaseRoles roles;
    private final String issuer;
    /** The operator console's password of this run; null when the environment gives one */
    private final String operatorPassword;
    private final int mocksPort;
    private final int lraCoordinatorPort;
    private final Path workDir;
    private final boolean keepData;
    private EmbeddedLraCoordinator lraCoordinator;

    private DevServices(EmbeddedPostgresServer postgres, Integer postgresPort, DatabaseRoles roles, EmbeddedKafkaBroker kafka,
                        ConfigurableApplicationContext mocks, int mocksPort, int lraCoordinatorPort, Path workDir,
                        ConfigurableApplicationContext identityProvider, String issuer, String operatorPassword,
                        boolean keepData) {
        this.identityProvider = identityProvider;
        this.issuer = issuer;
        this.workDir = workDir;
        this.postgres = postgres;
        this.postgresPort = postgresPort;
        this.roles = roles;
        this.kafka = kafka;
        this.mocks = mocks;
        this.mocksPort = mocksPort;
        this.lraCoordinatorPort = lraCoordinatorPort;
        this.operatorPassword = operatorPassword;
        this.keepData = keepData;
    }

    /** Where the services keep their files: {@code -Dhub.dev.work-dir}, target/dev-services by default. */
    public static Path workDir() {
        return Path.of(System.getProperty("hub.dev.work-dir", "target/dev-services")).toAbsolutePath();
    }

    /** Port 0 means any free port; the LRA coordinator is not started yet (see {@link #lraCoordinator()}). */
    public static DevServices start(int kafkaPort, int postgresPort, int mocksPort, int lraCoordinatorPort,
                                    int identityProviderPort, Map<String, Object> mockProperties,
                                    Map<String, Object> identityProviderProperties) throws Exception {
        return start(EnumSet.of(Service.KAFKA, Service.POSTGRES, Service.MOCKS, Service.IDP),
                new Ports(kafkaPort, postgresPort, mocksPort, identityProviderPort, lraCoordinatorPort), false,
                mockProperties, identityProviderProperties, Map.of());
    }

    /**
     * Starts these services only. {@code keepData}: PostgreSQL's database and role passwords, Kafka's log, the relay
     * offsets and the LRA coordinator's log of an earlier run on the same ports are used again and kept at the stop
     * (see each service); else all fresh. {@code elsewhere}: what the services of other processes provide
     * ({@link #INFRASTRUCTURE_FILE}), where the mocks find a database this process does not run. The LRA
     * coordinator starts now if asked for, else at the first {@link #lraCoordinator()}.
     */
    public static DevServices start(Set<Service> services, Ports ports, boolean keepData,
                                    Map<String, Object> mockProperties, Map<String, Object> identityProviderProperties,
                                    Map<String, String> elsewhere) throws Exception {
        Path workDir = workDir();
        long t0 = System.nanoTime();
        List<AutoCloseable> started = new ArrayList<>(); // stopped in reverse if a later one fails
        try {
            EmbeddedPostgresServer postgres = null;
            Integer postgresPort = null;
            DatabaseRoles roles = null;
            if (services.contains(Service.POSTGRES)) {
                postgres = EmbeddedPostgresServer.start(ports.postgres(), workDir, keepData);
                started.add(postgres);
                postgresPort = postgres.port();
                roles = postgres.roles();
            } else if (services.contains(Service.MOCKS)) {
                postgresPort = Integer.valueOf(required(elsewhere, "hub.postgres.port", "the mocks' database"));
                roles = new DatabaseRoles(required(elsewhere, "infrastructure.postgres.superuser-password", "the mocks' database"),
                        required(elsewhere, "hub.postgres.password", "the mocks' database"),
                        required(elsewhere, "hub.outbox.password", "the mocks' database"),
                        required(elsewhere, "infrastructure.postgres.mocks-password", "the mocks' database"),
                        elsewhere.getOrDefault("hub.warehouse.password", ""),
                        elsewhere.getOrDefault("hub.warehouse.source.password", ""));
            }
            EmbeddedKafkaBroker kafka = null;
            if (services.contains(Service.KAFKA)) {
                kafka = EmbeddedKafkaBroker.start(ports.kafka(), workDir, keepData);
                started.add(kafka);
            }
            ConfigurableApplicationContext mocks = null;
            int mocksPort = ports.mocks() > 0 ? ports.mocks() : FreePorts.find();
            if (services.contains(Service.MOCKS)) {
                Map<String, Object> mockSettings = new LinkedHashMap<>(mockProperties);
                mockSettings.putIfAbsent("server.address", bindAddress());
                mocks = MocksApplication.start(mocksPort, jdbcUrl(postgresPort), DatabaseRoles.MOCKS,
                        roles.mocksPassword(), mockSettings);
                started.add(mocks::close);
                try (Connection owner = superuserConnection(postgresPort, roles)) {
                    roles.publish(owner); // the outbox tables exist now
                }
            }
            ConfigurableApplicationContext identityProvider = null;
            String issuer = null;
            String operatorPassword = null;
            if (services.contains(Service.IDP)) {
                int idpPort = ports.identityProvider() > 0 ? ports.identityProvider() : FreePorts.find();
                issuer = "http://localhost:" + idpPort;
                Map<String, Object> idpSettings = new LinkedHashMap<>(identityProviderProperties);
                idpSettings.put("idp.issuer", issuer);
                identityProvider = IdentityProviderApplication.start(idpPort, bindAddress(), idpSettings);
                started.add(identityProvider::close);
                if (System.getenv("HUB_SECURITY_OPERATOR_PASSWORD") == null) {
                    String kept = keepData ? elsewhere.get("hub.security.operator.password") : null;
                    operatorPassword = kept != null ? kept : java.util.UUID.randomUUID().toString();
                }
            }
            DevServices devServices = new DevServices(postgres, postgresPort, roles, kafka, mocks, mocksPort,
                    ports.lraCoordinator(), workDir, identityProvider, issuer, operatorPassword, keepData);
            if (services.contains(Service.LRA)) {
                devServices.lraCoordinator();
            }
            LOG.info("Dev services up in {} ms: PostgreSQL {}, Kafka {}, mocks {}, identity provider {}{}",
                    (System.nanoTime() - t0) / 1_000_000, postgres == null ? "elsewhere" : postgres.jdbcUrl(),
                    kafka == null ? "elsewhere" : kafka.bootstrapServers(),
                    mocks == null ? "elsewhere" : devServices.mocksBaseUrl(), issuer == null ? "elsewhere" : issuer,
                    keepData ? " (data kept across runs)" : "");
            return devServices;
        } catch (Exception | Error e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static String required(Map<String, String> elsewhere, String key, String what) {
        String value = elsewhere.get(key);
        if (value == null) {
            throw new IllegalStateException("No " + key + " for " + what + " in " + workDir().resolve(INFRASTRUCTURE_FILE)
                    + ": start the process that runs PostgreSQL first (LocalInfrastructure with -Dhub.dev.services=postgres,...)");
        }
        return value;
    }

    private static String jdbcUrl(int postgresPort) {
        return "jdbc:postgresql://localhost:" + postgresPort + "/" + EmbeddedPostgresServer.DATABASE;
    }

    private static Connection superuserConnection(int postgresPort, DatabaseRoles roles) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(postgresPort), EmbeddedPostgresServer.SUPERUSER, roles.superuserPassword());
    }

    /**
     * A run killed with SIGKILL (or a crashed JVM) leaves its PostgreSQL running on the port and its data directory
     * behind; Kafka, the mocks and the hub died with the JVM. Stops that PostgreSQL and deletes its data (keeps it if
     * {@code keepData}), unless the run that started it is alive (then the port check says another stack runs), and
     * marks the port as this process's. For {@link LocalHub} and {@link LocalInfrastructure}, whichever runs the
     * database on that port.
     */
    static void afterAnEarlierRunDied(int postgresPort, boolean keepData) throws IOException {
        Path marker = workDir().resolve("postgres-" + postgresPort + "-owner.pid");
        if (Files.exists(marker)) {
            String pid = Files.readString(marker).trim();
            boolean alive = !pid.isEmpty() && pid.chars().allMatch(Character::isDigit)
                    && ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
                            .flatMap(p -> p.info().command()).map(command -> command.endsWith("java")).orElse(false);
            if (alive) {
                return;
            }
        }
        EmbeddedPostgresServer.stopLeftOver(workDir(), postgresPort, keepData);
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, Long.toString(ProcessHandle.current().pid()));
        marker.toFile().deleteOnExit();
    }

    /** {@code -Dhub.dev.keep-data=true}: the local stack's data outlives its runs (see {@link #start}). */
    static boolean keepData() {
        return Boolean.getBoolean("hub.dev.keep-data");
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

    /** The properties that point the hub at these services (all of them in this process). */
    public Map<String, Object> hubProperties() {
        Map<String, Object> props = new LinkedHashMap<>(providedProperties());
        props.keySet().removeIf(key -> !key.startsWith("hub."));
        props.put("hub.postgres.port", postgresPort);
        return props;
    }

    /**
     * What the services of this process provide, as {@link #INFRASTRUCTURE_FILE} holds it: the hub's settings
     * ({@code hub.*}) and {@code infrastructure.*} (the database owner's and the mocks' passwords for a process
     * that starts the mocks against this database; the pid of this JVM for each service, the one to stop).
     */
    public Map<String, String> providedProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        String pid = Long.toString(ProcessHandle.current().pid());
        if (kafka != null) {
            props.put("hub.kafka.brokers", kafka.bootstrapServers());
            props.put("infrastructure.kafka.pid", pid);
        }
        if (postgres != null) {
            props.put("hub.postgres.port", Integer.toString(postgres.port()));
            props.put("hub.postgres.user", DatabaseRoles.HUB);
            props.put("hub.postgres.password", roles.hubPassword());
            props.put("hub.outbox.user", DatabaseRoles.RELAY);
            props.put("hub.outbox.password", roles.relayPassword());
            props.put("hub.warehouse.user", DatabaseRoles.WAREHOUSE);
            props.put("hub.warehouse.password", roles.warehousePassword());
            props.put("hub.warehouse.source.user", DatabaseRoles.WAREHOUSE_READER);
            props.put("hub.warehouse.source.password", roles.warehouseReaderPassword());
            props.put("infrastructure.postgres.superuser-password", roles.superuserPassword());
            props.put("infrastructure.postgres.mocks-password", roles.mocksPassword());
            props.put("infrastructure.postgres.pid", pid);
        }
        if (mocks != null) {
            props.put("hub.mocks.base-url", mocksBaseUrl());
            props.put("infrastructure.mocks.pid", pid);
        }
        if (identityProvider != null) {
            props.put("hub.security.issuer", issuer);
            props.put("hub.simulator.client-secret", "traffic-simulator-local-only"); // identity-provider.yaml
            if (operatorPassword != null) {
                props.put("hub.security.operator.password", operatorPassword);
            }
            props.put("infrastructure.idp.pid", pid);
        }
        String lra = lraCoordinatorUrl();
        if (lra != null) {
            props.put("hub.lra.coordinator-url", lra);
            props.put("infrastructure.lra.pid", pid);
        }
        return props;
    }

    /** Adds what this process provides to {@link #INFRASTRUCTURE_FILE}, keeping what the others wrote; its path. */
    public Path publishInfrastructure() throws IOException {
        Path file = workDir.resolve(INFRASTRUCTURE_FILE);
        PrivateFiles.update(file, providedProperties(),
                "What the local infrastructure provides (LocalInfrastructure, LocalHub): the hubs' settings, only for you");
        return file;
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String jdbcUrl() {
        return jdbcUrl(postgresPort);
    }

    /** The database owner: publications, and what a test checks across schemas. Never the hub's connection. */
    public Connection superuserConnection() throws SQLException {
        return superuserConnection(postgresPort, roles);
    }

    /** The same as a DataSource (a new connection per use), for a test's JdbcTemplate. */
    public DataSource superuserDataSource() {
        return new SimpleDriverDataSource(new org.postgresql.Driver(), jdbcUrl(), EmbeddedPostgresServer.SUPERUSER,
                roles.superuserPassword());
    }

    /**
     * Writes the hub's database settings and the operator's console password as a properties file only its owner may
     * read, for {@code camel run} (a properties file on its command line) and a developer's psql; answers its path.
     * The passwords are new at every start, unless the data is kept.
     */
    public Path writeCredentials() throws IOException {
        Path file = workDir.resolve("local-credentials.properties");
        Files.createDirectories(workDir);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, String.join("\n",
                "# The local stack's database roles, " + (keepData ? "kept with its data" : "new at every start")
                        + " (src/main/resources/db/provisioning)",
                "hub.postgres.url=" + jdbcUrl(),
                "hub.postgres.user=" + DatabaseRoles.HUB,
                "hub.postgres.password=" + roles.hubPassword(),
                "# psql as the database owner: PGPASSWORD=<this> psql -h localhost -p " + postgresPort + " -U postgres insurance",
                "postgres.superuser.password=" + roles.superuserPassword(),
                "# The warehouse (D02-D04): psql -h localhost -p " + postgresPort + " -U " + DatabaseRoles.WAREHOUSE + " warehouse",
                "hub.warehouse.password=" + roles.warehousePassword(),
                "# Hawtio's login (/actuator/hawtio): user operator",
                "hub.security.operator.password=" + (operatorPassword != null ? operatorPassword
                        : identityProvider != null ? "(from HUB_SECURITY_OPERATOR_PASSWORD)" : "(see " + INFRASTRUCTURE_FILE + ")"),
                ""));
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
                "hub.postgres.password", roles.hubPassword()), workDir.resolve("camel-run.properties"));
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
                lraCoordinator = EmbeddedLraCoordinator.start(lraCoordinatorPort, workDir, keepData);
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
            if (mocks != null) {
                mocks.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("Stopping the mocks failed", e);
        }
        try {
            if (identityProvider != null) {
                identityProvider.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("Stopping the identity provider failed", e);
        }
        try {
            if (kafka != null) {
                kafka.close();
            }
        } catch (Exception e) {
            LOG.warn("Stopping Kafka failed", e);
        }
        try {
            if (postgres != null) {
                postgres.close();
            }
        } catch (Exception e) {
            LOG.warn("Stopping PostgreSQL failed", e);
        }
    }
}
