package com.insurancehub.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * D05/D06 latency (docs/performance.md, "The CDC audit trail and the real-time reports"). Changes committed directly in
 * PAS's table (as PAS's role: the capture does not care who writes) at {@code rate} per second, one per transaction:
 *
 * <ul>
 *   <li>{@code report}: policy INSERTs (each one lands in premium-by-product and policies-per-hour);</li>
 *   <li>{@code audit}: status UPDATEs of {@code policies} existing policies, as the database owner (a DBA's SQL).</li>
 * </ul>
 *
 * Two measures over {@code duration} s after {@code warmup} s: (1) every change, on the database's one clock: its
 * commit time in the WAL to the time the hub's transaction recorded it (audit entry and report rows are written in that
 * one transaction, which commits right after); (2) end to end through the API, every {@code probeEvery} ms one more
 * change whose commit returned at t0, then the API polled every {@code pollEvery} ms until it shows it
 * ({@code /api/reports/premium-by-product} lists the probe's own product; {@code /api/audit-trail} lists the UPDATE).
 *
 * <p>Arguments key=value: jdbcUrl, user [postgres] (password: PGPASSWORD), hubUrl, mode [report|audit], rate [500],
 * warmup [20], duration [60], policies [500], probeEvery [200], pollEvery [2], summaryFile. Token: system properties
 * of {@link ClientCredentialsToken} (client operator, scope "reports audit").
 */
public final class CdcBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSERT = "INSERT INTO pas.policies (policy_id, policy_number, quote_id, customer_id,"
            + " product, premium, currency, status, version) VALUES (?, ?, ?, 'C-bench', ?, 100.00, 'EUR', 'ISSUED', 1)";
    private static final String UPDATE = "UPDATE pas.policies SET status = CASE status WHEN 'ISSUED' THEN 'ACTIVE'"
            + " ELSE 'ISSUED' END, version = version + 1 WHERE policy_id = ?";

    private final Map<String, String> args;
    private final String run = Long.toString(System.currentTimeMillis() % 100_000_000, 36);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ClientCredentialsToken token;
    private final AtomicLong sequence = new AtomicLong();

    private CdcBenchmark(Map<String, String> args) {
        this.args = args;
        this.token = ClientCredentialsToken.fromSystemProperties("reports audit").start();
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            String[] kv = a.split("=", 2);
            args.put(kv[0], kv[1]);
        }
        CdcBenchmark bench = new CdcBenchmark(args);
        Map<String, Object> summary = bench.measure();
        String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary);
        System.out.println(text);
        if (args.containsKey("summaryFile")) {
            Files.writeString(Path.of(args.get("summaryFile")), text);
        }
        bench.token.close();
    }

    private Map<String, Object> measure() throws Exception {
        String mode = args.getOrDefault("mode", "report");
        double rate = Double.parseDouble(args.getOrDefault("rate", "500"));
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "20"));
        int duration = Integer.parseInt(args.getOrDefault("duration", "60"));
        boolean audit = "audit".equals(mode);
        List<String> policies = audit ? createPolicies(Integer.parseInt(args.getOrDefault("policies", "500"))) : List.of();

        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Long> apiLatencies = Collections.synchronizedList(new ArrayList<>());
        int[] probeMisses = {0};
        Thread probe = new Thread(() -> probe(audit, policies, measuring, running, apiLatencies, probeMisses), "cdc-probe");
        probe.setDaemon(true);

        long interval = (long) (1e9 / rate);
        long total = (long) ((warmup + duration) * rate);
        long warmupChanges = (long) (warmup * rate);
        int behind = 0;
        Instant measuredFrom = null;
        Instant measuredTo;
        try (Connection c = connection(audit); PreparedStatement statement = c.prepareStatement(audit ? UPDATE : INSERT)) {
            probe.start();
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -interval) {
                    behind++;
                }
                if (i == warmupChanges) {
                    measuredFrom = Instant.now();
                    measuring.set(true);
                }
                if (audit) {
                    statement.setString(1, policies.get(ThreadLocalRandom.current().nextInt(policies.size())));
                } else {
                    bindInsert(statement, "BENCH-" + run);
                }
                statement.executeUpdate();
            }
            measuredTo = Instant.now();
            measuring.set(false);
        }
        running.set(false);
        probe.join(10_000);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", mode);
        summary.put("rate", rate);
        summary.put("measuredSeconds", duration);
        summary.put("writerBehindSchedule", behind);
        summary.putAll(databaseLatencies(audit, measuredFrom, measuredTo, (long) (duration * rate)));
        List<Long> sorted = new ArrayList<>(apiLatencies);
        Collections.sort(sorted);
        summary.put("apiProbes", sorted.size());
        summary.put("apiProbesNotSeenIn5s", probeMisses[0]);
        summary.put("apiP50Ms", Percentiles.ms(sorted, 50));
        summary.put("apiP95Ms", Percentiles.ms(sorted, 95));
        summary.put("apiP99Ms", Percentiles.ms(sorted, 99));
        summary.put("apiMaxMs", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1) / 1e6);
        return summary;
    }

    /** Every change of the measured window: WAL commit time to the hub's recording, both on the database's clock. */
    private Map<String, Object> databaseLatencies(boolean audit, Instant from, Instant to, long expected) throws Exception {
        String sql = "SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY d), percentile_disc(0.95) WITHIN GROUP"
                + " (ORDER BY d), percentile_disc(0.99) WITHIN GROUP (ORDER BY d), max(d) FROM (SELECT"
                + " extract(epoch FROM recorded_at - commit_time) * 1000 AS d FROM hub.audit_trail"
                + " WHERE source_table = 'pas.policies' AND operation = ? AND commit_time BETWEEN ? AND ?"
                + (audit ? " AND row_key LIKE ?" : " AND after ->> 'product' = ?") + ") l";
        Map<String, Object> result = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection c = connection(true); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, audit ? "u" : "c");
            s.setTimestamp(2, Timestamp.from(from));
            s.setTimestamp(3, Timestamp.from(to));
            s.setString(4, audit ? "P-bench-" + run + "-%" : "BENCH-" + run);
            while (true) {
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    long count = r.getLong(1);
                    if (count >= expected || System.nanoTime() > deadline) {
                        result.put("changesRecorded", count);
                        result.put("changesCommitted", expected);
                        result.put("dbP50Ms", round(r.getDouble(2)));
                        result.put("dbP95Ms", round(r.getDouble(3)));
                        result.put("dbP99Ms", round(r.getDouble(4)));
                        result.put("dbMaxMs", round(r.getDouble(5)));
                        return result;
                    }
                }
                Thread.sleep(200);
            }
        }
    }

    private void probe(boolean audit, List<String> policies, AtomicBoolean measuring, AtomicBoolean running,
                       List<Long> latencies, int[] misses) {
        long every = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args.getOrDefault("probeEvery", "200")));
        long poll = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args.getOrDefault("pollEvery", "2")));
        try (Connection c = connection(audit); PreparedStatement insert = c.prepareStatement(INSERT);
             PreparedStatement update = c.prepareStatement(UPDATE)) {
            int n = 0;
            while (running.get()) {
                long next = System.nanoTime() + every;
                boolean measured = measuring.get();
                String product = "PROBE-" + run + "-" + (n++);
                String policyId = audit ? policies.get(n % policies.size()) : null;
                int entriesBefore = audit ? auditEntries(policyId) : 0;
                if (audit) {
                    update.setString(1, policyId);
                    update.executeUpdate();
                } else {
                    bindInsert(insert, product);
                    insert.executeUpdate();
                }
                long committed = System.nanoTime();
                boolean seen = false;
                while (System.nanoTime() - committed < TimeUnit.SECONDS.toNanos(5)) {
                    if (audit ? auditEntries(policyId) > entriesBefore : reportShows(product)) {
                        seen = true;
                        break;
                    }
                    LockSupport.parkNanos(poll);
                }
                if (measured) {
                    if (seen) {
                        latencies.add(System.nanoTime() - committed);
                    } else {
                        misses[0]++;
                    }
                }
                LockSupport.parkNanos(next - System.nanoTime());
            }
        } catch (Exception e) {
            throw new IllegalStateException("The API probe failed", e);
        }
    }

    private boolean reportShows(String product) throws Exception {
        JsonNode report = get("/api/reports/premium-by-product");
        for (JsonNode p : report.get("products")) {
            if (product.equals(p.get("product").asText())) {
                return true;
            }
        }
        return false;
    }

    private int auditEntries(String policyId) throws Exception {
        return get("/api/audit-trail?table=pas.policies&key=" + policyId).get("entries").size();
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(args.getOrDefault("hubUrl",
                        "http://localhost:8080") + path)).header("Authorization", token.bearer()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    private List<String> createPolicies(int count) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = connection(false); PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (int i = 0; i < count; i++) {
                ids.add(bindInsert(insert, "BENCH-" + run, "P-bench-" + run + "-" + i));
                insert.executeUpdate();
            }
        }
        return ids;
    }

    private String bindInsert(PreparedStatement insert, String product) throws Exception {
        return bindInsert(insert, product, null);
    }

    /** A new policy of the product; its id {@code policyId}, or one of its own. */
    private String bindInsert(PreparedStatement insert, String product, String policyId) throws Exception {
        long n = sequence.getAndIncrement();
        String id = policyId != null ? policyId : "P-bench-" + run + "-n" + n;
        insert.setString(1, id);
        // unique: the run and a counter of this run (base 36, 16 characters at most)
        insert.setString(2, "B" + run + Long.toString(n, 36));
        insert.setString(3, "Q-" + id);
        insert.setString(4, product);
        return id;
    }

    /** The database owner; as PAS's own role unless {@code asOwner} (a DBA's direct SQL). */
    private Connection connection(boolean asOwner) throws Exception {
        Connection c = DriverManager.getConnection(args.getOrDefault("jdbcUrl", "jdbc:postgresql://localhost:15432/insurance"),
                args.getOrDefault("user", "postgres"), System.getenv().getOrDefault("PGPASSWORD", "postgres"));
        c.setAutoCommit(true);
        if (!asOwner) {
            try (Statement s = c.createStatement()) {
                s.execute("SET ROLE insurance_mocks");
            }
        }
        return c;
    }

    private static Double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }
}
