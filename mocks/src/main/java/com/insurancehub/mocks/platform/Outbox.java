package com.insurancehub.mocks.platform;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes a row of a system's transactional outbox ({@code <schema>.outbox}). Called inside the transaction
 * that changes the aggregate, so that the event exists exactly when the change is committed; Debezium relays
 * the committed rows (seed: the Debezium outbox pattern).
 */
@Component
public class Outbox {

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public Outbox(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** {@code table} is a constant of the calling mock ({@code pas.outbox}, {@code billing.outbox}). */
    public UUID write(String table, String aggregateType, String aggregateId, int aggregateVersion, String eventType,
                      Map<String, Object> payload, String traceparent) {
        UUID id = UUID.randomUUID();
        String payloadJson;
        try {
            payloadJson = json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        jdbc.update("INSERT INTO " + table + " (id, aggregate_type, aggregate_id, aggregate_version, event_type,"
                        + " payload, traceparent, correlation_id) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?)",
                id, aggregateType, aggregateId, aggregateVersion, eventType, payloadJson,
                Problems.blank(traceparent) ? null : traceparent, CorrelationIds.ofCurrentRequest());
        return id;
    }
}
