package com.insurancehub.hub.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Component;

/**
 * D02-D04 - what the warehouse routes call: claim a run (API or schedule), stream its source in chunks, write each
 * chunk with its watermark in one warehouse transaction, close the run. Progress goes to the log (a line per run and
 * per 20 chunks) and to metrics: hub_warehouse_rows_{read,written,rejected}_total{flow}, hub_warehouse_load_seconds
 * {flow,status} and hub_warehouse_last_status{flow} (1 succeeded, 0 failed, 2 running).
 */
@Component("warehouseLoads")
public class WarehouseLoads {

    private static final Logger LOG = LoggerFactory.getLogger(WarehouseLoads.class);
    /** The exchange variable holding a run's source stream, closed when the run ends whatever happened */
    static final String CHUNKS = "warehouseChunks";

    private final Map<String, WarehouseFlow> flows = new LinkedHashMap<>();
    private final WarehouseDatabases databases;
    private final LoadRuns runs;
    private final MeterRegistry meters;
    private final int chunkSize;
    private final String settleTime;
    private final CronExpression cron;
    private final Duration catchUp;
    private final List<String> scheduledFlows;
    private final int historyLimit;
    private final int historyMax;
    private final Map<String, AtomicInteger> lastStatus = new ConcurrentHashMap<>();
    private final Map<Long, Long> startedAt = new ConcurrentHashMap<>();

    public WarehouseLoads(List<WarehouseFlow> flows, WarehouseDatabases databases, LoadRuns runs, MeterRegistry meters,
                          @Value("${hub.warehouse.chunk-size}") int chunkSize,
                          @Value("${hub.warehouse.settle-time}") String settleTime,
                          @Value("${hub.warehouse.schedule.cron}") String cron,
                          @Value("${hub.warehouse.schedule.catch-up}") Duration catchUp,
                          @Value("${hub.warehouse.schedule.flows}") List<String> scheduledFlows,
                          @Value("${hub.warehouse.history-limit}") int historyLimit,
                          @Value("${hub.warehouse.history-max}") int historyMax) {
        flows.forEach(flow -> this.flows.put(flow.name(), flow));
        this.databases = databases;
        this.runs = runs;
        this.meters = meters;
        this.chunkSize = chunkSize;
        this.settleTime = settleTime;
        this.cron = CronExpression.parse(cron);
        this.catchUp = catchUp;
        this.scheduledFlows = scheduledFlows.stream().map(String::trim).filter(f -> !f.isEmpty()).toList();
        this.historyLimit = historyLimit;
        this.historyMax = historyMax;
        this.scheduledFlows.forEach(this::flow);
        this.flows.keySet().forEach(flow -> meters.gauge("hub.warehouse.last.status",
                Tags.of("flow", flow),
                lastStatus.computeIfAbsent(flow, f -> new AtomicInteger(-1)), AtomicInteger::get));
    }

    WarehouseFlow flow(String name) {
        WarehouseFlow flow = name == null ? null : flows.get(name);
        if (flow == null) {
            throw new NoSuchElementException("no warehouse flow '" + name + "' (known: " + String.join(", ", flows.keySet()) + ")");
        }
        return flow;
    }

    /**
     * POST /api/admin/warehouse/loads/{flow}: claims a run now. Sets the variables warehouseRunClaimed, runId (the new
     * run, or the one that holds the flow) and the answer's body. An unknown flow: NoSuchElementException (404).
     */
    public void claimNow(Exchange exchange, @Header("flow") String flowName) {
        WarehouseFlow flow = flow(flowName);
        LoadRuns.Claim claim = runs.claim(flow.name(), "API", null);
        exchange.setVariable("warehouseRunClaimed", claim.claimed());
        exchange.setVariable("runId", claim.claimed() ? claim.runId() : claim.runningRunId());
        if (claim.claimed()) {
            exchange.getMessage().setHeader("runId", claim.runId());
            exchange.getMessage().setHeader("flow", flow.name());
            exchange.getMessage().setBody(Map.of("runId", claim.runId(), "flow", flow.name(), "status", "RUNNING"));
        }
    }

