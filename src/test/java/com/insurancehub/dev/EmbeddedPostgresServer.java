package com.insurancehub.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (zonky's embedded binaries, run as a child process) with logical decoding on,
 * so that Debezium can read its WAL. One database, {@code insurance}; the hub and every mock keep to their
 * own schema in it, each as its own role ({@link DatabaseRoles}).
 *
 * <p>Only loopback, and every connection authenticates with a password (scram-sha-256), local socket included:
 * initdb's "trust" would let any local process in as the superuser.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String DATABASE = "insurance";
    public static final String SUPERUSER = "postgres";

    private static final String PG_HBA = """
            # Written by EmbeddedPostgresServer: passwords (scram-sha-256) for everyone, loopback only
            local   all          all                 scram-sha-256
            host    all          all  127.0.0.1/32   scram-sha-256
            host    all          all  ::1/128        scram-sha-256
            local   replication  all                 scram-sha-256
            host    replication  all  127.0.0.1/32   scram-sha-256
            host    replication  all  ::1/128        scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final DatabaseRoles roles;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, DatabaseRoles roles) {
        this.postgres = postgres;
        this.roles = roles;
    }

    public static EmbeddedPostgresServer start(int port, Path workDir) throws Exception {
        int pgPort = port > 0 ? port : FreePorts.find();
        Path dataDir = workDir.resolve("postgres-" + pgPort);
        stopLeftOver(workDir, pgPort);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(pgPort)
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(30))
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("password_encryption", "scram-sha-256")
                // stopped by whoever started it (DevServices.close), after the hub: zonky's own JVM hook would stop
                // it while the hub is still stopping, its pools and relays then failing on a dead server
                .setRegisterShutdownHook(false)
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_wal_senders", "20")
                .setServerConfig("max_replication_slots", "20")
                .setServerConfig("max_connections", "200")
                // zonky turns these off for speed; CDC latency needs commits flushed at once
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "off")
                .start();
        DatabaseRoles roles = DatabaseRoles.generate();
        // The last connection initdb's "trust" allows: the superuser's password, the database, the roles
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
            s.execute("ALTER ROLE " + SUPERUSER + " WITH PASSWORD " + DatabaseRoles.literal(roles.superuserPassword()));
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, roles);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), SUPERUSER, "unused-while-trusted")) {
            roles.provision(c);
            Files.writeString(dataDir.resolve("pg_hba.conf"), PG_HBA, StandardCharsets.UTF_8);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_reload_conf()");
            }
        }
        return server;
    }

    /**
     * A run killed with SIGKILL leaves its postgres running and its data directory behind: stop the one and delete
     * the other (zonky cleans a data directory only when it closes it), so that the next run gets the port and a fresh
     * initdb. Only the directory of this port: another stack may use the same work directory on other ports.
     */
    public static void stopLeftOver(Path workDir, int port) throws IOException {
        Path dataDir = workDir.resolve("postgres-" + port);
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            String firstLine = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
            try {
                ProcessHandle.of(Long.parseLong(firstLine))
                        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                        .ifPresent(p -> {
                            p.destroy();
                            p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
                        });
            } catch (NumberFormatException ignored) {
                // not a pid file we understand: nothing of ours to stop
            }
        }
        if (Files.exists(dataDir)) {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    public DatabaseRoles roles() {
        return roles;
    }

    /** A superuser connection: the database owner's chores (publications) and test assertions, never the hub. */
    public Connection superuserConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), SUPERUSER, roles.superuserPassword());
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
