package com.insurancehub.hub.platform.cdc;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One committed row change of a captured business table (D06), as Debezium read it from the WAL: what the audit trail
 * records. {@code before}/{@code after} are the rows as JSON text (null where the operation has none);
 * {@code heartbeat} marks a heartbeat row, which only moves the capture's position.
 */
public record BusinessChange(String table, String key, String operation, String before, String after,
                             List<String> changedColumns, Long transactionId, String lsn, Instant commitTime,
                             String changedBy, boolean heartbeat) {

    /** Debezium's value for an unchanged TOASTed column it could not read (the before image, FULL, has it). */
    static final String UNAVAILABLE = "__debezium_unavailable_value";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The change a record carries, or null for anything else (Debezium's own heartbeat and transaction records,
     * tombstones). A record of {@code heartbeatTable} (schema.table) is a heartbeat.
     */
    public static BusinessChange of(SourceRecord record, String heartbeatTable) {
        if (!(record.value() instanceof Struct change) || change.schema().field("op") == null
                || change.schema().field("source") == null) {
            return null;
        }
        Struct source = change.getStruct("source");
        String table = source.getString("schema") + "." + source.getString("table");
        Long lsn = (Long) source.get("lsn");
        Instant commitTime = commitTime(source);
        if (table.equals(heartbeatTable)) {
            return new BusinessChange(table, null, change.getString("op"), null, null, List.of(), null,
                    lsn == null ? null : lsn(lsn), commitTime, null, true);
        }
        Struct before = change.getStruct("before");
        Struct after = change.getStruct("after");
        String operation = change.getString("op");
        ObjectNode beforeJson = before == null ? null : json(before, null);
        ObjectNode afterJson = after == null ? null : json(after, before);
        Struct row = after != null ? after : before;
        return new BusinessChange(table, key(record, row), operation, text(beforeJson), text(afterJson),
                changedColumns(beforeJson, afterJson), (Long) source.get("txId"), lsn(lsn), commitTime,
                changedBy(afterJson), false);
    }

    private static Instant commitTime(Struct source) {
        Field micros = source.schema().field("ts_us");
        if (micros != null && source.get(micros) != null) {
            long us = (Long) source.get(micros);
            return Instant.ofEpochSecond(TimeUnit.MICROSECONDS.toSeconds(us), (us % 1_000_000) * 1000);
        }
        return Instant.ofEpochMilli((Long) source.get("ts_ms"));
    }

    /** PostgreSQL's text form of a WAL position (pg_lsn): high and low 32 bits in hex. */
    static String lsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** The primary key's values, joined by '|' (the record's key struct; the row's first column without one). */
    private static String key(SourceRecord record, Struct row) {
        StringJoiner key = new StringJoiner("|");
        if (record.key() instanceof Struct keyStruct) {
            for (Field field : keyStruct.schema().fields()) {
                key.add(String.valueOf(keyStruct.get(field)));
            }
            return key.toString();
        }
        return String.valueOf(row.get(row.schema().fields().get(0)));
    }

    /** A row as JSON: dates as ISO dates, jsonb as JSON, numerics exact; an unavailable TOAST value from {@code before}. */
    private static ObjectNode json(Struct row, Struct before) {
        ObjectNode node = JSON.createObjectNode();
        for (Field field : row.schema().fields()) {
            Object value = row.get(field);
            if (UNAVAILABLE.equals(value) && before != null && before.schema().field(field.name()) != null) {
                value = before.get(field.name());
            }
            node.set(field.name(), value(field, value));
        }
        return node;
    }

    private static JsonNode value(Field field, Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        String type = field.schema().name();
        if ("io.debezium.time.Date".equals(type) && value instanceof Integer days) {
            return JSON.getNodeFactory().textNode(LocalDate.ofEpochDay(days).toString());
        }
        if ("io.debezium.data.Json".equals(type)) {
            try {
                return JSON.readTree(value.toString());
            } catch (JsonProcessingException e) {
                return JSON.getNodeFactory().textNode(value.toString());
            }
        }
        if (value instanceof BigDecimal decimal) {
            return JSON.getNodeFactory().numberNode(decimal);
        }
        return JSON.valueToTree(value);
    }

    /** An update's columns whose value changed; every column of an insert, a snapshot read or a delete. */
    private static List<String> changedColumns(ObjectNode before, ObjectNode after) {
        List<String> columns = new ArrayList<>();
        if (before == null || after == null) {
            (after != null ? after : before).fieldNames().forEachRemaining(columns::add);
            return columns;
        }
        after.fieldNames().forEachRemaining(name -> {
            if (!Objects.equals(before.get(name), after.get(name))) {
                columns.add(name);
            }
        });
        return columns;
    }

    private static String changedBy(ObjectNode after) {
        JsonNode who = after == null ? null : after.get("changed_by");
        return who == null || who.isNull() ? null : who.asText();
    }

    private static String text(ObjectNode row) {
        return row == null ? null : row.toString();
    }
}