    /**
     * The schedule: for each scheduled flow, the cron's last time at or before now (if within hub.warehouse.schedule
     * .catch-up); its run is claimed by the first instance that asks (once per flow and cron time). Answers the runs
     * claimed here, as [{flow, runId}].
     */
    public List<Map<String, Object>> claimDue() {
        return claimDueAt(ZonedDateTime.now());
    }

    /** {@link #claimDue()} as of {@code now} (a name of its own: Camel's bean binding would find two claimDue). */
    List<Map<String, Object>> claimDueAt(ZonedDateTime now) {
        ZonedDateTime due = lastFireTime(now);
        List<Map<String, Object>> claimed = new ArrayList<>();
        if (due == null || Duration.between(due, now).compareTo(catchUp) > 0) {
            return claimed;
        }
        for (String flow : scheduledFlows) {
            LoadRuns.Claim claim = runs.claim(flow, "SCHEDULE", due.toOffsetDateTime());
            if (claim.claimed()) {
                LOG.info("Warehouse load {} scheduled for {}: run {}", flow, due, claim.runId());
                claimed.add(Map.of("flow", flow, "runId", claim.runId()));
            }
        }
        return claimed;
    }

    /** The cron's latest time at or before now, looking back at most two days (a daily cron), or null. */
    ZonedDateTime lastFireTime(ZonedDateTime now) {
        ZonedDateTime next = cron.next(now.minusDays(2));
        ZonedDateTime last = null;
        while (next != null && !next.isAfter(now)) {
            last = next;
            next = cron.next(next);
        }
        return last;
    }

    /** The run's source rows after its watermark, a chunk at a time (the splitter's expression). */
    public SourceChunks chunks(Exchange exchange, @Header("flow") String flowName, @Header("runId") long runId) throws SQLException {
        WarehouseFlow flow = flow(flowName);
        Object[] from = runs.startingWatermark(runId);
        startedAt.put(runId, System.nanoTime());
        LOG.info("Warehouse load {} ({}) run {} starts after ({}, {}), chunks of {}", flow.name(), flow.flowId(), runId,
                from[0], from[1], chunkSize);
        setStatus(flow.name(), 2);
        SourceChunks chunks = new SourceChunks(databases.source(), flow.sourceQuery(), (OffsetDateTime) from[0],
                (String) from[1], settleTime, chunkSize);
        exchange.setVariable(CHUNKS, chunks);
        return chunks;
    }

    /**
     * One chunk: rows the mapping refuses recorded with their reason, the others' dimensions and facts upserted, the
     * run's counters and the flow's watermark moved to the chunk's last row, all in one warehouse transaction.
     */
    public void writeChunk(@Header("flow") String flowName, @Header("runId") long runId,
                           @ExchangeProperty("CamelSplitIndex") Integer index, List<Map<String, Object>> chunk) throws SQLException {
        WarehouseFlow flow = flow(flowName);
        List<Map<String, Object>> accepted = new ArrayList<>(chunk.size());
        List<Object[]> rejects = new ArrayList<>();
        for (Map<String, Object> row : chunk) {
            String reason;
            try {
                reason = flow.rejection(row);
            } catch (RuntimeException e) {
                reason = "unreadable row: " + e.getMessage();
            }
            if (reason == null) {
                accepted.add(row);
            } else {
                rejects.add(new Object[] {row.get("source_key"), row.get("changed_at"), reason, describe(row)});
            }
        }
        Map<String, Object> last = chunk.get(chunk.size() - 1);
        int written;
        try (Connection tx = databases.warehouse().getConnection()) {
            tx.setAutoCommit(false);
            try {
                written = flow.write(tx, accepted, runId);
                runs.recordChunk(tx, runId, flow.name(), (OffsetDateTime) last.get("changed_at"),
                        (String) last.get("source_key"), chunk.size(), written, rejects);
                tx.commit();
            } catch (SQLException | RuntimeException e) {
                tx.rollback();
                throw e;
            }
        }
        counter("hub.warehouse.rows.read", flow).increment(chunk.size());
        counter("hub.warehouse.rows.written", flow).increment(written);
        counter("hub.warehouse.rows.rejected", flow).increment(rejects.size());
        rejects.forEach(r -> LOG.warn("Warehouse load {} run {}: source row {} rejected: {}", flow.name(), runId, r[0], r[2]));
        if (index != null && (index + 1) % 20 == 0) {
            LOG.info("Warehouse load {} run {}: {} chunks written, at ({}, {})", flow.name(), runId, index + 1,
                    last.get("changed_at"), last.get("source_key"));
        }
    }

