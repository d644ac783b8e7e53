package com.insurancehub.hub.platform.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.jsonvalidator.DefaultJsonUriSchemaLoader;
import org.apache.camel.component.jsonvalidator.JsonValidationException;

/**
 * The relay's first step: each outbox row of the batch becomes its event, the envelope the
 * {@code insurance-event-envelope} kamelet makes (eventId = the row's id, eventType, aggregateId, aggregateVersion as
 * a number, occurredAt = the row's created_at, data = its payload), checked against the JSON Schema of its event type
 * (the files the kamelet uses, loaded by the same json-validator loader). Body in: a list of {@link OutboxRow}; out:
 * a list of {@link OutboxEvent}, same order, a row that breaks its schema (or has none) carrying the reason instead
 * of a value. The kamelet's jq and validator endpoints ran per row; here each schema is compiled once.
 */
public final class OutboxEnvelopes implements Processor {

    /** Numbers of the payload kept as the system wrote them (a premium of 80.00 stays 80.00, not a double). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private final CamelContext camelContext;
    private final String schemaLocation;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

    public OutboxEnvelopes(CamelContext camelContext, String schemaLocation) {
        this.camelContext = camelContext;
        this.schemaLocation = schemaLocation;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) throws Exception {
        List<OutboxRow> rows = exchange.getMessage().getMandatoryBody(List.class);
        List<OutboxEvent> events = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            events.add(envelope(exchange, row));
        }
        exchange.getMessage().setBody(events);
    }

    private OutboxEvent envelope(Exchange exchange, OutboxRow row) {
        ObjectNode envelope = JSON.createObjectNode();
        try {
            envelope.put("eventId", row.id());
            envelope.put("eventType", row.eventType());
            envelope.put("aggregateId", row.aggregateId());
            envelope.put("aggregateVersion", row.aggregateVersion());
            envelope.put("occurredAt", row.occurredAt());
            envelope.set("data", JSON.readTree(row.payload()));
            JsonSchema schema = schema(row.eventType());
            Set<ValidationMessage> errors = schema.validate(envelope);
            if (!errors.isEmpty()) {
                return new OutboxEvent(row, null, envelope.toString(), new JsonValidationException(exchange, schema, errors));
            }
            return new OutboxEvent(row, JSON.writeValueAsBytes(envelope), null, null);
        } catch (Exception e) {
            return new OutboxEvent(row, null, envelope.toString(), e);
        }
    }

    private JsonSchema schema(String eventType) throws Exception {
        JsonSchema schema = schemas.get(eventType);
        if (schema == null) {
            // not cached when it fails: an unknown event type's rows each carry the reason
            schema = new DefaultJsonUriSchemaLoader().createSchema(camelContext, schemaLocation + "/" + eventType + ".schema.json");
            schemas.put(eventType, schema);
        }
        return schema;
    }

    /**
     * A row's event: {@code value} the envelope to publish, or {@code failure} why it cannot be published
     * ({@code envelope} is then what could be built, for the dead letter).
     */
    public record OutboxEvent(OutboxRow row, byte[] value, String envelope, Exception failure) {
    }
}
