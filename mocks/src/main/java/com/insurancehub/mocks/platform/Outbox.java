package com.insurancehub.mocks.platform;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Writes a row of a system's transactional outbox ({@code <schema>.outbox}). Called inside the transaction
 * that changes the aggregate, so that the event exists exactly when the change is committed; Debezium relays
 * the committed rows (seed: the Debezium outbox pattern). The row keeps the {@code traceparent} and the
 * {@code X-Correlation-Id} of the request being served, read from the request bound to the thread.
 */
@Component
public class Outbox {

    private final JdbcTemplate jdbc;
    private final JsonColumns json;

    public Outbox(JdbcTemplate jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** {@code table} is a constant of the calling mock ({@code pas.outbox}, ...); the row's id is a new UUID. */
    public String write(String table, String aggregateType, String aggregateId, int aggregateVersion, String eventType,
                        Map<String, Object> payload) {
        return write(table, UUID.randomUUID().toString(), aggregateType, aggregateId, aggregateVersion, eventType,
                payload);
    }

    /**
     * A row whose id, the event's id, names the event (e.g. {@code PaymentOverdue-<invoiceId>-<level>}): a second row
     * with that id fails the transaction, so that an event named after a transition exists once. {@code payload} is the
     * event's data, any value the mocks answer as a JSON object.
     */
    public String write(String table, String eventId, String aggregateType, String aggregateId, int aggregateVersion,
                        String eventType, Object payload) {
        String traceparent = traceparent();
        String payloadJson = json.write(payload);
        jdbc.update("INSERT INTO " + table + " (id, aggregate_type, aggregate_id, aggregate_version, event_type,"
                        + " payload, traceparent, correlation_id) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?)",
                eventId, aggregateType, aggregateId, aggregateVersion, eventType, payloadJson,
                Problems.blank(traceparent) ? null : traceparent, CorrelationIds.ofCurrentRequest());
        return eventId;
    }

    /** The request's traceparent header (several values joined by commas, as Spring binds a header), or null. */
    private static String traceparent() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            List<String> values = Collections.list(attributes.getRequest().getHeaders("traceparent"));
            return values.isEmpty() ? null : String.join(",", values);
        }
        return null;
    }
}
