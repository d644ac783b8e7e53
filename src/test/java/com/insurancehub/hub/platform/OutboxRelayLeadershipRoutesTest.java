package com.insurancehub.hub.platform;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of keep-outbox-relay-leadership (D01): its timer replaced by a direct endpoint so that each send is
 * one round, the relays' Debezium consumers replaced by direct endpoints (starting them reads no slot), and a lock
 * name of its own so that the shared integration context's leadership is not involved.
 */
@TestPropertySource(properties = "hub.outbox.leadership.lock-name=leadership route test")
@RouteDomains("platform")
class OutboxRelayLeadershipRoutesTest extends RouteTestSupport {

    /** Ends the session holding the advisory lock of the given name (pg_locks shows a bigint key's low 32 bits). */
    static final String HOLDER_OF_LOCK_TERMINATED = "SELECT pg_terminate_backend(pid) FROM pg_locks"
            + " WHERE locktype = 'advisory' AND granted AND objid = (hashtext(?)::bigint & 4294967295)::oid";
    private static final List<String> RELAYS = List.of("pas-outbox-to-kafka", "billing-outbox-to-kafka", "claims-outbox-to-kafka",
            "quote-engine-outbox-to-kafka");

    /** The database owner: the systems' outboxes, slots and other sessions are beyond the hub's own role */
    final JdbcTemplate jdbc = new JdbcTemplate(DevServices.shared().superuserDataSource());

    @Override
    protected void adviceRoutes() {
        route("keep-outbox-relay-leadership").from("direct:check-leadership");
        for (String relay : RELAYS) {
            route(relay).from("direct:" + relay);
        }
    }

    @Override
    protected void afterCamelStarted() throws Exception {
        camelContext.getRouteController().startRoute("keep-outbox-relay-leadership"); // hub.outbox.enabled=false here
    }

    @Test
    void theRelaysStartOnlyWithTheLockAndStopWhenItsConnectionIsLost() throws Exception {
        try (Connection otherInstance = DevServices.shared().superuserConnection()) {
            assertThat(lock(otherInstance, "pg_try_advisory_lock")).isTrue();

            template.sendBody("direct:check-leadership", null);
            assertThat(RELAYS).allMatch(id -> status(id) == ServiceStatus.Stopped);

            assertThat(lock(otherInstance, "pg_advisory_unlock")).isTrue();
            template.sendBody("direct:check-leadership", null);
            assertThat(RELAYS).allMatch(id -> status(id) == ServiceStatus.Started);
            template.sendBody("direct:check-leadership", null); // still the leader: nothing changes
            assertThat(RELAYS).allMatch(id -> status(id) == ServiceStatus.Started);
            assertThat(lock(otherInstance, "pg_try_advisory_lock")).as("held by the hub").isFalse();
        }

        jdbc.queryForList(HOLDER_OF_LOCK_TERMINATED, "leadership route test");
        try (Connection otherInstance = DevServices.shared().superuserConnection()) {
            assertThat(lock(otherInstance, "pg_try_advisory_lock")).as("released with the hub's session").isTrue();
            template.sendBody("direct:check-leadership", null);
            assertThat(RELAYS).allMatch(id -> status(id) == ServiceStatus.Stopped);
        }
    }

    private static boolean lock(Connection connection, String function) throws Exception {
        return lock(connection, function, "leadership route test");
    }

    /** Calls an advisory lock function ({@code pg_try_advisory_lock}, {@code pg_advisory_unlock}) on the named lock. */
    static boolean lock(Connection connection, String function, String lockName) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + function + "(hashtext(?))")) {
            statement.setString(1, lockName);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    private ServiceStatus status(String routeId) {
        return camelContext.getRouteController().getRouteStatus(routeId);
    }
}
