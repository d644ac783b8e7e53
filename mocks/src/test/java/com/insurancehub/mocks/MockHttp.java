package com.insurancehub.mocks;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import com.insurancehub.dev.DevServices;
import com.insurancehub.testing.JsonHttp;
import com.insurancehub.testing.JsonHttp.Response;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the tests of the mocks share: HTTP calls like the hub makes them ({@link JsonHttp}, paths under the mocks' base
 * URL), the mocks' tables read back over plain JDBC, and the outbox rows checked against the event schemas the hub's
 * relay enforces.
 */
final class MockHttp {

    static final ObjectMapper JSON = JsonHttp.JSON;
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private MockHttp() {
    }

    /** One row of a system's outbox. */
    record OutboxRow(String id, String aggregateType, String aggregateId, int version, String eventType, JsonNode data,
                     String traceparent, String createdAt) {
    }

    static Response get(String path) {
        return mocks().get(path);
    }

    static Response post(String path, String body) {
        return mocks().post(path, body);
    }

    static Response send(String method, String path, String body, String... headers) {
        return mocks().send(method, path, body, headers);
    }

    static CompletableFuture<Response> sendAsync(String method, String path, String body, String... headers) {
        return mocks().sendAsync(method, path, body, headers);
    }

    /** The mocks, at the base URL of the running stack: a path starts with the system's base ({@code billing/...}). */
    private static JsonHttp mocks() {
        return new JsonHttp(DevServices.shared().mocksBaseUrl() + "/");
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    static Connection db() throws SQLException {
        return DevServices.shared().superuserConnection();
    }

    static long count(String sql, Object... parameters) {
        try (Connection db = db(); PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The outbox rows of one aggregate, in the order they were written. */
    static List<OutboxRow> outbox(String table, String aggregateId) {
        List<OutboxRow> rows = new ArrayList<>();
        try (Connection db = db(); PreparedStatement s = db.prepareStatement("""
                SELECT id::text, aggregate_type, aggregate_id, aggregate_version, event_type, payload::text, traceparent,
                       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                FROM %s WHERE aggregate_id = ? ORDER BY aggregate_version, created_at""".formatted(table))) {
            s.setString(1, aggregateId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OutboxRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                            JSON.readTree(rs.getString(6)), rs.getString(7), rs.getString(8)));
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /**
     * The outbox rows of the aggregate are exactly these event types, with versions 1..n in that order (or from
     * {@code firstVersion}), of the given aggregate type, each valid against its event schema as the relay would
     * publish it, with {@code data.version} (when present) equal to the row's version.
     */
    static List<OutboxRow> assertEvents(String table, String aggregateType, String aggregateId, int firstVersion,
                                        String... eventTypes) {
        List<OutboxRow> rows = outbox(table, aggregateId);
        assertThat(rows).extracting(OutboxRow::eventType).as("event types of " + aggregateId).containsExactly(eventTypes);
        for (int i = 0; i < rows.size(); i++) {
            OutboxRow row = rows.get(i);
            assertThat(row.aggregateType()).isEqualTo(aggregateType);
            assertThat(row.version()).as("version of " + row.eventType()).isEqualTo(firstVersion + i);
            if (row.data().has("version")) {
                assertThat(row.data().get("version").asInt()).as("data.version of " + row.eventType()).isEqualTo(row.version());
            }
            assertValid(row);
        }
        return rows;
    }

    /** The envelope the relay would publish for this row is valid against the schema of its event type. */
    static void assertValid(OutboxRow row) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("eventId", row.id());
        envelope.put("eventType", row.eventType());
        envelope.put("aggregateId", row.aggregateId());
        envelope.put("aggregateVersion", row.version());
        envelope.put("occurredAt", row.createdAt());
        envelope.set("data", row.data());
        assertThat(violations(row.eventType(), envelope)).as(row.eventType() + " " + row.data()).isEmpty();
    }

    static Set<ValidationMessage> violations(String eventType, JsonNode envelope) {
        return SCHEMAS.computeIfAbsent(eventType, type -> {
            try (InputStream in = MockHttp.class.getClassLoader().getResourceAsStream("schemas/events/" + type + ".schema.json")) {
                assertThat(in).as("schemas/events/" + type + ".schema.json").isNotNull();
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).validate(envelope);
    }

    /** A problem answer: the status, problem+json, and (when given) the field or the reason it names. */
    static void assertProblem(Response response, int status, String fieldOrReason) {
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("status").asInt()).isEqualTo(status);
        assertThat(response.text("detail")).isNotBlank();
        if (fieldOrReason != null) {
            assertThat(response.text(status == 400 ? "field" : "reason")).as(String.valueOf(response.body()))
                    .isEqualTo(fieldOrReason);
        }
    }
}
