package com.insurancehub.hub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The hub's events as a test writes them: the envelope of schemas/events/envelope.schema.json around the data of
 * one event type, e.g. {@code Events.of("PolicyCreated").aggregate("P-1", 2).data("{...}").json()}.
 * An event is checked against its type's schema when it is written out, so a test's event cannot drift from the
 * contract the hub's consumers check; {@link Event#without(String)} writes one that breaks it on purpose.
 */
public final class Events {

    /** When every test event happened, unless a test says otherwise. */
    public static final String OCCURRED_AT = "2026-11-22T10:00:00.000Z";

    /** Numbers kept as written (420.00 stays 420.00, not 420.0): an event carries what the test wrote. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private Events() {
    }

    /** An event of this type: a new eventId, occurred at {@link #OCCURRED_AT}, empty data. */
    public static Event of(String eventType) {
        return new Event(eventType);
    }

    public static final class Event {

        private final String eventType;
        private String eventId = UUID.randomUUID().toString();
        private String aggregateId;
        private Integer aggregateVersion;
        private String occurredAt = OCCURRED_AT;
        private ObjectNode data = JSON.createObjectNode();
        private Check check = Check.VALID;

        private Event(String eventType) {
            this.eventType = eventType;
        }

        public Event id(String eventId) {
            this.eventId = eventId;
            return this;
        }

        /** The aggregate the event is about (the record key) and its version after the change. */
        public Event aggregate(String aggregateId, int version) {
            this.aggregateId = aggregateId;
            this.aggregateVersion = version;
            return this;
        }

        public Event occurredAt(String instant) {
            this.occurredAt = instant;
            return this;
        }

        /** The data object, as JSON. */
        public Event data(String json) {
            try {
                data = (ObjectNode) JSON.readTree(json);
            } catch (JsonProcessingException | ClassCastException e) {
                throw new IllegalArgumentException("not a JSON object: " + json, e);
            }
            return this;
        }

        /** One data field set (or replaced), e.g. {@code with("premium", new BigDecimal("420.00"))}. */
        public Event with(String field, Object value) {
            data.set(field, JSON.valueToTree(value));
            return this;
        }

        /** One data field dropped: an event that breaks its schema (checked to break it), for the dead-letter paths. */
        public Event without(String field) {
            if (data.remove(field) == null) {
                throw new IllegalArgumentException("no data field " + field + " in " + data);
            }
            check = Check.INVALID;
            return this;
        }

        /** Not checked at all: a fragment of an event, of a type a consumer skips before reading it. */
        public Event unchecked() {
            check = Check.NONE;
            return this;
        }

        /** The event as it travels on a topic: one line of JSON, the envelope's fields in the envelope's order. */
        public String json() {
            ObjectNode event = JSON.createObjectNode().put("eventId", eventId).put("eventType", eventType);
            if (aggregateId != null) {
                event.put("aggregateId", aggregateId).put("aggregateVersion", aggregateVersion);
            }
            event.put("occurredAt", occurredAt).set("data", data.deepCopy());
            check.verify(event);
            return event.toString();
        }
    }

    private enum Check {
        VALID, INVALID, NONE;

        void verify(ObjectNode event) {
            if (this == NONE) {
                return;
            }
            String type = event.get("eventType").asText();
            JsonSchema schema = schema(type);
            if (schema == null) {
                return; // a type the hub has no schema for: what a consumer must skip
            }
            Set<ValidationMessage> errors = schema.validate(event);
            if (this == VALID && !errors.isEmpty()) {
                throw new AssertionError("the test's " + type + " breaks its schema: " + errors + " in " + event);
            }
            if (this == INVALID && errors.isEmpty()) {
                throw new AssertionError("the test's " + type + " was meant to break its schema but does not: " + event);
            }
        }
    }

    private static JsonSchema schema(String eventType) {
        return SCHEMAS.computeIfAbsent(eventType, type -> {
            try (InputStream in = Events.class.getResourceAsStream("/schemas/events/" + type + ".schema.json")) {
                return in == null ? null : JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
