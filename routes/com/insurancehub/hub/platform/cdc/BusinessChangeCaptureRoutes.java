package com.insurancehub.hub.platform.cdc;

import java.util.List;

import javax.sql.DataSource;

import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.springframework.stereotype.Component;

import com.insurancehub.hub.platform.outbox.IdleWaitPostgresConnector;
import com.insurancehub.hub.platform.outbox.OutboxRelayComponent;
import com.insurancehub.hub.platform.outbox.OutboxRelayLeadership;
import com.insurancehub.hub.platform.outbox.PostgresOffsetBackingStore;

/**
 * D05 + D06 - one Debezium capture of the systems' business tables (PAS policies, Claims claims, Billing invoices and
 * payments, Customer Hub customers: {@code hub.cdc.tables}) through one publication and one replication slot,
 * {@code hub_business_changes}, read by the relay role. Each batch Debezium polled is recorded in one transaction
 * ({@link BusinessChangeRecorder}): the audit trail, and through it the reports' read models; only then are its
 * offsets stored (the outbox relays' batch hand-over and offset store), so a crash replays a batch, which writes
 * nothing twice. The first start reads the tables' current rows (snapshot, operation {@code r}), so that the reports
 * start complete. Exactly one instance captures: the one holding the capture's own advisory lock.
 */
@Component
public class BusinessChangeCaptureRoutes extends EndpointRouteBuilder {

    public static final String SCHEME = "business-changes";
    public static final String ROUTE_ID = "record-business-table-changes-in-audit-trail-and-reports";
    /** Debezium's name of the capture: its offsets' key, and its row in hub.change_capture_position. */
    public static final String CAPTURE = "business-changes";
    public static final String LEADER_APPLICATION_NAME = "hub-business-change-capture-leader";

    private final DataSource dataSource;

    public BusinessChangeCaptureRoutes(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void configure() {
        String heartbeatTable = getContext().resolvePropertyPlaceholders("{{hub.outbox.heartbeat-table}}");
        if (getContext().hasComponent(SCHEME) == null) {
            getContext().addComponent(SCHEME, new OutboxRelayComponent(record -> BusinessChange.of(record, heartbeatTable)));
        }
        String debezium = debeziumPostgres(CAPTURE)
                .databaseHostname("{{hub.postgres.host}}")
                .databasePort("{{hub.postgres.port}}")
                .databaseDbname("{{hub.postgres.database}}")
                .databaseUser("{{hub.outbox.user}}")
                .databasePassword("{{hub.outbox.password}}")
                .topicPrefix("hub-business-changes")
                .tableIncludeList("{{hub.cdc.tables}},{{hub.outbox.heartbeat-table}}")
                .pluginName("pgoutput")
                .slotName("{{hub.cdc.slot}}")
                .publicationName("{{hub.cdc.slot}}")
                .publicationAutocreateMode("disabled")
                .snapshotMode("{{hub.cdc.snapshot-mode}}")
                .offsetStorage(PostgresOffsetBackingStore.class.getName())
                .additionalProperties(PostgresOffsetBackingStore.TABLE, "{{hub.outbox.offset-table}}")
                .additionalProperties("retriable.restart.connector.wait.ms", "{{hub.outbox.restart-wait}}")
                .offsetFlushIntervalMs("{{hub.outbox.offset-flush-interval}}")
                // Debezium's poll only once a change is there, for the batch window; idle, a sleep (IdleWaitPostgresConnector)
                .pollIntervalMs("{{hub.cdc.batch-window}}")
                .additionalProperties(IdleWaitPostgresConnector.IDLE_WAIT, "{{hub.cdc.poll-interval}}")
                .maxBatchSize("{{hub.cdc.max-batch-size}}")
                .maxQueueSize("{{hub.cdc.max-queue-size}}")
                .heartbeatIntervalMs("{{hub.cdc.heartbeat-interval}}")
                .heartbeatActionQuery("INSERT INTO {{hub.outbox.heartbeat-table}} (source, beat_at) VALUES ('"
                        + CAPTURE + "', now()) ON CONFLICT (source) DO UPDATE SET beat_at = now()")
                .getRawUri();
        from(SCHEME + debezium.substring(debezium.indexOf(':')))
                .routeId(ROUTE_ID)
                // One reader per replication slot: started by the leadership route on the leading instance
                .autoStartup(false)
                .description("D05 D06 - record every committed change of the business tables in the audit trail and"
                        + " the real-time reports, a batch per transaction")
                // fail-stop as the relays: a batch that cannot be recorded stops the capture before it
                .errorHandler(noErrorHandler())
                .process(new BusinessChangeRecorder(dataSource, CAPTURE)).id("record-changes-and-capture-position");

        OutboxRelayLeadership leadership = new OutboxRelayLeadership(getContext(), List.of(ROUTE_ID),
                "{{hub.cdc.leadership.lock-name}}", LEADER_APPLICATION_NAME);
        try {
            getContext().addService(leadership, true, false);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        from("timer:business-change-capture-leadership?delay=0&period={{hub.outbox.leadership.check-interval}}")
                .routeId("keep-business-change-capture-leadership")
                .autoStartup("{{hub.cdc.enabled}}")
                .description("D05 D06 - run the business-change capture on the one hub instance that holds its"
                        + " PostgreSQL advisory lock")
                .process(exchange -> leadership.check()).id("check-business-change-capture-leadership");
    }
}
