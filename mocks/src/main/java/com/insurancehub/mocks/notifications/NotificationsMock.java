package com.insurancehub.mocks.notifications;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.CorrelationIds;
import com.insurancehub.mocks.platform.MockSystem;
import com.insurancehub.mocks.platform.Rows;
import com.insurancehub.mocks.platform.Where;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Rows.first;

/**
 * Notifications: a mail catcher. A message "sent" is stored and can be read back. Idempotent by sourceEventId
 * when the caller gives one, so that an event consumed twice does not mail the customer twice. Each message keeps
 * the X-Correlation-Id of the request that sent it ({@code correlationId} in the listing).
 */
@RestController
@RequestMapping("/notifications")
public class NotificationsMock implements MockSystem {

    private static final RowMapper<Message> MESSAGE = Rows.of(Message.class);

    private final JdbcTemplate jdbc;

    public NotificationsMock(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String base() {
        return "notifications";
    }

    public record NewMessage(String channel, String to, String template, String subject, String body,
                             String reference, String sourceEventId) {
    }

    /** A row of {@code notifications.messages}. */
    public record Message(String messageId, String channel, @JsonProperty("to") String recipient, String template,
                          String subject, String body, String reference, String sourceEventId, String correlationId,
                          Instant sentAt) {
    }

    @PostMapping("/messages")
    public ResponseEntity<Message> send(@RequestBody NewMessage message) {
        if (blank(message.to()) || blank(message.template())) {
            throw invalid("to and template are required");
        }
        String sourceEventId = blank(message.sourceEventId()) ? null : message.sourceEventId();
        String messageId = "M-" + UUID.randomUUID();
        int inserted = jdbc.update("""
                INSERT INTO notifications.messages (message_id, channel, recipient, template, subject, body, reference,
                                                    source_event_id, correlation_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                messageId, blank(message.channel()) ? "EMAIL" : message.channel(), message.to(), message.template(),
                message.subject(), message.body(), message.reference(), sourceEventId, CorrelationIds.ofCurrentRequest());
        if (inserted == 0) {
            return ResponseEntity.ok(jdbc.query("SELECT * FROM notifications.messages WHERE source_event_id = ?",
                    MESSAGE, sourceEventId).get(0));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(find(messageId).orElseThrow());
    }

    /** Newest first; every filter is optional. */
    @GetMapping("/messages")
    public List<Message> list(@RequestParam(required = false) String to,
                              @RequestParam(required = false) String reference,
                              @RequestParam(required = false) String template) {
        Where where = Where.filters().and("recipient", to).and("reference", reference).and("template", template);
        return jdbc.query("SELECT * FROM notifications.messages" + where.sql()
                + " ORDER BY sent_at DESC, seq DESC LIMIT 1000", MESSAGE, where.args());
    }

    @GetMapping("/messages/{messageId}")
    public Message get(@PathVariable String messageId) {
        return find(messageId).orElseThrow(() -> missing("message " + messageId));
    }

    private Optional<Message> find(String messageId) {
        return first(jdbc.query("SELECT * FROM notifications.messages WHERE message_id = ?", MESSAGE, messageId));
    }
}
