package com.insurancehub.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (zonky's embedded binaries, run as a child process) with logical decoding on,
 * so that Debezium can read its WAL. One database, {@code insurance}; the hub and every mock keep to their
 * own schema in it.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String DATABASE = "insurance";
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedPostgresServer start(int port, Path workDir) throws Exception {
        int pgPort = port > 0 ? port : FreePorts.find();
        Path dataDir = workDir.resolve("postgres-" + pgPort);
        stopLeftOver(dataDir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(pgPort)
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(30))
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_wal_senders", "20")
                .setServerConfig("max_replication_slots", "20")
                .setServerConfig("max_connections", "200")
                // zonky turns these off for speed; CDC latency needs commits flushed at once
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "off")
                .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
            s.execute("ALTER USER " + USER + " WITH PASSWORD '" + PASSWORD + "'");
        }
        return new EmbeddedPostgresServer(postgres);
    }

    /** A run killed with SIGKILL leaves its postgres behind: stop it so that the next run gets the port. */
    private static void stopLeftOver(Path dataDir) throws IOException, InterruptedException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String firstLine = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
        try {
            long pid = Long.parseLong(firstLine);
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
            });
        } catch (NumberFormatException ignored) {
            // not a pid file we understand: zonky cleans the directory anyway
        }
        Files.deleteIfExists(pidFile);
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
