package com.insurancehub.hub.platform.outbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which hub instance runs the outbox relays (D01). A replication slot has one reader: every instance may have the
 * relays enabled, and the one holding a PostgreSQL session advisory lock runs them. The lock lives as long as its
 * connection: an instance that dies, or loses its database connection, loses it, and the next instance to try takes
 * over - from the relays' stored offsets, at-least-once as always.
 *
 * <p>{@link #check()} is called periodically by the route {@code keep-outbox-relay-leadership}: it starts the relays
 * when this instance becomes the leader and stops them when its lock connection is gone. Only on those transitions:
 * a relay stopped by hand (Hawtio, a test) stays stopped. The lock connection is the instance's own, outside the
 * pool, named {@code hub-outbox-relay-leader} in {@code pg_stat_activity}.
 */
public final class OutboxRelayLeadership extends ServiceSupport {

    public static final String APPLICATION_NAME = "hub-outbox-relay-leader";
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayLeadership.class);

    private final CamelContext camelContext;
    private final List<String> relayRouteIds;
    private final String lockName;
    private final String applicationName;
    private volatile Connection lock;

    public OutboxRelayLeadership(CamelContext camelContext, List<String> relayRouteIds) {
        this(camelContext, relayRouteIds, "{{hub.outbox.leadership.lock-name}}", APPLICATION_NAME);
    }

    /**
     * Leadership of other single-reader routes (the business-change capture), under a lock name (placeholder) and a
     * lock connection name of their own.
     */
    public OutboxRelayLeadership(CamelContext camelContext, List<String> relayRouteIds, String lockName,
                                 String applicationName) {
        this.camelContext = camelContext;
        this.relayRouteIds = relayRouteIds;
        this.lockName = lockName;
        this.applicationName = applicationName;
    }

    /** Whether this instance holds the lock (read without waiting for a check in progress: the metrics read it). */
    public boolean isLeader() {
        return lock != null;
    }

    /** The routes this leadership starts and stops. */
    public List<String> relayRouteIds() {
        return relayRouteIds;
    }

    /** One round: keep the lock (or notice it is lost), or try to take it. */
    public synchronized void check() throws Exception {
        if (!camelContext.isStarted()) {
            // Starting: a relay started before the context has finished starting ends Stopped, and nothing would start
            // it again (seen under load). Stopping: the relays stop with the context; a lost database is no news then.
            return;
        }
        if (lock != null && !lock.isValid(seconds("{{hub.outbox.leadership.validation-timeout}}"))) {
            LOG.warn("Leadership of {} lost (its database connection is gone): stopping them", relayRouteIds);
            closeLock();
            for (String routeId : relayRouteIds) {
                camelContext.getRouteController().stopRoute(routeId);
            }
        }
        if (lock == null && tryLock()) {
            LOG.info("This instance leads {}: starting them", relayRouteIds);
            for (String routeId : relayRouteIds) {
                if (camelContext.getRouteController().getRouteStatus(routeId) != ServiceStatus.Started) {
                    camelContext.getRouteController().startRoute(routeId);
                }
            }
        }
    }

    private boolean tryLock() throws SQLException {
        Connection connection = DriverManager.getConnection(camelContext.resolvePropertyPlaceholders(
                        "jdbc:postgresql://{{hub.postgres.host}}:{{hub.postgres.port}}/{{hub.postgres.database}}"
                                + "?ApplicationName=" + applicationName
                                + "&connectTimeout={{hub.outbox.leadership.validation-timeout}}"),
                camelContext.resolvePropertyPlaceholders("{{hub.outbox.user}}"),
                camelContext.resolvePropertyPlaceholders("{{hub.outbox.password}}"));
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            statement.setString(1, camelContext.resolvePropertyPlaceholders(lockName));
            try (ResultSet result = statement.executeQuery()) {
                if (result.next() && result.getBoolean(1)) {
                    lock = connection;
                    return true;
                }
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        connection.close(); // another instance leads
        return false;
    }

    private int seconds(String placeholder) {
        return Integer.parseInt(camelContext.resolvePropertyPlaceholders(placeholder));
    }

    private void closeLock() {
        try {
            lock.close();
        } catch (SQLException e) {
            LOG.debug("Closing the lost leadership connection: {}", e.getMessage());
        }
        lock = null;
    }

    @Override
    protected synchronized void doStop() {
        if (lock != null) {
            closeLock(); // the relays stop with the context; closing the session releases the lock
        }
    }
}
