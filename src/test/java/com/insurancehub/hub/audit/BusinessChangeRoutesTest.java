package com.insurancehub.hub.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import com.insurancehub.dev.DevServices;

import com.insurancehub.hub.platform.cdc.BusinessChange;
import com.insurancehub.hub.platform.cdc.BusinessChangeCaptureRoutes;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

/**
 * AdviceWith test of D05/D06: the capture route fed batches from a direct endpoint instead of Debezium (a replayed
 * batch records nothing twice, and counts nothing twice in the reports), its leadership route run one round at a time
 * under a lock name of its own (the shared integration context holds the real one), the audit trail's and the reports'
 * API routes called directly.
 */
@TestPropertySource(properties = "hub.cdc.leadership.lock-name=capture leadership route test")
@RouteDomains({"audit", "reports"})
class BusinessChangeRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JdbcTemplate jdbc;

    @Override
    protected void adviceRoutes() {
        route(BusinessChangeCaptureRoutes.ROUTE_ID).from("direct:changes");
        route("keep-business-change-capture-leadership").from("direct:check-capture-leadership");
    }

    @Test
    void theCaptureStartsOnlyOnTheInstanceHoldingItsLock() throws Exception {
        camelContext.getRouteController().stopRoute(BusinessChangeCaptureRoutes.ROUTE_ID); // started by the other test
        try (Connection otherInstance = DevServices.shared().superuserConnection()) {
            assertThat(lock(otherInstance, "pg_try_advisory_lock")).isTrue();
            template.sendBody("direct:check-capture-leadership", null);
            assertThat(captureStatus()).isEqualTo(ServiceStatus.Stopped);

            assertThat(lock(otherInstance, "pg_advisory_unlock")).isTrue();
            template.sendBody("direct:check-capture-leadership", null);
            assertThat(captureStatus()).isEqualTo(ServiceStatus.Started);
            assertThat(lock(otherInstance, "pg_try_advisory_lock")).as("held by this instance").isFalse();
        }
    }

    @Test
    void aReplayedBatchIsRecordedAndCountedOnceAndTheHistoryComesInWalOrder() throws Exception {
        if (captureStatus() != ServiceStatus.Started) {
            camelContext.getRouteController().startRoute(BusinessChangeCaptureRoutes.ROUTE_ID); // as its leadership does
        }
        String policyId = "P-" + UUID.randomUUID();
        String product = "ADV-" + policyId.substring(2, 10);
        long lsn = 0x7F000000L + (long) (Math.random() * 1_000_000) * 16;
        String issued = policy(policyId, product, "ISSUED");
        String active = policy(policyId, product, "ACTIVE");
        List<BusinessChange> batch = List.of(
                change(policyId, "c", null, issued, List.of("policy_id", "status"), lsn),
                change(policyId, "u", issued, active, List.of("status"), lsn + 8),
                new BusinessChange("relay.outbox_heartbeat", null, "u", null, null, List.of(), null,
                        lsnText(lsn + 16), Instant.parse("2026-11-30T10:00:02Z"), null, true));

        template.sendBody("direct:changes", batch);
        template.sendBody("direct:changes", batch); // replayed after a crash before its offsets were stored

        assertThat(jdbc.queryForObject("SELECT count(*) FROM hub.audit_trail WHERE row_key = ?", Integer.class, policyId))
                .isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT policies FROM hub.report_premium_by_product WHERE product = ?",
                Integer.class, product)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT CAST(lsn AS text) FROM hub.change_capture_position WHERE capture = ?",
                String.class, BusinessChangeCaptureRoutes.CAPTURE)).isNotNull();

        Exchange answer = template.request("direct:read-row-history", e -> {
            e.getMessage().setHeader("table", "pas.policies");
            e.getMessage().setHeader("key", policyId);
        });
        JsonNode entries = JSON.readTree(answer.getMessage().getBody(String.class)).get("entries");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("operation").asText()).isEqualTo("c");
        assertThat(entries.get(1).get("before").get("status").asText()).isEqualTo("ISSUED");
        assertThat(entries.get(1).get("after").get("status").asText()).isEqualTo("ACTIVE");
        assertThat(entries.get(1).get("changedColumns").get(0).asText()).isEqualTo("status");

        JsonNode products = JSON.readTree(template.requestBody("direct:report-premium-by-product", null, String.class));
        assertThat(products.get("asOf").isNull()).isFalse();
        assertThat(products.get("lastAppliedLsn").asText()).contains("/");
    }

    @Test
    void aMissingOrUncapturedTableAndAReversedRangeAre400sNamingTheParameter() throws Exception {
        Exchange noTable = template.request("direct:read-row-history", e -> e.getMessage().setHeader("key", "P-1"));
        assertProblem(noTable, "table");
        Exchange outbox = template.request("direct:read-row-history", e -> {
            e.getMessage().setHeader("table", "pas.outbox");
            e.getMessage().setHeader("key", "P-1");
        });
        assertProblem(outbox, "table");
        Exchange reversed = template.request("direct:report-policies-per-hour", e -> {
            e.getMessage().setHeader("from", "2026-11-30T10:00:00Z");
            e.getMessage().setHeader("to", "2026-11-30T09:00:00Z");
        });
        assertProblem(reversed, "to");
        Exchange open = template.request("direct:report-open-claims", e -> { });
        assertThat(JSON.readTree(open.getMessage().getBody(String.class)).get("openClaims").isNumber()).isTrue();
    }

    private ServiceStatus captureStatus() {
        return camelContext.getRouteController().getRouteStatus(BusinessChangeCaptureRoutes.ROUTE_ID);
    }

    private static boolean lock(Connection connection, String function) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + function + "(hashtext(?))")) {
            statement.setString(1, "capture leadership route test");
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    private static void assertProblem(Exchange answer, String parameter) throws Exception {
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(400);
        JsonNode problem = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo(parameter);
    }

    private static String policy(String policyId, String product, String status) {
        return JSON.createObjectNode().put("policy_id", policyId).put("product", product).put("premium", 99.5)
                .put("currency", "EUR").put("status", status).put("created_at", "2002-03-04T05:06:07Z").toString();
    }

    private static BusinessChange change(String key, String operation, String before, String after, List<String> columns,
                                         long lsn) {
        return new BusinessChange("pas.policies", key, operation, before, after, columns, 4242L, lsnText(lsn),
                Instant.parse("2026-11-30T10:00:00Z"), "pas", false);
    }

    private static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
