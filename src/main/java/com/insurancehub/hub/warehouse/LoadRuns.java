package com.insurancehub.hub.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * D02-D04 - the loads' bookkeeping in the warehouse (load_runs, load_watermarks, load_rejects). A run is claimed
 * before it is queued: one RUNNING run per flow across every hub instance (a partial unique index), a scheduled run
 * once per cron time (another); a RUNNING run that has not beaten for hub.warehouse.lease was left by a dead hub and
 * is closed as ABANDONED by the next claim, which goes on from the last chunk that run committed.
 */
@Component
public class LoadRuns {

    /** A claim's answer: the new run, or the run that holds the flow (runId null if a scheduled run of that time exists). */
    public record Claim(boolean claimed, Long runId, Long runningRunId) {
    }

    private static final String COLUMNS = """
            run_id, flow, trigger, scheduled_for, status, started_at, finished_at, watermark_from_at, watermark_from_key,
            watermark_to_at, watermark_to_key, chunks, rows_read, rows_written, rows_rejected, error""";

    private final JdbcTemplate warehouse;
    private final WarehouseDatabases databases;
    private final String lease;

    public LoadRuns(WarehouseDatabases databases, @Value("${hub.warehouse.lease}") String lease) {
        this.warehouse = new JdbcTemplate(databases.warehouse());
        this.databases = databases;
        this.lease = lease;
    }

    /** Claims a run of this flow; scheduledFor is the cron time of a scheduled run, null for one asked for now. */
    public Claim claim(String flow, String trigger, OffsetDateTime scheduledFor) {
        databases.migrated();
        warehouse.update("""
                UPDATE load_runs SET status = 'ABANDONED', finished_at = now(),
                       error = 'left RUNNING by a hub that stopped: no heartbeat for ' || ?
                WHERE flow = ? AND status = 'RUNNING' AND heartbeat_at < now() - ?::interval""", lease, flow, lease);
        List<Long> inserted = warehouse.queryForList("""
                INSERT INTO load_runs (flow, trigger, scheduled_for, status, watermark_from_at, watermark_from_key,
                                       watermark_to_at, watermark_to_key)
                SELECT ?, ?, ?, 'RUNNING', w.changed_at, w.source_key, w.changed_at, w.source_key
                FROM (SELECT 1) one LEFT JOIN load_watermarks w ON w.flow = ?
                ON CONFLICT DO NOTHING RETURNING run_id""", Long.class, flow, trigger, scheduledFor, flow);
        if (!inserted.isEmpty()) {
            return new Claim(true, inserted.get(0), null);
        }
        List<Long> running = warehouse.queryForList("SELECT run_id FROM load_runs WHERE flow = ? AND status = 'RUNNING'",
                Long.class, flow);
        return new Claim(false, null, running.isEmpty() ? null : running.get(0));
    }

    /** The run's watermark to start from: [changed_at, source_key], both null for a first load. */
    Object[] startingWatermark(long runId) {
        return warehouse.queryForObject("SELECT watermark_from_at, watermark_from_key FROM load_runs WHERE run_id = ?",
                (rs, i) -> new Object[] {rs.getObject(1, OffsetDateTime.class), rs.getString(2)}, runId);
    }

