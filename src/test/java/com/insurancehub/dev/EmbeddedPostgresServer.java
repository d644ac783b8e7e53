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
import java.util.concurrent.TimeUnit;

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

    /** What initdb -A trust writes: only for a kept database whose passwords were lost (see {@link #start}). */
    private static final String TRUST_HBA = """
            # Written by EmbeddedPostgresServer for one start: the passwords of this kept database were lost
            local   all          all                 trust
            host    all          all  127.0.0.1/32   trust
            host    all          all  ::1/128        trust
            """;

    private final EmbeddedPostgres postgres;
    private final DatabaseRoles roles;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, DatabaseRoles roles) {
        this.postgres = postgres;
        this.roles = roles;
    }

    /** A fresh database (initdb), deleted when it stops. */
    public static EmbeddedPostgresServer start(int port, Path workDir) throws Exception {
        return start(port, workDir, false);
    }

    /**
     * With {@code keepData} the database of an earlier run on this port (its data directory
     * {@code <workDir>/postgres-<port>}) is started again and kept when this one stops, with its role passwords
     * ({@code postgres-<port>-roles.properties} next to it); initdb runs only for a directory that has no
     * database. Without, a fresh database every start, deleted at the stop.
     */
    public static EmbeddedPostgresServer start(int port, Path workDir, boolean keepData) throws Exception {
        int pgPort = port > 0 ? port : FreePorts.find();
        Path dataDir = workDir.resolve("postgres-" + pgPort);
        Path rolesFile = rolesFile(workDir, pgPort);
        stopLeftOver(workDir, pgPort, keepData);
        boolean kept = keepData && Files.exists(dataDir.resolve("postgresql.conf"));
        if (keepData && !kept) {
            FileTree.delete(dataDir); // an initdb that did not finish: initdb wants an empty directory
        }
        DatabaseRoles saved = kept ? DatabaseRoles.read(rolesFile) : null;
        DatabaseRoles roles = saved != null ? saved : DatabaseRoles.generate();
        if (kept && saved == null) {
            // No password opens it any more: as initdb left it, for the moment the new passwords are set
            Files.writeString(dataDir.resolve("pg_hba.conf"), TRUST_HBA, StandardCharsets.UTF_8);
        }
        if (keepData) {
            roles.save(rolesFile); // ahead of the database: a stop in between leaves a file that still opens it
        } else {
            Files.deleteIfExists(rolesFile);
        }
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(pgPort)
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(!keepData)
                // how zonky checks that the server is up: initdb's trust ignores it, a kept database wants it
                .setConnectConfig("password", roles.superuserPassword())
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
                // A slot whose reader is gone (every hub down) holds the WAL back: past this much the server drops
                // the slot's claim (wal_status 'lost') rather than fill its disk (docs/architecture.md, D05/D06)
                .setServerConfig("max_slot_wal_keep_size", "1GB")
                // zonky turns these off for speed; CDC latency needs commits flushed at once. fsync off: a killed
                // server loses nothing (the OS has the writes), only a crash of the machine would
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "off")
                .start();
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
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), SUPERUSER, roles.superuserPassword())) {
            roles.provision(c);
            Files.writeString(dataDir.resolve("pg_hba.conf"), PG_HBA, StandardCharsets.UTF_8);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_reload_conf()");
            }
        }
        return server;
    }

    /** The saved role passwords of the kept database on this port. */
    static Path rolesFile(Path workDir, int port) {
        return workDir.resolve("postgres-" + port + "-roles.properties");
    }

    /**
     * A run killed with SIGKILL leaves its postgres running and its data directory behind: stop the one and delete
     * the other (zonky cleans a data directory only when it closes it), so that the next run gets the port and a fresh
     * initdb. Only the directory of this port: another stack may use the same work directory on other ports.
     */
    public static void stopLeftOver(Path workDir, int port) throws IOException {
        stopLeftOver(workDir, port, false);
    }

    /**
     * The same, keeping the data directory if {@code keepData}: the postgres is stopped as {@code pg_ctl stop -m fast}
     * does (SIGINT: it disconnects whoever is still connected, e.g. the hubs of a split stack, and shuts down
     * cleanly) and a pid file no postgres owns any more is removed, so that it starts again on the same data.
     */
    public static void stopLeftOver(Path workDir, int port, boolean keepData) throws IOException {
        Path dataDir = workDir.resolve("postgres-" + port);
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            String firstLine = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
            try {
                // that postgres on this data directory: a pid file can outlive its process, and the pid be reused
                ProcessHandle.of(Long.parseLong(firstLine))
                        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false)
                                && p.info().commandLine().map(c -> c.contains(dataDir.toString())).orElse(false))
                        .ifPresent(EmbeddedPostgresServer::stopFast);
            } catch (NumberFormatException ignored) {
                // not a pid file we understand: nothing of ours to stop
            }
            Files.deleteIfExists(pidFile); // postgres removes it when it stops; a kill -9 of it, or a reboot, does not
        }
        if (!keepData) {
            FileTree.delete(dataDir);
            Files.deleteIfExists(rolesFile(workDir, port));
        }
    }

    private static void stopFast(ProcessHandle postgres) {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(postgres.pid())).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            postgres.destroy(); // SIGTERM: postgres waits for its clients to go first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!postgres.onExit().completeOnTimeout(null, 15, TimeUnit.SECONDS).thenApply(p -> !postgres.isAlive()).join()) {
            postgres.destroyForcibly();
            postgres.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
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
