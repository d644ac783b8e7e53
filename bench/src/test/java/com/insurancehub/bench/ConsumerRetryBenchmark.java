package com.insurancehub.bench;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * How long a failing system holds back the events behind the failing one (issue 10: "consumer retries hold their
 * partition"), against a running stack ({@code bench/run-event-benchmarks.sh retry} starts one). It plays PAS through
 * its API: {@code policies} policies created and issued at {@code rate} per second, one PolicyCreated each, while
 * Billing fails {@code errorRate} of its calls (its {@code _admin/faults} switch). The hub's
 * {@code policy-created-to-billing} turns each PolicyCreated into the policy's first invoice. The delay of a policy
 * is its invoice's {@code created_at} minus its PolicyCreated outbox row's {@code created_at} (both the database's
 * clock); a policy still without invoice {@code settle} seconds after the last one was issued counts as
 * dead-lettered. Billing's fault switch is set back to no faults at the end.
 *
 * <p>Arguments: {@code key=value...} with keys mocksUrl, jdbcUrl, user, password (default: PGPASSWORD), policies
 * [100], rate [2], errorRate [0.3], settle [120], summaryFile. Writes a JSON summary and prints it.
 */
public final class ConsumerRetryBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, String> args;

    private ConsumerRetryBenchmark(Map<String, String> args) {
        this.args = args;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String arg : argv) {
            String[] kv = arg.split("=", 2);
            args.put(kv[0], kv[1]);
        }
        Map<String, Object> summary = new ConsumerRetryBenchmark(args).run();
        String json = JSON.writeValueAsString(summary);
        if (args.containsKey("summaryFile")) {
            Files.writeString(Path.of(args.get("summaryFile")), json);
        }
        System.out.println(json);
    }

    private String arg(String key, String fallback) {
        return args.getOrDefault(key, fallback);
    }

    private Map<String, Object> run() throws Exception {
        String mocks = arg("mocksUrl", "http://localhost:8090");
        int policies = Integer.parseInt(arg("policies", "100"));
        double rate = Double.parseDouble(arg("rate", "2"));
        double errorRate = Double.parseDouble(arg("errorRate", "0.3"));
        long settle = Long.parseLong(arg("settle", "120"));
        String customerId = call(mocks, "POST", "/customers/customers", """
                {"firstName":"Retry","lastName":"Bench","email":"retry-bench-%s@example.com","birthDate":"1980-01-01"}"""
                .formatted(UUID.randomUUID())).get("customerId").asText();
        faults(mocks, errorRate);
        List<String> policyIds = new ArrayList<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        try (Connection db = DriverManager.getConnection(arg("jdbcUrl", "jdbc:postgresql://localhost:15432/insurance"),
                arg("user", "postgres"), arg("password", System.getenv("PGPASSWORD")))) {
            long start = System.nanoTime();
            long interval = (long) (1_000_000_000L / rate);
            for (int i = 0; i < policies; i++) {
                LockSupport.parkNanos(start + i * interval - System.nanoTime());
                String policyId = call(mocks, "POST", "/pas/policies", """
                        {"quoteId":"Q-retry-bench-%s","customerId":"%s","product":"HOME","premium":321.00,"currency":"EUR"}"""
                        .formatted(UUID.randomUUID(), customerId)).get("policyId").asText();
                call(mocks, "POST", "/pas/policies/" + policyId + "/issuance", "{}");
                policyIds.add(policyId);
            }
            long issuedAt = System.nanoTime();
            Map<String, Long> delays = Map.of();
            while (System.nanoTime() - issuedAt < TimeUnit.SECONDS.toNanos(settle)) {
                delays = delays(db, policyIds);
                if (delays.size() == policyIds.size()) {
                    break;
                }
                Thread.sleep(500);
            }
            summary.put("policies", policies);
            summary.put("ratePerSecond", rate);
            summary.put("billingErrorRate", errorRate);
            summary.put("issuedInSeconds", Math.round((issuedAt - start) / 1e7) / 100.0);
            summary.put("invoiced", delays.size());
            summary.put("withoutInvoice", policyIds.size() - delays.size());
            List<Long> sorted = new ArrayList<>(delays.values());
            Collections.sort(sorted);
            summary.put("p50Ms", percentile(sorted, 50));
            summary.put("p90Ms", percentile(sorted, 90));
            summary.put("p99Ms", percentile(sorted, 99));
            summary.put("maxMs", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1));
            summary.put("meanMs", sorted.stream().mapToLong(Long::longValue).average().stream().mapToObj(Math::round)
                    .findFirst().orElse(null));
            // in issue order: a queue that grows shows as delays that grow along the run
            List<Long> inOrder = policyIds.stream().filter(delays::containsKey).map(delays::get).toList();
            int tenth = Math.max(1, inOrder.size() / 10);
            summary.put("meanOfFirstTenthMs", mean(inOrder.subList(0, tenth)));
            summary.put("meanOfLastTenthMs", mean(inOrder.subList(inOrder.size() - tenth, inOrder.size())));
        } finally {
            faults(mocks, 0);
        }
        JsonNode stats = call(mocks, "GET", "/billing/_admin/stats", null);
        summary.put("billingRequests", stats.get("requests").asLong());
        summary.put("billingFailures", stats.get("failures").asLong());
        return summary;
    }

    /** Policy id -> its first invoice's delay after its PolicyCreated row (ms), for the policies invoiced so far. */
    private static Map<String, Long> delays(Connection db, List<String> policyIds) throws Exception {
        Map<String, Long> delays = new HashMap<>();
        try (PreparedStatement query = db.prepareStatement("""
                SELECT o.aggregate_id, (extract(epoch FROM min(i.created_at) - o.created_at) * 1000)::bigint
                FROM pas.outbox o JOIN billing.invoices i ON i.policy_id = o.aggregate_id
                WHERE o.event_type = 'PolicyCreated' AND o.aggregate_id = ANY (?)
                GROUP BY o.aggregate_id, o.created_at""")) {
            Array ids = db.createArrayOf("varchar", policyIds.toArray());
            query.setArray(1, ids);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    delays.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return delays;
    }

    private static Long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static Long mean(List<Long> values) {
        return values.isEmpty() ? null : Math.round(values.stream().mapToLong(Long::longValue).average().orElse(0));
    }

    private static void faults(String mocks, double errorRate) throws Exception {
        call(mocks, "PUT", "/billing/_admin/faults",
                "{\"latencyMs\":0,\"errorRate\":" + BigDecimal.valueOf(errorRate).toPlainString() + ",\"down\":false}");
    }

    private static JsonNode call(String base, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}
