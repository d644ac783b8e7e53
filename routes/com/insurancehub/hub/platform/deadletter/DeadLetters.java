package com.insurancehub.hub.platform.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.CamelContext;
import org.apache.camel.Producer;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import com.insurancehub.hub.platform.ProblemDetails;

/**
 * R03/R04 - the dead letters' store and their replay (used by {@link DeadLetterRoutes}).
 *
 * <p><b>Replay, once.</b> One dead letter is replayed in one database transaction: a conditional
 * {@code UPDATE ... SET status = 'REPLAYED' WHERE id = ? AND status = 'NEW' RETURNING ...} takes it (and its row
 * lock), the original record is republished to its original topic and acknowledged by the broker, then the
 * transaction commits. A second replay call, concurrent or later, finds it REPLAYED (the concurrent one waits for
 * the lock, then re-checks the condition) and publishes nothing. The crash window: a hub that dies after the
 * broker's ack and before the commit leaves the row NEW, so a later replay publishes the record again - a
 * duplicate the consumers absorb (idempotent by eventId, and the systems by sourceEventId). The reverse order
 * (commit, then publish) would lose the replay in the same crash: a dead letter marked REPLAYED that never was.
 */
@Component
public class DeadLetters {

    static final String REPLAY_TRACE_HEADERS = "traceparent|tracestate";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DLQ_SUFFIX = ".dlq";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final CamelContext camelContext;
    private volatile Producer producer;

