package com.insurancehub.hub.platform.outbox;

import java.util.List;
import java.util.Map;

import io.opentelemetry.api.OpenTelemetry;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * D01 - the transactional outbox, relayed by Debezium. PAS, Billing, Claims and the Quote Engine write an outbox row
 * in the same transaction as their change; these routes read the committed rows from PostgreSQL's WAL (pgoutput, no
 * initial snapshot) and publish each as its event to the aggregate's topic: key = aggregate id, headers eventType,
 * eventId and X-Correlation-Id (the row's), the envelope of the insurance-event-envelope kamelet (schema checked)
 * with the outbox row's id as eventId.
 *
 * <p>Throughput: a relay works a batch at a time - what Debezium polled ({@code hub.outbox.max-batch-size} rows at
 * most) is one exchange ({@link OutboxRelayComponent}): its rows become their events ({@link OutboxEnvelopes}), all
 * are sent to Kafka at once and the batch waits once for their acknowledgements ({@link OutboxPublisher}). Only then
 * is the batch marked processed, so Debezium's offsets, stored in the database ({@link PostgresOffsetBackingStore}),
 * only ever cover acknowledged events: the relay is at-least-once, keeps per-key order, and the instance that takes
 * the relays over starts where the last leader stopped. Consumers deduplicate by eventId.
 *
 * <p>A row that breaks its event schema goes to the topic's DLQ with the reason and the rest of its batch goes on;
 * so does a record Kafka refuses for good. If even the DLQ fails, the batch fails and the relay stops before it
 * (fail-stop; a restart replays it): no error handler retries here. A rolled-back transaction never reaches the WAL's
 * committed stream, so it publishes nothing.
 */
@Component
public class OutboxRelayRoutes extends EndpointRouteBuilder {

    private final long stopWait;
    private final OpenTelemetry openTelemetry;
    private OutboxEnvelopes envelopes;

    public OutboxRelayRoutes(@Value("${hub.outbox.stop-wait}") long stopWait, ObjectProvider<OpenTelemetry> openTelemetry) {
        this.stopWait = stopWait;
        this.openTelemetry = openTelemetry.getIfAvailable(OpenTelemetry::noop);
    }

    @Override
    public void configure() {
        if (getContext().hasComponent(OutboxRelayComponent.SCHEME) == null) {
            getContext().addComponent(OutboxRelayComponent.SCHEME, new OutboxRelayComponent());
        }
        envelopes = new OutboxEnvelopes(getContext(), getContext().resolvePropertyPlaceholders("{{hub.outbox.schema-location}}"));
        List<String> relays = List.of(
                relay("pas", "pas", "{{hub.topics.policy}}"),
                relay("billing", "billing", "{{hub.topics.billing}}"),
                relay("claims", "claims", "{{hub.topics.claim}}"),
                relay("quote-engine", "quote_engine", "{{hub.topics.quote}}"));

        // The relays start on the instance that leads them (OutboxRelayLeadership), never by themselves
        OutboxRelayLeadership leadership = new OutboxRelayLeadership(getContext(), relays);
        try {
            getContext().addService(leadership, true, false);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        from("timer:outbox-relay-leadership?delay=0&period={{hub.outbox.leadership.check-interval}}")
                .routeId("keep-outbox-relay-leadership")
                .autoStartup("{{hub.outbox.enabled}}")
                .description("D01 - run the outbox relays on the one hub instance that holds the PostgreSQL advisory lock")
                .process(exchange -> leadership.check()).id("check-outbox-relay-leadership");
    }

    /**
     * The relay route of the outbox {@code <schema>.outbox} of the system {@code source} (its name in route ids,
     * endpoints, offset files and heartbeat rows); answers its route id. Slot and publication: hub_<schema>_outbox.
     */
    private String relay(String source, String schema, String topic) {
        String slot = "hub_" + schema + "_outbox";
        String routeId = source + "-outbox-to-kafka";
        String name = source + "-outbox"; // Debezium's name of the relay: its offsets' key
        String resolvedTopic = getContext().resolvePropertyPlaceholders(topic);
        OutboxPublisher publisher = new OutboxPublisher(getContext(), routeId, resolvedTopic, Map.of(
                "delivery.timeout.ms", "{{hub.outbox.kafka.delivery-timeout}}",
                "linger.ms", "{{hub.outbox.kafka.linger-ms}}",
                "batch.size", "{{hub.outbox.kafka.batch-size}}"),
                "direct:dead-letter", stopWait, openTelemetry);
        try {
            getContext().addService(publisher, true, false); // its producer outlives the relay's stops and starts
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String debezium = debeziumPostgres(name)
                .databaseHostname("{{hub.postgres.host}}")
                .databasePort("{{hub.postgres.port}}")
                .databaseDbname("{{hub.postgres.database}}")
                .databaseUser("{{hub.outbox.user}}")
                .databasePassword("{{hub.outbox.password}}")
                .topicPrefix("hub-" + source)
                .tableIncludeList(schema + ".outbox,{{hub.outbox.heartbeat-table}}")
                .pluginName("pgoutput")
                .slotName(slot)
                .publicationName(slot)
                .publicationAutocreateMode("{{hub.outbox.publication-autocreate-mode}}")
                .snapshotMode("no_data")
                .offsetStorage(PostgresOffsetBackingStore.class.getName())
                .additionalProperties(PostgresOffsetBackingStore.TABLE, "{{hub.outbox.offset-table}}")
                .additionalProperties("retriable.restart.connector.wait.ms", "{{hub.outbox.restart-wait}}")
                .offsetFlushIntervalMs("{{hub.outbox.offset-flush-interval}}")
                // Debezium's poll only once a change is there, for the batch window; idle, a sleep (IdleWaitPostgresConnector)
                .pollIntervalMs("{{hub.outbox.batch-window}}")
                .additionalProperties(IdleWaitPostgresConnector.IDLE_WAIT, "{{hub.outbox.poll-interval}}")
                .maxBatchSize("{{hub.outbox.max-batch-size}}")
                .maxQueueSize("{{hub.outbox.max-queue-size}}")
                .heartbeatIntervalMs("{{hub.outbox.heartbeat-interval}}")
                .heartbeatActionQuery("INSERT INTO {{hub.outbox.heartbeat-table}} (source, beat_at) VALUES ('" + source
                        + "', now()) ON CONFLICT (source) DO UPDATE SET beat_at = now()")
                .getRawUri();
        // the same options, read by the batch relay endpoint (OutboxRelayComponent)
        from(OutboxRelayComponent.SCHEME + debezium.substring(debezium.indexOf(':')))
                .routeId(routeId)
                // One reader per replication slot: started by the leadership route on the leading instance
                .autoStartup(false)
                .description("D01 - relay every committed " + schema + ".outbox row to " + topic + ", a batch at a time")
                // a failed batch is not retried here: the relay stops with its offset before the batch (fail-stop)
                .errorHandler(noErrorHandler())
                .process(envelopes).id("wrap-" + source + "-outbox-rows-into-their-events")
                .process(publisher).id("publish-" + source + "-events-and-await-their-acknowledgements");
        return routeId;
    }
}
