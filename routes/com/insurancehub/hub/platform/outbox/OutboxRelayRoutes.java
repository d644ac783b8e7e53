package com.insurancehub.hub.platform.outbox;

import java.util.List;
import java.util.Map;

import com.insurancehub.hub.platform.correlation.CorrelationId;
import io.opentelemetry.api.OpenTelemetry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.TypeConverter;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * D01 - the transactional outbox, relayed by Debezium. PAS, Billing, Claims and the Quote Engine write an outbox row
 * in the same transaction as their change; these routes read each committed row from PostgreSQL's WAL (pgoutput, no
 * initial snapshot), wrap it with the insurance-event-envelope kamelet (schema checked) and publish it to the
 * aggregate's topic: key = aggregate id, headers eventType and X-Correlation-Id (the row's), envelope with the outbox
 * row's id as eventId.
 *
 * <p>Throughput: records are handed to Kafka without waiting for each acknowledgement ({@link OutboxPublisher});
 * Debezium's offsets are only stored once everything before them is acknowledged
 * ({@link PostgresOffsetBackingStore}), so the relay stays at-least-once and keeps per-key order. They are stored in
 * the database, so the instance that takes the relays over starts where the last leader stopped.
 *
 * <p>Why the error handling looks like this: the Debezium consumer marks a record as processed even when the
 * route fails, and its offset moves on. Kafka failures never reach the route: the publisher's producer retries
 * them, then dead-letters (see {@link OutboxPublisher}). What can fail in the route is the row itself (it breaks
 * its event schema): retrying cannot fix that, so it goes to the topic's DLQ with the reason, through the
 * publisher, whose offset rule covers the dead letter too. No redelivery also means Camel makes no defensive copy
 * of every exchange. A rolled-back transaction never reaches the WAL's committed stream, so it publishes nothing. Debezium is
 * at-least-once (a restart replays from the last stored offset): consumers deduplicate by eventId.
 */
@Component
public class OutboxRelayRoutes extends EndpointRouteBuilder {

    private final long stopWait;
    private final OpenTelemetry openTelemetry;

    public OutboxRelayRoutes(@Value("${hub.outbox.stop-wait}") long stopWait, ObjectProvider<OpenTelemetry> openTelemetry) {
        this.stopWait = stopWait;
        this.openTelemetry = openTelemetry.getIfAvailable(OpenTelemetry::noop);
    }

    @Override
    public void configure() {
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
        OutboxPublisher publisher = new OutboxPublisher(getContext(), routeId, name, kafka(topic)
                .deliveryTimeoutMs("{{hub.outbox.kafka.delivery-timeout}}")
                .lingerMs("{{hub.outbox.kafka.linger-ms}}")
                .producerBatchSize("{{hub.outbox.kafka.batch-size}}")
                .maxInFlightRequest(5),
                "direct:dead-letter", stopWait, openTelemetry);
        try {
            getContext().addService(publisher, true, false); // outlives the route, see OutboxPublisher
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        from(debeziumPostgres(name)
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
                .pollIntervalMs("{{hub.outbox.poll-interval}}")
                .maxBatchSize("{{hub.outbox.max-batch-size}}")
                .heartbeatIntervalMs("{{hub.outbox.heartbeat-interval}}")
                .heartbeatActionQuery("INSERT INTO {{hub.outbox.heartbeat-table}} (source, beat_at) VALUES ('" + source
                        + "', now()) ON CONFLICT (source) DO UPDATE SET beat_at = now()"))
                .routeId(routeId)
                // One reader per replication slot: started by the leadership route on the leading instance
                .autoStartup(false)
                .description("D01 - relay every committed " + schema + ".outbox row to " + topic)
                .errorHandler(defaultErrorHandler().maximumRedeliveries(0))
                .onException(Exception.class)
                    .handled(true)
                    .setHeader("kafka.TOPIC", constant(topic))
                    .process(publisher::deadLetterRow)
                .end()
                // what Debezium still hands over while the route stops is left for the next start (see OutboxPublisher)
                .filter(publisher::accepts)
                // inserts into the outbox only: not the heartbeat table, not updates or deletes (cleanup)
                .filter(header(DebeziumConstants.HEADER_IDENTIFIER).isEqualTo("hub-" + source + "." + schema + ".outbox"))
                .filter(header(DebeziumConstants.HEADER_OPERATION).isEqualTo("c"))
                // only what the event needs from here on ("*" is a plain wildcard: no regex per header and row)
                .removeHeaders("*")
                .process(OutboxRelayRoutes::rowToEvent).id("read-" + source + "-outbox-row")
                // the row's headers are already only the envelope's: no header clean-up in the kamelet
                .to("kamelet:insurance-event-envelope?onlyEnvelopeHeaders=false")
                .setHeader("traceparent", variable("traceparent"))
                .setHeader(KafkaConstants.KEY, header("aggregateId"))
                .setHeader("kafka.TOPIC", constant(topic)) // where a refused record's dead letter goes (.dlq)
                .removeHeader("occurredAt")
                .removeHeader("aggregateVersion")
                .removeHeader("aggregateId")
                .process(exchange -> publisher.process(exchange)).id("publish-" + source + "-event");
        return routeId;
    }

    /**
     * The outbox row (column to value, as Debezium hands it over) becomes the event's data and headers. One step
     * rather than a setHeader per column: simple's {@code ${body[column]}} copies the exchange on every call, and
     * this runs for every row of every burst.
     */
    static void rowToEvent(Exchange exchange) {
        Message message = exchange.getMessage();
        Map<?, ?> row = message.getBody(Map.class);
        TypeConverter types = exchange.getContext().getTypeConverter();
        message.setHeader("eventId", types.convertTo(String.class, row.get("id")));
        message.setHeader("eventType", types.convertTo(String.class, row.get("event_type")));
        message.setHeader("aggregateId", types.convertTo(String.class, row.get("aggregate_id")));
        message.setHeader("aggregateVersion", types.convertTo(String.class, row.get("aggregate_version")));
        message.setHeader("occurredAt", types.convertTo(String.class, row.get("created_at")));
        // the context of the request that wrote the row; set again after the envelope, whose endpoint call is
        // traced and would put its own context there
        exchange.setVariable("traceparent", types.convertTo(String.class, row.get("traceparent")));
        // the correlation id of that request (the systems store only well-formed ones): copied, not checked again
        Object correlationId = row.get("correlation_id");
        if (correlationId != null) {
            message.setHeader(CorrelationId.HEADER, correlationId);
        }
        message.setBody(types.convertTo(String.class, row.get("payload")));
    }
}
