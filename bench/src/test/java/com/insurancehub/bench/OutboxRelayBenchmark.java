package com.insurancehub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The outbox relay benchmark of docs/performance.md (D01), against a running stack
 * ({@code bench/run-event-benchmarks.sh} starts one). It plays Billing: it writes rows into {@code billing.outbox}
 * exactly as Billing does (event type BillingAccountOpened, which no hub route acts on, so only the relay works),
 * and reads {@code insurance.billing.events} with a plain Kafka consumer. With {@code target=baseline} the same rows
 * go to {@code bench_raw.outbox}, which {@link RawDebeziumRelay} relays (to {@code topic}, by default the same one):
 * same burst, same checks, so the two figures compare.
 *
 * <ul>
 *   <li>{@code burst}: {@code rows} rows (default 20,000: 200 accounts x 100 versions, interleaved) committed in one
 *       transaction; throughput = rows / (last record received - commit). Also checks that every row arrived and
 *       that, per account, versions arrive in order.</li>
 *   <li>{@code steady}: one row per transaction at {@code rate} rows/s (default 500) for {@code warmup} + {@code
 *       duration} seconds; latency = record received - commit returned, over the measured rows: p50/p95/p99/max.</li>
 * </ul>
 * Arguments: {@code mode key=value...} with keys target (hub or baseline), topic, jdbcUrl, user, kafka, rows, rate,
 * warmup, duration, summaryFile (password: PGPASSWORD). Writes a JSON summary and prints it.
 */