    public DeadLetters(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, CamelContext camelContext) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
        this.camelContext = camelContext;
    }

    /**
     * One Kafka producer for every replay, the topic given per record. Called directly, not through a producer
     * template: no exchange event, so the tracer leaves the record's original trace headers as they are (an
     * exclude pattern would do the same at a CPU cost on every exchange of the hub, see TracingConfiguration).
     */
    private Producer producer() throws Exception {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    Producer created = camelContext.getEndpoint("kafka:hub-dead-letter-replay?clientId=hub-dead-letter-replay")
                            .createProducer();
                    camelContext.addService(created, true, true);
                    producer = created;
                }
            }
        }
        return producer;
    }

    /** The columns of one DLQ record, as headers {@code dl.*} for the store's INSERT. */
    public void toRow(Exchange exchange) throws JsonProcessingException {
        var message = exchange.getMessage();
        Map<String, String> headers = new LinkedHashMap<>();
        Headers kafkaHeaders = message.getHeader(KafkaConstants.HEADERS, Headers.class);
        if (kafkaHeaders != null) {
            for (Header header : kafkaHeaders) {
                headers.put(header.key(), decode(header.value()));
            }
        }
        String dlqTopic = message.getHeader(KafkaConstants.TOPIC, String.class);
        // PostgreSQL text holds no NUL character: a binary value is kept readable rather than blocking the store
        String value = message.getBody(String.class);
        value = value == null ? null : value.replace('\u0000', '\uFFFD');
        String originalTopic = headers.getOrDefault("dlqOriginalTopic",
                dlqTopic.endsWith(DLQ_SUFFIX) ? dlqTopic.substring(0, dlqTopic.length() - DLQ_SUFFIX.length()) : dlqTopic);
        message.setHeader("dlTopic", dlqTopic);
        message.setHeader("dlPartition", message.getHeader(KafkaConstants.PARTITION, Integer.class));
        message.setHeader("dlOffset", message.getHeader(KafkaConstants.OFFSET, Long.class));
        message.setHeader("dlOriginalTopic", originalTopic);
        message.setHeader("dlOriginalPartition", number(headers.get("dlqOriginalPartition")));
        message.setHeader("dlOriginalOffset", number(headers.get("dlqOriginalOffset")));
        message.setHeader("dlKey", message.getHeader(KafkaConstants.KEY, String.class));
        message.setHeader("dlEventType", headers.get("eventType") != null ? headers.get("eventType") : field(value, "eventType"));
        message.setHeader("dlEventId", field(value, "eventId"));
        message.setHeader("dlHeaders", JSON.writeValueAsString(headers));
        message.setHeader("dlValue", value);
        message.setHeader("dlReason", headers.get("dlqReason"));
        message.setHeader("dlException", headers.get("dlqException"));
        message.setHeader("dlFailedRoute", headers.get("dlqFailedRoute"));
        message.setHeader("dlFailedAt", headers.get("dlqFailedAt"));
    }

    /**
     * Replays one dead letter (see the class comment). Answers the replayed dead letter; 404 when there is none,
     * 409 with reason ALREADY_REPLAYED when it was replayed before.
     */
    public void replayOne(Exchange exchange) {
        long id = exchange.getMessage().getHeader("id", Long.class);
        Map<String, Object> replayed = replay(id);
        if (replayed == null) {
            List<Map<String, Object>> existing = jdbc.queryForList(
                    "SELECT status, replayed_at FROM hub.dead_letters WHERE id = ?", id);
            if (existing.isEmpty()) {
                throw new NoSuchElementException("no dead letter " + id);
            }
            exchange.setVariable(ProblemDetails.MEMBER + "status", 409);
            exchange.setVariable(ProblemDetails.MEMBER + "detail", "dead letter " + id + " was replayed at "
                    + existing.get(0).get("replayed_at") + ": it is not published again");
            exchange.setVariable(ProblemDetails.MEMBER + "reason", "ALREADY_REPLAYED");
            return;
        }
        exchange.getMessage().setBody(json(replayed));
    }

    /** Replays every NEW dead letter (of one original topic if given), oldest first, each in its own transaction. */
    public void replayAll(Exchange exchange) {
        String topic = exchange.getMessage().getHeader("topic", String.class);
        List<Long> candidates = topic == null || topic.isBlank()
                ? jdbc.queryForList("SELECT id FROM hub.dead_letters WHERE status = 'NEW' ORDER BY id", Long.class)
                : jdbc.queryForList("SELECT id FROM hub.dead_letters WHERE status = 'NEW' AND (topic = ? OR dlq_topic = ?) ORDER BY id",
                        Long.class, topic, topic);
        List<Long> replayed = new ArrayList<>();
        for (Long id : candidates) {
            if (replay(id) != null) {
                replayed.add(id); // another caller may have taken some meanwhile: those are theirs
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("replayed", replayed.size());
        answer.put("ids", replayed);
        exchange.getMessage().setBody(json(answer));
    }

    private Map<String, Object> replay(long id) {
        return tx.execute(status -> {
            List<Map<String, Object>> taken = jdbc.queryForList("""
                    UPDATE hub.dead_letters SET status = 'REPLAYED', replayed_at = now()
                    WHERE id = ? AND status = 'NEW'
                    RETURNING id, topic, record_key, event_type, event_id, headers::text AS headers, value, replayed_at""", id);
            if (taken.isEmpty()) {
                return null;
            }
            Map<String, Object> row = taken.get(0);
            Map<String, String> headers = parseHeaders((String) row.get("headers"));
            Exchange e;
            try {
                e = producer().getEndpoint().createExchange();
            } catch (Exception failure) {
                throw new IllegalStateException("no Kafka producer for the replay", failure);
            }
            {
                e.getMessage().setHeader(KafkaConstants.OVERRIDE_TOPIC, row.get("topic"));
                e.getMessage().setBody(row.get("value"));
                if (row.get("record_key") != null) {
                    e.getMessage().setHeader(KafkaConstants.KEY, row.get("record_key"));
                }
                // The original record's own headers (eventType, trace context), not the dead letter's dlq* ones
                headers.forEach((name, value) -> {
                    if (value != null && !name.startsWith("dlq")) {
                        e.getMessage().setHeader(name, value);
                    }
                });
            }
            try {
                producer().process(e);
            } catch (Exception failure) {
                e.setException(failure);
            }
            Exchange sent = e;
            if (sent.getException() != null) {
                // Not published: the row stays NEW (rollback), the caller gets the failure
                throw new IllegalStateException("replay of dead letter " + id + " failed: " + sent.getException().getMessage(),
                        sent.getException());
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", row.get("id"));
            answer.put("status", "REPLAYED");
            answer.put("topic", row.get("topic"));
            answer.put("key", row.get("record_key"));
            answer.put("eventType", row.get("event_type"));
            answer.put("eventId", row.get("event_id"));
            answer.put("replayedAt", String.valueOf(row.get("replayed_at")));
            return answer;
        });
    }

    private static Map<String, String> parseHeaders(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long number(String value) {
        try {
            return value == null || value.isBlank() ? null : Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * A Kafka header value as text: UTF-8 text as is; the binary numbers camel-kafka writes for Integer and Long
     * headers (e.g. dlqOriginalPartition, dlqOriginalOffset) as numbers; anything else in base64.
     */
    static String decode(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(value)).toString();
            if (text.chars().noneMatch(c -> c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
                return text;
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            // binary: below
        }
        if (value.length == Integer.BYTES) {
            return String.valueOf(java.nio.ByteBuffer.wrap(value).getInt());
        }
        if (value.length == Long.BYTES) {
            return String.valueOf(java.nio.ByteBuffer.wrap(value).getLong());
        }
        return "base64:" + java.util.Base64.getEncoder().encodeToString(value);
    }

    /** A top-level text field of the record's value, when it is JSON (a poison record may not be). */
    private static String field(String value, String name) {
        try {
            JsonNode node = value == null ? null : JSON.readTree(value);
            return node != null && node.hasNonNull(name) ? node.get(name).asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

}