    /**
     * Within the chunk's transaction: the run's counters and heartbeat, its watermark and the flow's. Fails if the run is
     * no longer RUNNING (closed as ABANDONED by another instance): the chunk is then rolled back, never written twice.
     */
    void recordChunk(Connection tx, long runId, String flow, OffsetDateTime lastChangedAt, String lastKey, int read,
                     int written, List<Object[]> rejects) throws SQLException {
        try (PreparedStatement s = tx.prepareStatement("""
                UPDATE load_runs SET chunks = chunks + 1, rows_read = rows_read + ?, rows_written = rows_written + ?,
                       rows_rejected = rows_rejected + ?, heartbeat_at = now(), watermark_to_at = ?, watermark_to_key = ?
                WHERE run_id = ? AND status = 'RUNNING'""")) {
            s.setInt(1, read);
            s.setInt(2, written);
            s.setInt(3, rejects.size());
            s.setObject(4, lastChangedAt);
            s.setString(5, lastKey);
            s.setLong(6, runId);
            if (s.executeUpdate() != 1) {
                throw new IllegalStateException("warehouse run " + runId + " is no longer RUNNING: its chunk is not written");
            }
        }
        try (PreparedStatement s = tx.prepareStatement("""
                INSERT INTO load_watermarks (flow, changed_at, source_key, run_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (flow) DO UPDATE SET changed_at = EXCLUDED.changed_at, source_key = EXCLUDED.source_key,
                       run_id = EXCLUDED.run_id, updated_at = now()""")) {
            s.setString(1, flow);
            s.setObject(2, lastChangedAt);
            s.setString(3, lastKey);
            s.setLong(4, runId);
            s.executeUpdate();
        }
        if (!rejects.isEmpty()) {
            try (PreparedStatement s = tx.prepareStatement("""
                    INSERT INTO load_rejects (run_id, flow, source_key, source_changed_at, reason, source_row)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                for (Object[] reject : rejects) {
                    s.setLong(1, runId);
                    s.setString(2, flow);
                    s.setObject(3, reject[0]);
                    s.setObject(4, reject[1]);
                    s.setObject(5, reject[2]);
                    s.setObject(6, reject[3]);
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
    }

    /** Closes the run (SUCCEEDED or FAILED with the error) if it is still RUNNING. */
    void finish(long runId, String status, String error) {
        warehouse.update("UPDATE load_runs SET status = ?, finished_at = now(), error = ? WHERE run_id = ? AND status = 'RUNNING'",
                status, error, runId);
    }

    /** One run, with its rejected rows. */
    public Map<String, Object> run(long runId) {
        databases.migrated();
        List<Map<String, Object>> runs = warehouse.query("SELECT " + COLUMNS + " FROM load_runs WHERE run_id = ?",
                (rs, i) -> row(rs), runId);
        if (runs.isEmpty()) {
            throw new NoSuchElementException("no warehouse load run " + runId);
        }
        Map<String, Object> run = runs.get(0);
        run.put("rejects", warehouse.query("""
                SELECT source_key, source_changed_at, reason FROM load_rejects WHERE run_id = ? ORDER BY source_changed_at, source_key
                LIMIT 1000""", (rs, i) -> {
            Map<String, Object> reject = new LinkedHashMap<>();
            reject.put("sourceKey", rs.getString(1));
            reject.put("sourceChangedAt", text(rs.getObject(2, OffsetDateTime.class)));
            reject.put("reason", rs.getString(3));
            return reject;
        }, runId));
        return run;
    }

    /** The newest runs first. */
    public List<Map<String, Object>> history(int limit) {
        databases.migrated();
        return warehouse.query("SELECT " + COLUMNS + " FROM load_runs ORDER BY started_at DESC, run_id DESC LIMIT ?",
                (rs, i) -> row(rs), limit);
    }

    private static Map<String, Object> row(ResultSet rs) throws SQLException {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("runId", rs.getLong("run_id"));
        run.put("flow", rs.getString("flow"));
        run.put("trigger", rs.getString("trigger"));
        run.put("scheduledFor", text(rs.getObject("scheduled_for", OffsetDateTime.class)));
        run.put("status", rs.getString("status"));
        run.put("startedAt", text(rs.getObject("started_at", OffsetDateTime.class)));
        run.put("finishedAt", text(rs.getObject("finished_at", OffsetDateTime.class)));
        Map<String, Object> from = new LinkedHashMap<>();
        from.put("changedAt", text(rs.getObject("watermark_from_at", OffsetDateTime.class)));
        from.put("key", rs.getString("watermark_from_key"));
        Map<String, Object> to = new LinkedHashMap<>();
        to.put("changedAt", text(rs.getObject("watermark_to_at", OffsetDateTime.class)));
        to.put("key", rs.getString("watermark_to_key"));
        run.put("watermarkFrom", from);
        run.put("watermarkTo", to);
        run.put("chunks", rs.getInt("chunks"));
        run.put("rowsRead", rs.getLong("rows_read"));
        run.put("rowsWritten", rs.getLong("rows_written"));
        run.put("rowsRejected", rs.getLong("rows_rejected"));
        run.put("error", rs.getString("error"));
        return run;
    }

    /** Instants as ISO-8601 text in the answers (whatever JSON mapper renders them) */
    private static String text(OffsetDateTime instant) {
        return instant == null ? null : instant.toInstant().toString();
    }
}