    /** The run went through: SUCCEEDED. */
    public void succeed(Exchange exchange, @Header("flow") String flowName, @Header("runId") long runId) {
        closeChunks(exchange);
        runs.finish(runId, "SUCCEEDED", null);
        Map<String, Object> run = runs.run(runId);
        Duration took = took(runId);
        meters.timer("hub.warehouse.load", "flow", flowName, "status", "SUCCEEDED").record(took);
        setStatus(flowName, 1);
        LOG.info("Warehouse load {} run {} SUCCEEDED in {} ms: {} rows read, {} written, {} rejected, watermark ({}, {})",
                flowName, runId, took.toMillis(), run.get("rowsRead"), run.get("rowsWritten"), run.get("rowsRejected"),
                ((Map<?, ?>) run.get("watermarkTo")).get("changedAt"), ((Map<?, ?>) run.get("watermarkTo")).get("key"));
    }

    /** The run failed: FAILED with the cause; what its chunks committed stays, the next run goes on from there. */
    public void fail(Exchange exchange, @Header("flow") String flowName, @Header("runId") Long runId) {
        closeChunks(exchange);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause(); // the root cause, not the splitter's wrapping of it
        }
        String error = cause == null ? "failed" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (runId != null) {
            runs.finish(runId, "FAILED", error.length() > 1000 ? error.substring(0, 1000) : error);
            meters.timer("hub.warehouse.load", "flow", flowName, "status", "FAILED").record(took(runId));
        }
        setStatus(flowName, 0);
        LOG.warn("Warehouse load {} run {} FAILED, the next run goes on from its last committed chunk: {}", flowName,
                runId, error);
    }

    public Map<String, Object> run(@Header("runId") String runId) {
        try {
            return runs.run(Long.parseLong(runId));
        } catch (NumberFormatException e) {
            throw new NoSuchElementException("no warehouse load run " + runId);
        }
    }

    /** GET /api/admin/warehouse/loads?limit=: newest first (the route has checked the limit: 1..history-max). */
    public Map<String, Object> history(@Header("limit") String limit) {
        int n = limit == null || limit.isBlank() ? historyLimit : Math.min(Math.max(Integer.parseInt(limit.trim()), 1), historyMax);
        return Map.of("runs", runs.history(n), "flows", List.copyOf(flows.keySet()));
    }

    private static void closeChunks(Exchange exchange) {
        SourceChunks chunks = exchange.getVariable(CHUNKS, SourceChunks.class);
        if (chunks != null) {
            chunks.close();
        }
    }

    private Duration took(long runId) {
        Long t0 = startedAt.remove(runId);
        return t0 == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - t0);
    }

    private void setStatus(String flow, int status) {
        AtomicInteger s = lastStatus.get(flow);
        if (s != null) {
            s.set(status);
        }
    }

    private Counter counter(String name, WarehouseFlow flow) {
        return meters.counter(name, "flow", flow.name());
    }

    private static String describe(Map<String, Object> row) {
        return row.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
    }
}
