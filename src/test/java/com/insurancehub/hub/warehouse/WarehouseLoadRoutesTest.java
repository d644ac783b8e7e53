package com.insurancehub.hub.warehouse;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith tests of the warehouse routes (D02-D04): a load interrupted mid-chunk - the third chunk's write fails
 * inside its transaction, as a hub killed there would leave it - keeps exactly the two chunks committed before, and
 * the next run goes on from their watermark to exact counts; the schedule queues what it claimed. Chunks of 4 rows.
 */
@RouteDomains("warehouse")
@TestPropertySource(properties = "hub.warehouse.chunk-size=4")
class WarehouseLoadRoutesTest extends RouteTestSupport {

    /** The write of this chunk (1-based) of the next run fails inside its transaction; 0: none fails */
    static final AtomicInteger FAILING_CHUNK = new AtomicInteger();
    static final AtomicInteger CHUNKS = new AtomicInteger();

    @Autowired
    LoadRuns runs;
    @Autowired
    WarehouseDatabases databases;
    final JdbcTemplate source = new JdbcTemplate(DevServices.shared().superuserDataSource());

    @Override
    protected void adviceRoutes() {
        route("run-warehouse-load").from("direct:run-warehouse-load");
        // a row of the failing chunk gets a premium too large for the warehouse's numeric(12,2): its chunk's statement
        // fails after the chunk's dimensions were written, within the chunk's transaction
        route("write-warehouse-chunk").advice(a -> a.weaveById("write-chunk-and-watermark").before().process(e -> {
            if (CHUNKS.incrementAndGet() == FAILING_CHUNK.get()) {
                List<Map<String, Object>> chunk = e.getMessage().getBody(List.class);
                chunk.get(1).put("premium", new BigDecimal("1e15"));
            }
        }));
        route("schedule-warehouse-loads").from("direct:schedule-tick").mockCall("claim-due-runs", "claim-due-runs")
                .mockCall("queue-scheduled-run", "queued-runs");
    }

    @Test
    void aLoadInterruptedMidChunkKeepsItsCommittedChunksAndTheRerunGivesExactCounts() {
        run("policies", 0); // up to date
        Mocks.call("POST", "pas/_admin/generate", "{\"count\":18}");

        Map<String, Object> failed = run("policies", 3);
        assertThat(failed).containsEntry("status", "FAILED").containsEntry("chunks", 2).containsEntry("rowsRead", 8L);
        assertThat((String) failed.get("error")).contains("numeric field overflow");
        JdbcTemplate warehouse = new JdbcTemplate(databases.warehouse());
        assertThat(warehouse.queryForObject("SELECT count(*) FROM fact_policy WHERE run_id = ?", Long.class,
                failed.get("runId"))).as("the two committed chunks, nothing of the third").isEqualTo(8);

        Map<String, Object> rerun = run("policies", 0);
        assertThat(rerun).containsEntry("status", "SUCCEEDED");
        assertThat(rerun.get("watermarkFrom")).as("on from the last committed chunk").isEqualTo(failed.get("watermarkTo"));
        long total = source.queryForObject("""
                SELECT count(*) FROM pas.policies WHERE (updated_at, policy_id) > (?::timestamptz, ?)
                  AND (updated_at, policy_id) <= (?::timestamptz, ?)""", Long.class,
                bound(failed, "watermarkFrom"), key(failed, "watermarkFrom"), bound(rerun, "watermarkTo"), key(rerun, "watermarkTo"));
        assertThat(total).isGreaterThanOrEqualTo(18);
        assertThat(8 + (Long) rerun.get("rowsRead")).as("every changed row read once over both runs").isEqualTo(total);
        assertThat(warehouse.queryForObject("SELECT count(*) FROM fact_policy WHERE run_id IN (?, ?)", Long.class,
                failed.get("runId"), rerun.get("runId"))).isEqualTo(total);

        assertThat(run("policies", 0)).as("and again: nothing new").containsEntry("rowsWritten", 0L);
    }

    @Test
    void theScheduleQueuesEachRunItClaimed() throws Exception {
        answer("claim-due-runs", "").whenAnyExchangeReceived(e -> e.getMessage().setBody(
                List.of(Map.of("flow", "policies", "runId", 41L), Map.of("flow", "billing", "runId", 42L))));
        MockEndpoint queued = mock("queued-runs");
        queued.expectedMessageCount(2);
        queued.message(0).header("flow").isEqualTo("policies");
        queued.message(0).header("runId").isEqualTo("41");
        queued.message(1).header("flow").isEqualTo("billing");

        template.sendBody("direct:schedule-tick", null);

        queued.assertIsSatisfied();
    }

    private Map<String, Object> run(String flow, int failingChunk) {
        FAILING_CHUNK.set(failingChunk);
        CHUNKS.set(0);
        LoadRuns.Claim claim = runs.claim(flow, "API", null);
        assertThat(claim.claimed()).isTrue();
        template.sendBodyAndHeaders("direct:run-warehouse-load", null, Map.of("flow", flow, "runId", claim.runId()));
        return runs.run(claim.runId());
    }

    private static String bound(Map<String, Object> run, String which) {
        Object at = ((Map<?, ?>) run.get(which)).get("changedAt");
        return at == null ? "-infinity" : at.toString();
    }

    private static String key(Map<String, Object> run, String which) {
        Object key = ((Map<?, ?>) run.get(which)).get("key");
        return key == null ? "" : key.toString();
    }
}
