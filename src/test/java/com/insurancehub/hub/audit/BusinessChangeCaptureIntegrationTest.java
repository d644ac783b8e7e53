package com.insurancehub.hub.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DatabaseRoles;
import com.insurancehub.dev.DevServices;
import com.insurancehub.dev.EmbeddedPostgresServer;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Tokens;
import com.insurancehub.testing.JsonHttp.Response;

/**
 * D06 + D05 on the real capture: changes made directly in SQL (no API involved) reach the audit trail with their before
 * and after images, and the real-time reports, whose freshness moves with them.
 */
@HubIntegrationTest
class BusinessChangeCaptureIntegrationTest {

    private static final Duration CAPTURED = Duration.ofSeconds(20);

    /** The database owner, acting as PAS or Claims (SET ROLE to the systems' role) or as a DBA (itself) */
    final JdbcTemplate owner = new JdbcTemplate(DevServices.shared().superuserDataSource());
    @Value("${local.server.port}")
    int port;

    @Test
    void aDirectSqlStatusUpdateAndDeleteAreAuditedWithBothImagesInOrder() {
        HubApi api = new HubApi(port);
        String policyId = "P-" + UUID.randomUUID();
        String product = "CDC-" + policyId.substring(2, 10);
        asSystem("INSERT INTO pas.policies (policy_id, policy_number, quote_id, customer_id, product, premium, currency,"
                + " status, version, created_at) VALUES (?, ?, ?, 'C-audit', ?, 120.50, 'EUR', 'ISSUED', 1,"
                + " '2003-02-03T04:05:00Z')", policyId, "N" + policyId.substring(2, 14), "Q-" + policyId, product);
        owner.update("UPDATE pas.policies SET status = 'ACTIVE', version = 2 WHERE policy_id = ?", policyId);

        JsonNode history = await().atMost(CAPTURED).until(() -> history(api, policyId), h -> h.size() == 2);
        JsonNode insert = history.get(0);
        JsonNode update = history.get(1);
        assertThat(insert.get("operation").asText()).isEqualTo("c");
        assertThat(insert.get("after").get("status").asText()).isEqualTo("ISSUED");
        assertThat(insert.get("changedBy").asText()).as("written by PAS's own role").isEqualTo("pas");
        assertThat(update.get("operation").asText()).isEqualTo("u");
        assertThat(update.get("before").get("status").asText()).isEqualTo("ISSUED");
        assertThat(update.get("after").get("status").asText()).isEqualTo("ACTIVE");
        assertThat(update.get("before").get("premium").decimalValue()).isEqualByComparingTo("120.50");
        assertThat(texts(update.get("changedColumns"))).contains("status", "version").doesNotContain("premium", "product");
        assertThat(update.get("changedBy").asText()).as("a direct SQL change by another role").isEqualTo(EmbeddedPostgresServer.SUPERUSER);
        assertThat(update.get("transactionId").asLong()).isNotEqualTo(insert.get("transactionId").asLong());
        assertThat(Instant.parse(update.get("commitTime").asText())).isAfterOrEqualTo(Instant.parse(insert.get("commitTime").asText()));

        owner.update("DELETE FROM pas.policies WHERE policy_id = ?", policyId);
        history = await().atMost(CAPTURED).until(() -> history(api, policyId), h -> h.size() == 3);
        JsonNode delete = history.get(2);
        assertThat(delete.get("operation").asText()).isEqualTo("d");
        assertThat(delete.get("after").isNull()).isTrue();
        assertThat(delete.get("before").get("status").asText()).isEqualTo("ACTIVE");
        assertThat(delete.get("before").get("product").asText()).isEqualTo(product);
        List<String> lsns = new ArrayList<>();
        history.forEach(entry -> lsns.add(entry.get("lsn").asText()));
        assertThat(lsns).doesNotHaveDuplicates().isSortedAccordingTo(BusinessChangeCaptureIntegrationTest::compareLsn);

        // the capture's slot in health: read, and how much WAL it holds back
        await().atMost(CAPTURED).untilAsserted(() -> {
            JsonNode capture = HubApi.anonymous(port).get("/actuator/health").body()
                    .at("/components/outboxRelays/details/businessChanges");
            assertThat(capture.get("running").asBoolean()).isTrue();
            assertThat(capture.get("lagBytes").isNumber()).isTrue();
        });
    }

