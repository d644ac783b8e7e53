package com.insurancehub.mocks.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

import com.insurancehub.mocks.platform.MockSystem;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.notFound;
import static com.insurancehub.mocks.platform.Problems.problem;

/** Audit: the insurer's audit trail, one record per business event, idempotent by eventId. */
@RestController
@RequestMapping("/audit")
public class AuditMock implements MockSystem {

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public AuditMock(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    public String base() {
        return "audit";
    }

    public record NewRecord(String source, String eventType, String aggregateId, String eventId, JsonNode payload) {
    }

    @PostMapping("/records")
    public ResponseEntity<Map<String, Object>> record(@RequestBody NewRecord record) throws JsonProcessingException {
        if (blank(record.source()) || blank(record.eventType()) || blank(record.eventId())) {
            return problem(HttpStatus.BAD_REQUEST, "source, eventType and eventId are required");
        }
        String recordId = "R-" + UUID.randomUUID();
        int inserted = jdbc.update("""
                INSERT INTO audit.records (record_id, source, event_type, aggregate_id, event_id, payload)
                VALUES (?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT DO NOTHING""",
                recordId, record.source(), record.eventType(), record.aggregateId(), record.eventId(),
                record.payload() == null ? null : json.writeValueAsString(record.payload()));
        if (inserted == 0) {
            return ResponseEntity.ok(jdbc.query("SELECT * FROM audit.records WHERE event_id = ?", this::row,
                    record.eventId()).get(0));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(find(recordId).get(0));
    }

    /** Oldest first (the trail in order); the filter is optional. */
    @GetMapping("/records")
    public List<Map<String, Object>> list(@RequestParam(required = false) String aggregateId) {
        List<Object> args = new ArrayList<>();
        String where = "";
        if (aggregateId != null) {
            where = " WHERE aggregate_id = ?";
            args.add(aggregateId);
        }
        return jdbc.query("SELECT * FROM audit.records" + where + " ORDER BY seq LIMIT 1000", this::row, args.toArray());
    }

    @GetMapping("/records/{recordId}")
    public ResponseEntity<Map<String, Object>> get(@PathVariable String recordId) {
        List<Map<String, Object>> found = find(recordId);
        return found.isEmpty() ? notFound("audit record " + recordId) : ResponseEntity.ok(found.get(0));
    }

    private List<Map<String, Object>> find(String recordId) {
        return jdbc.query("SELECT * FROM audit.records WHERE record_id = ?", this::row, recordId);
    }

    private Map<String, Object> row(ResultSet rs, int n) throws SQLException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("recordId", rs.getString("record_id"));
        record.put("source", rs.getString("source"));
        record.put("eventType", rs.getString("event_type"));
        if (rs.getString("aggregate_id") != null) {
            record.put("aggregateId", rs.getString("aggregate_id"));
        }
        record.put("eventId", rs.getString("event_id"));
        String payload = rs.getString("payload");
        if (payload != null) {
            try {
                record.put("payload", json.readTree(payload));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        record.put("recordedAt", rs.getTimestamp("recorded_at").toInstant().toString());
        return record;
    }
}
