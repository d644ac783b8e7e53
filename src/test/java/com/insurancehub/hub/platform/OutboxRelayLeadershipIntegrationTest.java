package com.insurancehub.hub.platform;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.platform.outbox.OutboxRelayLeadership;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * D01 with several hub instances: the relays run where the PostgreSQL advisory lock is held. Here the test plays a
 * second instance: when the hub's lock connection dies and the "other instance" takes the lock, the hub stops its
 * relays and publishes nothing; when the other instance goes away, the hub takes the lock back, restarts the relays
 * and what was written meanwhile is published (from the stored offsets).
 */
@HubIntegrationTest
class OutboxRelayLeadershipIntegrationTest {

    private static final List<String> RELAYS = List.of("pas-outbox-to-kafka", "billing-outbox-to-kafka", "claims-outbox-to-kafka",
            "quote-engine-outbox-to-kafka");

    @Autowired
    CamelContext camelContext;
    /** The database owner: the systems' outboxes, slots and other sessions are beyond the hub's own role */
    final JdbcTemplate jdbc = new JdbcTemplate(DevServices.shared().superuserDataSource());
    @Value("${hub.outbox.leadership.lock-name}")
    String lockName;
    @Value("${local.server.port}")
    int port;

    @Test
    void theRelaysRunOnTheInstanceHoldingTheLockAndMoveWhenItIsLost() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(leaderSessions()).isEqualTo(1);
            assertThat(RELAYS).allMatch(id -> status(id) == ServiceStatus.Started);
        });

        String policyId;
        try (Connection otherInstance = DevServices.shared().superuserConnection();
             KafkaRecords policyEvents = KafkaRecords.of("insurance.policy.events")) {
            // the hub's lock connection dies; the other instance takes the lock before the hub can take it back
            jdbc.queryForList(OutboxRelayLeadershipRoutesTest.HOLDER_OF_LOCK_TERMINATED, lockName);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> OutboxRelayLeadershipRoutesTest.lock(otherInstance, "pg_try_advisory_lock", lockName));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(RELAYS).allMatch(id -> status(id) == ServiceStatus.Stopped));

            policyId = Policies.issue(new HubApi(port)).get("policyId").asText();
            String written = policyId;
            // written to PAS's outbox, but no relay of this instance reads it while the other instance leads
            assertThat(jdbc.queryForObject("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ?", Integer.class, written)).isPositive();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .until(() -> policyEvents.matching(r -> written.equals(r.key())).isEmpty());
            assertThat(RELAYS).allMatch(id -> status(id) == ServiceStatus.Stopped);

            otherInstance.close(); // the other instance dies: its lock goes with its session
            String created = policyId;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(RELAYS).allMatch(id -> status(id) == ServiceStatus.Started);
                assertThat(policyEvents.matching(r -> created.equals(r.key())
                        && "PolicyCreated".equals(KafkaRecords.header(r, "eventType")))).isNotEmpty();
            });
        }
        assertThat(leaderSessions()).isEqualTo(1);
    }

    private ServiceStatus status(String routeId) {
        return camelContext.getRouteController().getRouteStatus(routeId);
    }

    private Integer leaderSessions() {
        return jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", Integer.class,
                OutboxRelayLeadership.APPLICATION_NAME);
    }
}
