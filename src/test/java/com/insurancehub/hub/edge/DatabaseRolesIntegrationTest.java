package com.insurancehub.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;

/**
 * The hub's database roles follow least privilege (db/provisioning): what an attacker who could make the hub run
 * SQL (as anonymous Jolokia once could) gets from the hub's own pool is the hub's schema, and nothing more.
 */
@HubIntegrationTest
class DatabaseRolesIntegrationTest {

    @Autowired
    JdbcTemplate hubPool;

    @Value("${hub.outbox.user}")
    String relayUser;

    @Value("${hub.outbox.password}")
    String relayPassword;

    @Test
    void theHubsPoolIsNoSuperuserAndCannotRunProgramsOnTheServer() {
        assertThat(hubPool.queryForObject("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", Boolean.class))
                .isFalse();
        Path marker = Path.of("target", "copy-to-program-" + System.nanoTime()).toAbsolutePath();
        assertThatThrownBy(() -> hubPool.execute("COPY (SELECT 1) TO PROGRAM 'touch " + marker + "'"))
                .rootCause().hasMessageContaining("permission denied").hasMessageContaining("pg_execute_server_program");
        assertThatThrownBy(() -> hubPool.queryForList("SELECT pg_read_file('postgresql.conf')"))
                .rootCause().hasMessageContaining("permission denied");
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void theHubsPoolReadsNoOtherSystemsTables() {
        assertThatThrownBy(() -> hubPool.queryForList("SELECT * FROM pas.policies LIMIT 1"))
                .rootCause().hasMessageContaining("permission denied for schema pas");
        assertThatThrownBy(() -> hubPool.queryForList("SELECT * FROM customers.customers LIMIT 1"))
                .rootCause().hasMessageContaining("permission denied for schema customers");
        // its own schema, as before
        assertThat(hubPool.queryForObject("SELECT count(*) FROM hub.processed_events", Integer.class)).isNotNull();
    }

    @Test
    void theRelayRoleReadsTheOutboxesAndTheCapturedTablesOnlyAndTheServerWantsPasswords() throws Exception {
        try (var relay = DriverManager.getConnection(DevServices.shared().jdbcUrl(), relayUser, relayPassword);
             var s = relay.createStatement()) {
            assertThat(s.executeQuery("SELECT count(*) FROM pas.outbox").next()).isTrue();
            // D05/D06: the business-change capture's tables (its first snapshot reads them)
            assertThat(s.executeQuery("SELECT count(*) FROM pas.policies").next()).isTrue();
            assertThat(s.executeQuery("SELECT count(*) FROM customers.customers").next()).isTrue();
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM pas.modifications LIMIT 1"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM customers.quote_links LIMIT 1"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM billing.accounts LIMIT 1"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeUpdate("UPDATE pas.policies SET status = status WHERE false"))
                    .hasMessageContaining("permission denied");
        }
        assertThatThrownBy(() -> DriverManager.getConnection(DevServices.shared().jdbcUrl(), "postgres", "postgres"))
                .hasMessageContaining("password authentication failed");
        assertThatThrownBy(() -> DriverManager.getConnection(DevServices.shared().jdbcUrl(), "postgres", ""))
                .isInstanceOf(java.sql.SQLException.class);
    }

    @Value("${hub.warehouse.source.user}")
    String warehouseReader;

    @Value("${hub.warehouse.source.password}")
    String warehouseReaderPassword;

    @Value("${hub.warehouse.user}")
    String warehouseOwner;

    @Value("${hub.warehouse.password}")
    String warehouseOwnerPassword;

    /** D02-D04: the loads read the systems' business tables and change nothing; the warehouse's role owns the warehouse only. */
    @Test
    void theWarehouseReaderOnlySelectsTheSourceTablesAndTheWarehouseOwnerStaysInItsDatabase() throws Exception {
        try (var reader = DriverManager.getConnection(DevServices.shared().jdbcUrl(), warehouseReader, warehouseReaderPassword);
             var s = reader.createStatement()) {
            assertThat(s.executeQuery("SELECT count(*) FROM pas.policies").next()).isTrue();
            assertThat(s.executeQuery("SELECT count(*) FROM billing.payments").next()).isTrue();
            assertThatThrownBy(() -> s.executeUpdate("UPDATE pas.policies SET premium = premium WHERE false"))
                    .hasMessageContaining("read-only transaction");
            reader.setAutoCommit(false);
            s.execute("SET TRANSACTION READ WRITE");
            assertThatThrownBy(() -> s.executeUpdate("UPDATE pas.policies SET premium = premium WHERE false"))
                    .hasMessageContaining("permission denied");
            reader.rollback();
            assertThatThrownBy(() -> s.executeQuery("SELECT count(*) FROM pas.outbox")).hasMessageContaining("permission denied");
            reader.rollback();
            assertThatThrownBy(() -> s.executeQuery("SELECT count(*) FROM hub.processed_events"))
                    .hasMessageContaining("permission denied");
        }
        String warehouseUrl = DevServices.shared().jdbcUrl().replaceFirst("/insurance$", "/warehouse");
        try (var owner = DriverManager.getConnection(warehouseUrl, warehouseOwner, warehouseOwnerPassword);
             var s = owner.createStatement()) {
            assertThat(s.executeQuery("SELECT count(*) FROM warehouse.load_runs").next()).isTrue();
            assertThatThrownBy(() -> s.execute("COPY (SELECT 1) TO PROGRAM 'true'")).hasMessageContaining("pg_execute_server_program");
        }
        assertThatThrownBy(() -> DriverManager.getConnection(DevServices.shared().jdbcUrl(), warehouseOwner, warehouseOwnerPassword))
                .hasMessageContaining("permission denied for database");
    }
}