    @Test
    void aCommittedChangeShowsInTheReportsAndMovesTheirFreshness() {
        HubApi api = new HubApi(port);
        String policyId = "P-" + UUID.randomUUID();
        String product = "RPT-" + policyId.substring(2, 10);
        // an hour no other test creates policies in
        String hour = "2004-0" + (1 + (int) (Math.random() * 9)) + "-1" + (int) (Math.random() * 9) + "T0"
                + (int) (Math.random() * 9) + ":00:00Z";
        Instant before = Instant.now();
        asSystem("INSERT INTO pas.policies (policy_id, policy_number, quote_id, customer_id, product, premium, currency,"
                + " status, version, created_at) VALUES (?, ?, ?, 'C-report', ?, 300.00, 'EUR', 'ISSUED', 1,"
                + " CAST(? AS timestamptz) + interval '7 minutes')",
                policyId, "R" + policyId.substring(2, 14), "Q-" + policyId, product, hour);

        JsonNode perHour = await().atMost(CAPTURED).until(
                () -> api.get("/api/reports/policies-per-hour?from=" + hour + "&to=" + hour.replace(":00:00Z", ":59:59Z")).body(),
                r -> r.get("totalPolicies").asInt() == 1);
        assertThat(perHour.get("hours").get(0).get("premium").decimalValue()).isEqualByComparingTo("300.00");
        assertThat(Instant.parse(perHour.get("asOf").asText())).isAfterOrEqualTo(before.minusSeconds(1));
        assertThat(perHour.get("lastAppliedLsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(product(api.get("/api/reports/premium-by-product").body(), product).get("policies").asInt()).isEqualTo(1);

        // cancelled: no longer in force
        owner.update("UPDATE pas.policies SET status = 'CANCELLED', cancellation_reason = 'test' WHERE policy_id = ?", policyId);
        await().atMost(CAPTURED).until(() -> product(api.get("/api/reports/premium-by-product").body(), product) == null);

        String claimId = "CL-" + UUID.randomUUID();
        asSystem("INSERT INTO claims.claims (claim_id, claim_number, policy_id, customer_id, description, incident_date,"
                + " claimed_amount, currency, status, version) VALUES (?, ?, ?, 'C-report', 'hail', DATE '2026-11-01',"
                + " 900.00, 'XTS', 'OPEN', 1)", claimId, "K" + claimId.substring(3, 15), policyId);
        JsonNode open = await().atMost(CAPTURED).until(() -> api.get("/api/reports/open-claims").body(),
                r -> xts(r) != null);
        assertThat(xts(open).get("claims").asInt()).isEqualTo(1);
        assertThat(xts(open).get("claimedAmount").decimalValue()).isEqualByComparingTo("900.00");
        Instant asOf = Instant.parse(open.get("asOf").asText());

        owner.update("UPDATE claims.claims SET status = 'SETTLED', settled_amount = 900 WHERE claim_id = ?", claimId);
        JsonNode settled = await().atMost(CAPTURED).until(() -> api.get("/api/reports/open-claims").body(),
                r -> xts(r) == null);
        assertThat(Instant.parse(settled.get("asOf").asText())).isAfter(asOf);
    }

    @Test
    void badParametersAreRefusedNamingThemAndEachApiWantsItsScope() {
        HubApi api = new HubApi(port);
        assertProblem(api.get("/api/audit-trail?key=P-1"), "table");
        assertProblem(api.get("/api/audit-trail?table=pas.outbox&key=P-1"), "table");
        assertProblem(api.get("/api/audit-trail?table=pas.policies"), "key");
        assertProblem(api.get("/api/reports/policies-per-hour?from=2026-11-30T10:00:00Z&to=2026-11-30T09:00:00Z"), "to");
        assertProblem(api.get("/api/reports/policies-per-hour?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"), "to");
        assertProblem(api.get("/api/reports/policies-per-hour?from=yesterday"), "from");
        assertProblem(api.get("/api/reports/policies-per-hour?to=2026-02-30T00:00:00Z"), "from");
        assertThat(api.get("/api/audit-trail?table=pas.policies&key=P-none").body().get("entries")).isEmpty();

        HubApi broker = HubApi.withToken(port, Tokens.of("partner-broker", "partner-broker-local-only", "quotes customers policies"));
        assertThat(broker.get("/api/reports/open-claims").status()).isEqualTo(403);
        assertThat(broker.get("/api/audit-trail?table=pas.policies&key=P-1").status()).isEqualTo(403);
        HubApi operator = HubApi.withToken(port, Tokens.of("operator", "operator-local-only", "reports audit"));
        assertThat(operator.get("/api/reports/premium-by-product").status()).isEqualTo(200);
        assertThat(operator.get("/api/audit-trail?table=pas.policies&key=P-1").status()).isEqualTo(200);
    }

    private void asSystem(String sql, Object... args) {
        owner.execute((java.sql.Connection c) -> {
            try (var s = c.createStatement()) {
                s.execute("SET ROLE " + DatabaseRoles.MOCKS);
            }
            try (var insert = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    insert.setObject(i + 1, args[i]);
                }
                insert.executeUpdate();
            } finally {
                try (var s = c.createStatement()) {
                    s.execute("RESET ROLE");
                }
            }
            return null;
        });
    }

    private static JsonNode history(HubApi api, String policyId) {
        Response answer = api.get("/api/audit-trail?table=pas.policies&key=" + policyId);
        assertThat(answer.status()).isEqualTo(200);
        return answer.body().get("entries");
    }

    private static void assertProblem(Response answer, String parameter) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("detail").asText()).contains(parameter);
        assertThat(answer.body().get("errors").get(0).get("field").asText()).isEqualTo(parameter);
    }

    private static JsonNode product(JsonNode report, String product) {
        for (JsonNode p : report.get("products")) {
            if (product.equals(p.get("product").asText())) {
                return p;
            }
        }
        return null;
    }

    private static JsonNode xts(JsonNode report) {
        for (JsonNode s : report.get("byStatus")) {
            if ("XTS".equals(s.get("currency").asText())) {
                return s;
            }
        }
        return null;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static int compareLsn(String a, String b) {
        return Long.compare(lsn(a), lsn(b));
    }

    private static long lsn(String lsn) {
        String[] parts = lsn.split("/");
        return (Long.parseLong(parts[0], 16) << 32) + Long.parseLong(parts[1], 16);
    }
}
