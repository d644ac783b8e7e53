package com.insurancehub.hub.platform.outbox;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One committed insert into an outbox table, as the relay reads it from Debezium's change record: the columns the
 * event needs, read straight from the record's {@code after} struct.
 */
public record OutboxRow(String id, String eventType, String aggregateId, long aggregateVersion, String occurredAt,
                        String payload, String traceparent, String correlationId) {

    /**
     * The outbox insert a change record carries, or null for anything else: heartbeats (their own table and
     * Debezium's heartbeat topic), updates and deletes (clean-up), tombstones. An outbox table is an included table
     * named {@code outbox}: its records' topic is {@code <topic prefix>.<schema>.outbox}.
     */
    public static OutboxRow of(SourceRecord record) {
        if (!(record.value() instanceof Struct change) || record.topic() == null || !record.topic().endsWith(".outbox")
                || change.schema().field("op") == null || !"c".equals(change.getString("op"))) {
            return null;
        }
        Struct after = change.getStruct("after");
        Object version = after.get("aggregate_version");
        return new OutboxRow(text(after, "id"), text(after, "event_type"), text(after, "aggregate_id"),
                version instanceof Number number ? number.longValue() : Long.parseLong(String.valueOf(version)),
                text(after, "created_at"), text(after, "payload"), text(after, "traceparent"),
                text(after, "correlation_id"));
    }

    /** A column's value as text; null when the column is null or the table does not have it (an older outbox). */
    private static String text(Struct row, String column) {
        Field field = row.schema().field(column);
        Object value = field == null ? null : row.get(field);
        return value == null ? null : value.toString();
    }
}