public final class OutboxRelayBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String INSERT = "INSERT INTO %s (id, aggregate_type, aggregate_id, aggregate_version,"
            + " event_type, payload) VALUES (?::uuid, 'billing-account', ?, ?, 'BillingAccountOpened', ?::jsonb)";

    private final Map<String, String> args;
    private final String target;
    private final String table;
    private final String topic;
    private final String insert;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    /** row id -> commit time (ns) */
    private final Map<String, Long> committed = new ConcurrentHashMap<>();
    /** row id -> receive time (ns) */
    private final Map<String, Long> received = new ConcurrentHashMap<>();
    /** row id -> its version, as written: the baseline's records carry no envelope to read it from */
    private final Map<String, Integer> versionById = new ConcurrentHashMap<>();
    /** account -> versions in the order received; filled from {@link #receivedRecords} once consuming is over */
    private final Map<String, List<Integer>> versionsByAccount = new ConcurrentHashMap<>();
    /**
     * The records of this run as received (key, event id), looked at only after the measurement: on two cores the
     * benchmark's own work would take CPU from the relay it measures.
     */
    private final java.util.Queue<String[]> receivedRecords = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicBoolean consuming = new AtomicBoolean(true);
    private volatile boolean assigned;

    private OutboxRelayBenchmark(Map<String, String> args) {
        this.args = args;
        this.target = args.getOrDefault("target", "hub");
        this.table = switch (target) {
            case "hub" -> "billing.outbox";
            case "baseline" -> "bench_raw.outbox";
            default -> throw new IllegalArgumentException("target: hub or baseline");
        };
        this.topic = args.getOrDefault("topic", "insurance.billing.events");
        this.insert = INSERT.formatted(table);
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 1; i < argv.length; i++) {
            String[] kv = argv[i].split("=", 2);
            args.put(kv[0], kv[1]);
        }
        OutboxRelayBenchmark bench = new OutboxRelayBenchmark(args);
        Map<String, Object> summary = switch (argv[0]) {
            case "burst" -> bench.burst();
            case "steady" -> bench.steady();
            default -> throw new IllegalArgumentException("burst or steady");
        };
        String text = JSON.writeValueAsString(summary);
        System.out.println(text);
        if (args.containsKey("summaryFile")) {
            Files.writeString(Path.of(args.get("summaryFile")), text);
        }
        System.exit(0);
    }

    private Map<String, Object> burst() throws Exception {
        int rows = Integer.parseInt(args.getOrDefault("rows", "20000"));
        int accounts = 200;
        Thread consumer = startConsumer();
        List<Object[]> batch = new ArrayList<>(rows);
        for (int v = 1; v <= rows / accounts; v++) {
            for (int a = 0; a < accounts; a++) {
                batch.add(row(account(a), v));
            }
        }
        long commitNanos;
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(this.insert)) {
                for (Object[] r : batch) {
                    for (int i = 0; i < r.length; i++) {
                        insert.setObject(i + 1, r[i]);
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
            commitNanos = System.nanoTime();
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (received.size() < batch.size() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        consuming.set(false);
        consumer.join();
        readVersions();
        long last = received.values().stream().mapToLong(Long::longValue).max().orElse(commitNanos);
        long first = received.values().stream().mapToLong(Long::longValue).min().orElse(commitNanos);
        double seconds = (last - commitNanos) / 1e9;
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", "burst");
        summary.put("target", target);
        summary.put("table", table);
        summary.put("topic", topic);
        summary.put("rows", batch.size());
        summary.put("received", received.size());
        summary.put("firstRecordAfterCommitMs", (first - commitNanos) / 1_000_000);
        summary.put("lastRecordAfterCommitMs", (last - commitNanos) / 1_000_000);
        summary.put("eventsPerSecond", Math.round(received.size() / seconds));
        summary.put("perKeyOrderKept", versionsByAccount.values().stream().allMatch(OutboxRelayBenchmark::sorted));
        return summary;
    }

    private Map<String, Object> steady() throws Exception {
        double rate = Double.parseDouble(args.getOrDefault("rate", "500"));
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "20"));
        int duration = Integer.parseInt(args.getOrDefault("duration", "60"));
        Thread consumer = startConsumer();
        long interval = (long) (1e9 / rate);
        long total = (long) ((warmup + duration) * rate);
        long warmupRows = (long) (warmup * rate);
        List<String> measured = new ArrayList<>();
        int behind = 0;
        try (Connection c = connection(); PreparedStatement insert = c.prepareStatement(this.insert)) {
            c.setAutoCommit(true);
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -interval) {
                    behind++;
                }
                Object[] r = row(account((int) (i % 200)), (int) (i / 200) + 1);
                for (int k = 0; k < r.length; k++) {
                    insert.setObject(k + 1, r[k]);
                }
                insert.executeUpdate();
                committed.put((String) r[0], System.nanoTime());
                if (i >= warmupRows) {
                    measured.add((String) r[0]);
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!received.keySet().containsAll(measured) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        consuming.set(false);
        consumer.join();
        readVersions();
        List<Long> latencies = new ArrayList<>();
        for (String id : measured) {
            Long r = received.get(id);
            if (r != null) {
                latencies.add(r - committed.get(id));
            }
        }
        Collections.sort(latencies);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", "steady");
        summary.put("target", target);
        summary.put("rate", rate);
        summary.put("measuredSeconds", duration);
        summary.put("measuredRows", measured.size());
        summary.put("received", latencies.size());
        summary.put("writerBehindSchedule", behind);
        summary.put("p50Ms", Percentiles.ms(latencies, 50));
        summary.put("p95Ms", Percentiles.ms(latencies, 95));
        summary.put("p99Ms", Percentiles.ms(latencies, 99));
        summary.put("maxMs", latencies.isEmpty() ? null : latencies.get(latencies.size() - 1) / 1e6);
        summary.put("perKeyOrderKept", versionsByAccount.values().stream().allMatch(OutboxRelayBenchmark::sorted));
        return summary;
    }

    private Object[] row(String account, int version) {
        String id = UUID.randomUUID().toString();
        versionById.put(id, version);
        return new Object[] {id, account, version,
                "{\"accountId\":\"" + account + "\",\"policyId\":\"P-bench-" + id + "\",\"status\":\"OPEN\"}"};
    }

    private String account(int a) {
        return "A-bench-" + run + "-" + a;
    }

    /** Reads the topic from its end; records of this run only. Returns once it is assigned its partitions. */
    private Thread startConsumer() throws InterruptedException {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.getOrDefault("kafka", "localhost:9092"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + run);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        String prefix = "A-bench-" + run + "-";
        Thread thread = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
                consumer.subscribe(List.of(topic));
                while (consumer.assignment().isEmpty()) {
                    consumer.poll(Duration.ofMillis(100));
                }
                consumer.seekToEnd(consumer.assignment());
                consumer.assignment().forEach(consumer::position);
                assigned = true;
                while (consuming.get()) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        if (record.key() == null || !record.key().startsWith(prefix)) {
                            continue;
                        }
                        String eventId = eventId(record);
                        receivedRecords.add(new String[] {record.key(), eventId});
                        received.putIfAbsent(eventId, now);
                    }
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "bench-consumer");
        thread.start();
        while (!assigned) {
            Thread.sleep(20);
        }
        return thread;
    }

    /** The relay puts the event id in a header; the envelope is read only for a record without it. */
    private static String eventId(ConsumerRecord<String, String> record) throws java.io.IOException {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader("eventId");
        return header != null ? new String(header.value(), java.nio.charset.StandardCharsets.UTF_8)
                : JSON.readTree(record.value()).get("eventId").asText();
    }

    /**
     * Per account, the versions in the order they were received (after the measurement), by event id: the row id,
     * which the hub's envelope and the baseline's header both carry.
     */
    private void readVersions() {
        for (String[] record : receivedRecords) {
            versionsByAccount.computeIfAbsent(record[0], k -> new ArrayList<>())
                    .add(versionById.getOrDefault(record[1], Integer.MIN_VALUE));
        }
    }

    private Connection connection() throws Exception {
        return DriverManager.getConnection(args.getOrDefault("jdbcUrl", "jdbc:postgresql://localhost:15432/insurance"),
                args.getOrDefault("user", "postgres"), System.getenv().getOrDefault("PGPASSWORD", "postgres"));
    }


    private static boolean sorted(List<Integer> versions) {
        synchronized (versions) {
            for (int i = 1; i < versions.size(); i++) {
                if (versions.get(i) < versions.get(i - 1)) {
                    return false;
                }
            }
            return true;
        }
    }
}
