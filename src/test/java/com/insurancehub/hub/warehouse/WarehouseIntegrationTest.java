package com.insurancehub.hub.warehouse;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp.Response;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * D02-D04 on the real stack: the loads copy into the warehouse exactly the source rows changed since the last run
 * (the run's watermarks bound them), a rerun writes nothing of what was loaded, a change at the source shows at the
 * next run, a row that breaks the mapping is recorded with its reason and passed; one run per flow at a time (409),
 * unknown flow 404, scheduled runs claimed once. Source expectations are computed from the run's own watermarks,
 * so that other tests' writes to the same systems never make them wrong.
 */
@HubIntegrationTest
class WarehouseIntegrationTest {

    @LocalServerPort
    int port;
    @Autowired
    WarehouseDatabases databases;
    @Autowired
    LoadRuns runs;
    @Autowired
    WarehouseLoads loads;
    @Autowired
    MeterRegistry meters;
    @Autowired
    org.apache.camel.CamelContext camel;

    /** The systems' tables, as their owner */
    final JdbcTemplate source = new JdbcTemplate(DevServices.shared().superuserDataSource());

    @Test
    void policiesLoadWhatChangedSinceTheLastRunOnceAndAnUpdateShowsAtTheNextRun() {
        HubApi api = new HubApi(port);
        load(api, "policies");
        String stampedAt = generate("pas", 25);

        JsonNode second = load(api, "policies");
        long changed = changedPolicies(second);
        assertThat(changed).isGreaterThanOrEqualTo(25);
        assertThat(second.path("rowsRead").asLong()).isEqualTo(changed);
        assertThat(second.path("rowsWritten").asLong()).isEqualTo(changed - second.path("rowsRejected").asLong());
        JdbcTemplate warehouse = new JdbcTemplate(databases.warehouse());
        long runId = second.path("runId").asLong();
        assertThat(warehouse.queryForObject("SELECT count(*) FROM fact_policy WHERE run_id = ?", Long.class, runId))
                .isEqualTo(second.path("rowsWritten").asLong());
        // the generated policies, as PAS has them: same premiums, customers known to dim_customer with their names
        List<String> generated = source.queryForList("SELECT policy_id FROM pas.policies WHERE updated_at = ?::timestamptz",
                String.class, stampedAt);
        assertThat(generated).hasSize(25);
        assertThat(warehouse.queryForObject("""
                SELECT count(*) FROM fact_policy f JOIN dim_customer c ON c.customer_id = f.customer_id
                WHERE f.policy_id = ANY (?) AND f.run_id = ? AND c.last_name IS NOT NULL""", Long.class,
                generated.toArray(String[]::new), runId)).isEqualTo(25);
        assertThat(warehouse.queryForObject("SELECT sum(premium) FROM fact_policy WHERE policy_id = ANY (?)",
                java.math.BigDecimal.class, (Object) generated.toArray(String[]::new)))
                .isEqualByComparingTo(source.queryForObject("SELECT sum(premium) FROM pas.policies WHERE policy_id = ANY (?)",
                        java.math.BigDecimal.class, (Object) generated.toArray(String[]::new)));

        // a rerun: only what changed since (nothing of the 25)
        JsonNode third = load(api, "policies");
        assertThat(third.path("rowsRead").asLong()).isEqualTo(changedPolicies(third));
        assertThat(warehouse.queryForObject("SELECT count(*) FROM fact_policy WHERE run_id = ? AND policy_id = ANY (?)",
                Long.class, third.path("runId").asLong(), generated.toArray(String[]::new))).isZero();

        // an UPDATE made at the source (not through any API) shows at the next run
        String cancelled = generated.get(0);
        source.update("UPDATE pas.policies SET status = 'CANCELLED', cancellation_reason = 'FRAUD', version = version + 1,"
                + " updated_at = now() WHERE policy_id = ?", cancelled);
        JsonNode fourth = load(api, "policies");
        assertThat(warehouse.queryForMap("SELECT status, cancellation_reason, run_id FROM fact_policy WHERE policy_id = ?",
                cancelled)).containsEntry("status", "CANCELLED").containsEntry("cancellation_reason", "FRAUD")
                .containsEntry("run_id", fourth.path("runId").asLong());
        assertThat(meters.counter("hub.warehouse.rows.written", "flow", "policies").count()).isGreaterThanOrEqualTo(26);
        assertThat(meters.get("hub.warehouse.last.status").tag("flow", "policies").gauge().value()).isEqualTo(1);
    }

    @Test
    void aRowThatBreaksTheMappingIsRecordedWithItsReasonAndTheLoadGoesOn() {
        HubApi api = new HubApi(port);
        String policyId = "P-reject-" + ThreadLocalRandom.current().nextInt(1_000_000);
        source.update("""
                INSERT INTO pas.policies (policy_id, policy_number, quote_id, customer_id, product, premium, currency, status, version)
                VALUES (?, 'REJ-' || lpad(nextval('pas.policy_numbers')::text, 8, '0'), ?, 'CUS-x', 'AUTO', 100, 'eur', 'ISSUED', 1)""",
                policyId, "Q-" + policyId);
        generate("pas", 3);

        JsonNode run = load(api, "policies");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("rowsRejected").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(run.path("rowsWritten").asLong()).isGreaterThanOrEqualTo(3);
        JsonNode reject = null;
        for (JsonNode r : run.path("rejects")) {
            if (r.path("sourceKey").asText().equals(policyId)) {
                reject = r;
            }
        }
        assertThat(reject).as(run.toString()).isNotNull();
        assertThat(reject.path("reason").asText()).isEqualTo("currency 'eur' is not an ISO 4217 code");
        JdbcTemplate warehouse = new JdbcTemplate(databases.warehouse());
        assertThat(warehouse.queryForObject("SELECT count(*) FROM fact_policy WHERE policy_id = ?", Long.class, policyId)).isZero();

        // fixed at the source: loaded at the next run
        source.update("UPDATE pas.policies SET currency = 'EUR', updated_at = now() WHERE policy_id = ?", policyId);
        load(api, "policies");
        assertThat(warehouse.queryForObject("SELECT currency FROM fact_policy WHERE policy_id = ?", String.class, policyId))
                .isEqualTo("EUR");
    }

    @Test
    void claimsAndBillingMovementsLoadOnceByTheirBusinessKeys() {
        HubApi api = new HubApi(port);
        generate("pas", 10);
        load(api, "claims");
        load(api, "billing");
        String claimsAt = generate("claims", 12);
        String billingAt = generate("billing", 30);

        JsonNode claims = load(api, "claims");
        assertThat(claims.path("rowsRead").asLong()).isEqualTo(source.queryForObject("""
                SELECT count(*) FROM claims.claims WHERE (updated_at, claim_id) > (?::timestamptz, ?)
                  AND (updated_at, claim_id) <= (?::timestamptz, ?)""", Long.class, watermark(claims, "watermarkFrom")));
        JsonNode billing = load(api, "billing");
        JdbcTemplate warehouse = new JdbcTemplate(databases.warehouse());
        assertThat(warehouse.queryForObject("""
                SELECT count(*) FROM fact_claim WHERE run_id = ? AND source_updated_at = ?::timestamptz""", Long.class,
                claims.path("runId").asLong(), claimsAt)).isEqualTo(12);
        assertThat(warehouse.queryForList("""
                SELECT transaction_type FROM fact_billing_transaction WHERE run_id = ? AND source_changed_at = ?::timestamptz""",
                String.class, billing.path("runId").asLong(), billingAt))
                .filteredOn("INVOICE"::equals).hasSize(15);
        assertThat(warehouse.queryForObject("""
                SELECT count(*) FROM fact_billing_transaction WHERE transaction_type = 'PAYMENT' AND source_changed_at = ?::timestamptz""",
                Long.class, billingAt)).isEqualTo(15);

        JsonNode rerun = load(api, "billing");
        assertThat(warehouse.queryForObject("SELECT count(*) FROM fact_billing_transaction WHERE run_id = ?", Long.class,
                rerun.path("runId").asLong())).isEqualTo(rerun.path("rowsWritten").asLong());
        assertThat(warehouse.queryForObject("""
                SELECT count(*) FROM fact_billing_transaction WHERE run_id = ? AND source_changed_at = ?::timestamptz""",
                Long.class, rerun.path("runId").asLong(), billingAt)).isZero();
    }

    @Test
    void oneRunPerFlowAtATimeAcrossInstancesAndARunLeftByADeadHubDoesNotBlock() {
        HubApi api = new HubApi(port);
        // another instance holds the claims flow
        LoadRuns.Claim other = runs.claim("claims", "API", null);
        assertThat(other.claimed()).isTrue();
        try {
            Response refused = api.post("/api/admin/warehouse/loads/claims", "");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.text("reason")).isEqualTo("WAREHOUSE_LOAD_RUNNING");
            assertThat(refused.text("detail")).contains("run " + other.runId());

            // that instance died: no heartbeat for longer than the lease
            new JdbcTemplate(databases.warehouse()).update(
                    "UPDATE load_runs SET heartbeat_at = now() - interval '1 day' WHERE run_id = ?", other.runId());
            JsonNode next = load(api, "claims");
            assertThat(next.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(runs.run(other.runId())).containsEntry("status", "ABANDONED");
        } finally {
            runs.finish(other.runId(), "FAILED", "test");
        }
    }

    @Test
    void theScheduleClaimsEachFlowOnceForItsCronTimeWhicheverInstanceAsks() {
        // a day of its own in the past: the cron's time that day, seen from two instances a few seconds apart
        ZonedDateTime day = ZonedDateTime.of(2001, 1, 1, 0, 0, 0, 0, ZoneId.systemDefault())
                .plusDays(ThreadLocalRandom.current().nextInt(3000));
        ZonedDateTime due = loads.lastFireTime(day.plusHours(23));
        List<Map<String, Object>> first = loads.claimDueAt(due.plusSeconds(40));
        try {
            assertThat(first).extracting(m -> m.get("flow")).containsExactly("policies", "claims", "billing");
            assertThat(loads.claimDueAt(due.plusSeconds(45))).as("the other instance").isEmpty();
            assertThat(loads.claimDueAt(due.plusDays(1).plusHours(13))).as("past the catch-up time").isEmpty();
        } finally {
            first.forEach(m -> runs.finish((Long) m.get("runId"), "FAILED", "test: claimed only"));
        }
        assertThat(loads.claimDueAt(due.plusSeconds(50))).as("once per cron time, even after that run ended").isEmpty();
        // the schedule's own route binds to the bean (its ticks never come in a test run: the claims are given back)
        List<Map<String, Object>> viaRoute = camel.createProducerTemplate()
                .requestBody("direct:claim-due-warehouse-runs", null, List.class);
        assertThat(viaRoute).isNotNull();
        JdbcTemplate warehouse = new JdbcTemplate(databases.warehouse());
        viaRoute.forEach(m -> warehouse.update("DELETE FROM load_runs WHERE run_id = ?", m.get("runId")));
    }

    @Test
    void unknownFlowsRunsAndBadLimitsAreProblems() {
        HubApi api = new HubApi(port);
        Response unknown = api.post("/api/admin/warehouse/loads/premiums", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.text("detail")).contains("premiums");
        assertThat(api.get("/api/admin/warehouse/loads/999999999").status()).isEqualTo(404);
        Response badLimit = api.get("/api/admin/warehouse/loads?limit=many");
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.body().toString()).contains("limit");
        assertThat(api.get("/api/admin/warehouse/loads?limit=0").status()).isEqualTo(400);

        load(api, "claims");
        load(api, "billing");
        JsonNode history = api.get("/api/admin/warehouse/loads?limit=2").body();
        assertThat(history.path("runs")).as(history.toString()).hasSize(2);
        assertThat(history.path("runs").get(0).path("runId").asLong())
                .isGreaterThan(history.path("runs").get(1).path("runId").asLong());
        assertThat(HubApi.anonymous(port).get("/api/admin/warehouse/loads").status()).isEqualTo(401);
    }

    /** The system's volume generator: count new rows; answers their change time. */
    static String generate(String system, int count) {
        Response generated = Mocks.call("POST", system + "/_admin/generate", "{\"count\":" + count + "}");
        assertThat(generated.status()).as(String.valueOf(generated.body())).isEqualTo(200);
        return generated.text("stampedAt");
    }

    /** Runs the flow now through the API and waits for the run to end; answers the run. */
    static JsonNode load(HubApi api, String flow) {
        Response started = api.post("/api/admin/warehouse/loads/" + flow, "");
        assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(202);
        long runId = started.body().path("runId").asLong();
        assertThat(started.header("Location")).isEqualTo("/api/admin/warehouse/loads/" + runId);
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            run[0] = api.get("/api/admin/warehouse/loads/" + runId).body();
            return !"RUNNING".equals(run[0].path("status").asText());
        });
        assertThat(run[0].path("status").asText()).as(run[0].toString()).isEqualTo("SUCCEEDED");
        return run[0];
    }

    private long changedPolicies(JsonNode run) {
        return source.queryForObject("""
                SELECT count(*) FROM pas.policies WHERE (updated_at, policy_id) > (?::timestamptz, ?)
                  AND (updated_at, policy_id) <= (?::timestamptz, ?)""", Long.class, watermark(run, "watermarkFrom"));
    }

    /** The run's watermarks as (from time, from key, to time, to key); a first load's from is -infinity. */
    private static Object[] watermark(JsonNode run, String from) {
        JsonNode f = run.path(from);
        JsonNode t = run.path("watermarkTo");
        return new Object[] {f.path("changedAt").isNull() ? "-infinity" : f.path("changedAt").asText(),
                f.path("key").isNull() ? "" : f.path("key").asText(),
                t.path("changedAt").isNull() ? "-infinity" : t.path("changedAt").asText(),
                t.path("key").isNull() ? "" : t.path("key").asText()};
    }
}
