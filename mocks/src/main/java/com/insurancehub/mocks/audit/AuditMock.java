package com.insurancehub.mocks.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

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

import com.insurancehub.mocks.platform.JsonColumns;
import com.insurancehub.mocks.platform.MockSystem;
import com.insurancehub.mocks.platform.Rows;
import com.insurancehub.mocks.platform.Where;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Rows.first;

/** Audit: the insurer's audit trail, one record per business event, idempotent by eventId. */
@RestController
@RequestMapping("/audit")
public class AuditMock implements MockSystem {

    private static final RowMapper<AuditRecord> RECORD = Rows.of(AuditRecord.class);

    private final JdbcTemplate jdbc;
    private final JsonColumns json;

    public AuditMock(JdbcTemplate jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    public String base() {
        return "audit";
    }

    public record NewRecord(String source, String eventType, String aggregateId, String eventId, JsonNode payload) {
    }

    /** A row of {@code audit.records}. */
    public record AuditRecord(String recordId, String source, String eventType, String aggregateId, String eventId,
                              JsonNode payload, Instant recordedAt) {
    }

    @PostMapping("/records")
    public ResponseEntity<AuditRecord> record(@RequestBody NewRecord record) {
        if (blank(record.source()) || blank(record.eventType()) || blank(record.eventId())) {
            throw invalid("source, eventType and eventId are required");
        }
        String recordId = "R-" + UUID.randomUUID();
        int inserted = jdbc.update("""
                INSERT INTO audit.records (record_id, source, event_type, aggregate_id, event_id, payload)
                VALUES (?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT DO NOTHING""",
                recordId, record.source(), record.eventType(), record.aggregateId(), record.eventId(),
                record.payload() == null ? null : json.write(record.payload()));
        if (inserted == 0) {
            return ResponseEntity.ok(jdbc.query("SELECT * FROM audit.records WHERE event_id = ?", RECORD,
                    record.eventId()).get(0));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(find(recordId).orElseThrow());
    }

    /** Oldest first (the trail in order); the filter is optional. */
    @GetMapping("/records")
    public List<AuditRecord> list(@RequestParam(required = false) String aggregateId) {
        Where where = Where.filters().and("aggregate_id", aggregateId);
        return jdbc.query("SELECT * FROM audit.records" + where.sql() + " ORDER BY seq LIMIT 1000", RECORD,
                where.args());
    }

    @GetMapping("/records/{recordId}")
    public AuditRecord get(@PathVariable String recordId) {
        return find(recordId).orElseThrow(() -> missing("audit record " + recordId));
    }

    private Optional<AuditRecord> find(String recordId) {
        return first(jdbc.query("SELECT * FROM audit.records WHERE record_id = ?", RECORD, recordId));
    }
}
