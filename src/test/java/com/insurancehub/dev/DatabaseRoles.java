package com.insurancehub.dev;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;

/**
 * The local stack's database roles, as a deployment would have them: the provisioning scripts of
 * {@code src/main/resources/db/provisioning} with passwords made fresh for every start (they never leave the
 * JVM but through {@link DevServices#writeCredentials}, a file only its owner reads).
 */
public record DatabaseRoles(String superuserPassword, String hubPassword, String relayPassword, String mocksPassword) {

    public static final String HUB = "insurance_hub";
    public static final String RELAY = "insurance_relay";
    public static final String MOCKS = "insurance_mocks";
    private static final SecureRandom RANDOM = new SecureRandom();

    static DatabaseRoles generate() {
        return new DatabaseRoles(secret(), secret(), secret(), secret());
    }

    /** 1-roles.sql: the roles and the schemas owned before any of them connects. */
    void provision(Connection superuser) throws SQLException, IOException {
        run(superuser, "1-roles.sql");
    }

    /** 2-publications.sql: once the systems have created their outbox tables. */
    void publish(Connection superuser) throws SQLException, IOException {
        run(superuser, "2-publications.sql");
    }

    private void run(Connection superuser, String script) throws SQLException, IOException {
        String sql;
        try (InputStream in = DatabaseRoles.class.getResourceAsStream("/db/provisioning/" + script)) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> p : Map.of("database", EmbeddedPostgresServer.DATABASE,
                "hubPassword", quoted(hubPassword), "relayPassword", quoted(relayPassword),
                "mocksPassword", quoted(mocksPassword)).entrySet()) {
            sql = sql.replace("${" + p.getKey() + "}", p.getValue());
        }
        try (Statement s = superuser.createStatement()) {
            s.execute(sql);
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
