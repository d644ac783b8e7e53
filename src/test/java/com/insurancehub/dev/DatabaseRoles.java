package com.insurancehub.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The local stack's database roles, as a deployment would have them: the provisioning scripts of
 * {@code src/main/resources/db/provisioning} with passwords made for the database when it is created (they leave
 * the JVM only in files only their owner reads: {@link DevServices#writeCredentials}, and with
 * {@code -Dhub.dev.keep-data=true} the database's own {@link #save}d copy, read back at the next start).
 *
 * <p>Provisioning runs again on a kept database: what exists already (a role, a schema, a table, a publication)
 * is left as it is, and the roles get this run's passwords.
 */
public record DatabaseRoles(String superuserPassword, String hubPassword, String relayPassword, String mocksPassword,
                            String warehousePassword, String warehouseReaderPassword) {

    public static final String HUB = "insurance_hub";
    public static final String RELAY = "insurance_relay";
    public static final String MOCKS = "insurance_mocks";
    /** D02-D04: the owner of the warehouse database (the hub's warehouse pool), and the loads' read-only source role */
    public static final String WAREHOUSE = "insurance_warehouse";
    public static final String WAREHOUSE_READER = "insurance_warehouse_reader";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** duplicate_object (a role, a publication), duplicate_schema, duplicate_table, duplicate_database: provisioned before */
    private static final Set<String> ALREADY_THERE = Set.of("42710", "42P06", "42P07", "42P04");

    static DatabaseRoles generate() {
        return new DatabaseRoles(secret(), secret(), secret(), secret(), secret(), secret());
    }

    /** The passwords a {@link #save} wrote, or null if there is no such file. */
    static DatabaseRoles read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        DatabaseRoles roles = new DatabaseRoles(p.getProperty("superuser"), p.getProperty("hub"),
                p.getProperty("relay"), p.getProperty("mocks"), p.getProperty("warehouse"), p.getProperty("warehouseReader"));
        return Stream.of(roles.superuserPassword, roles.hubPassword, roles.relayPassword, roles.mocksPassword,
                        roles.warehousePassword, roles.warehouseReaderPassword)
                .anyMatch(Objects::isNull) ? null : roles;
    }

    /** Writes the passwords to a file only its owner reads (replaced whole: never half-written). */
    void save(Path file) throws IOException {
        PrivateFiles.write(file, Map.of("superuser", superuserPassword, "hub", hubPassword, "relay", relayPassword,
                "mocks", mocksPassword, "warehouse", warehousePassword, "warehouseReader", warehouseReaderPassword), "The database's role passwords (EmbeddedPostgresServer, -Dhub.dev.keep-data)");
    }

    /** 1-roles.sql: the roles and the schemas owned before any of them connects; then this run's passwords. */
    void provision(Connection superuser) throws SQLException, IOException {
        run(superuser, "1-roles.sql");
        try (Statement s = superuser.createStatement()) {
            s.execute("ALTER ROLE " + HUB + " WITH PASSWORD " + literal(hubPassword));
            s.execute("ALTER ROLE " + RELAY + " WITH PASSWORD " + literal(relayPassword));
            s.execute("ALTER ROLE " + MOCKS + " WITH PASSWORD " + literal(mocksPassword));
            s.execute("ALTER ROLE " + WAREHOUSE + " WITH PASSWORD " + literal(warehousePassword));
            s.execute("ALTER ROLE " + WAREHOUSE_READER + " WITH PASSWORD " + literal(warehouseReaderPassword));
        }
    }

    /** 2-publications.sql and 3-warehouse-sources.sql: once the systems have created their tables. */
    void publish(Connection superuser) throws SQLException, IOException {
        run(superuser, "2-publications.sql");
        run(superuser, "3-warehouse-sources.sql");
    }

    /** Statement by statement (each ends a line with ';'), so that one already done does not stop the others. */
    private void run(Connection superuser, String script) throws SQLException, IOException {
        String sql;
        try (InputStream in = DatabaseRoles.class.getResourceAsStream("/db/provisioning/" + script)) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> p : Map.of("database", EmbeddedPostgresServer.DATABASE,
                "hubPassword", quoted(hubPassword), "relayPassword", quoted(relayPassword),
                "mocksPassword", quoted(mocksPassword), "warehousePassword", quoted(warehousePassword),
                "warehouseReaderPassword", quoted(warehouseReaderPassword)).entrySet()) {
            sql = sql.replace("${" + p.getKey() + "}", p.getValue());
        }
        String code = sql.lines().filter(line -> !line.stripLeading().startsWith("--"))
                .reduce("", (a, b) -> a + b + "\n");
        for (String statement : code.split(";\\s*\\n")) {
            if (statement.isBlank()) {
                continue;
            }
            try (Statement s = superuser.createStatement()) {
                s.execute(statement);
            } catch (SQLException e) {
                if (!ALREADY_THERE.contains(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    static String literal(String value) {
        return "'" + quoted(value) + "'";
    }

    private static String quoted(String value) {
        return value.replace("'", "''");
    }

    private static String secret() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "DatabaseRoles[passwords hidden]";
    }
}
