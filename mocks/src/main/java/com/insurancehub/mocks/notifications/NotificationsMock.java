package com.insurancehub.mocks.notifications;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.CorrelationIds;
import com.insurancehub.mocks.platform.MockSystem;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.notFound;
import static com.insurancehub.mocks.platform.Problems.problem;

/**
 * Notifications: a mail catcher. A message "sent" is stored and can be read back. Idempotent by sourceEventId
 * when the caller gives one, so that an event consumed twice does not mail the customer twice. Each message keeps
 * the X-Correlation-Id of the request that sent it ({@code correlationId} in the listing).
 */
@RestController
@RequestMapping("/notifications")
public class NotificationsMock implements MockSystem {

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

    @PostMapping("/messages")
    public ResponseEntity<Map<String, Object>> send(@RequestBody NewMessage message) {
        if (blank(message.to()) || blank(message.template())) {
            return problem(HttpStatus.BAD_REQUEST, "to and template are required");
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
                    this::row, sourceEventId).get(0));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(find(messageId).get(0));
    }

    /** Newest first; every filter is optional. */
    @GetMapping("/messages")
    public List<Map<String, Object>> list(@RequestParam(required = false) String to,
                                          @RequestParam(required = false) String reference,
                                          @RequestParam(required = false) String template) {
        StringBuilder sql = new StringBuilder("SELECT * FROM notifications.messages WHERE true");
        List<Object> args = new ArrayList<>();
        if (to != null) {
            sql.append(" AND recipient = ?");
            args.add(to);
        }
        if (reference != null) {
            sql.append(" AND reference = ?");
            args.add(reference);
        }
        if (template != null) {
            sql.append(" AND template = ?");
            args.add(template);
        }
        sql.append(" ORDER BY sent_at DESC, seq DESC LIMIT 1000");
        return jdbc.query(sql.toString(), this::row, args.toArray());
    }

    @GetMapping("/messages/{messageId}")
    public ResponseEntity<Map<String, Object>> get(@PathVariable String messageId) {
        List<Map<String, Object>> found = find(messageId);
        return found.isEmpty() ? notFound("message " + messageId) : ResponseEntity.ok(found.get(0));
    }

    private List<Map<String, Object>> find(String messageId) {
        return jdbc.query("SELECT * FROM notifications.messages WHERE message_id = ?", this::row, messageId);
    }

    private Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("messageId", rs.getString("message_id"));
        message.put("channel", rs.getString("channel"));
        message.put("to", rs.getString("recipient"));
        message.put("template", rs.getString("template"));
        putIfPresent(message, "subject", rs.getString("subject"));
        putIfPresent(message, "body", rs.getString("body"));
        putIfPresent(message, "reference", rs.getString("reference"));
        putIfPresent(message, "sourceEventId", rs.getString("source_event_id"));
        putIfPresent(message, "correlationId", rs.getString("correlation_id"));
        message.put("sentAt", rs.getTimestamp("sent_at").toInstant().toString());
        return message;
    }

    private static void putIfPresent(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
