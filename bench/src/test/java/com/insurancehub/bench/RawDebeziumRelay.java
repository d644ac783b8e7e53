package com.insurancehub.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The raw-Debezium baseline of the relay benchmark (D01, docs/performance.md): the floor of what Debezium and Kafka
 * cost on this stack, to which {@code bench/run-event-benchmarks.sh burst} compares the hub's relay in the same run.
 * The plain embedded engine (pgoutput, no snapshot) with a batch {@code ChangeConsumer} and a plain
 * {@code KafkaProducer}: each inserted row is sent asynchronously (key = aggregate_id, value = the payload, headers
 * eventId and eventType), one flush per batch, then the batch's offsets are handed back. No envelope, no schema
 * check, no leadership, no tracing, offsets in a file: only what any relay has to do.
 *
 * <p>Its rows come from its own table, {@code bench_raw.outbox}, created here as a copy of {@code billing.outbox}'s
 * shape, with its own publication and replication slot ({@code bench_raw_outbox}), so the hub relays none of them.
 * It connects as the database owner (password in {@code PGPASSWORD}) and drops its slot when it stops: a slot left
 * behind would hold WAL.
 *
 * <p>Arguments {@code key=value}: jdbcUrl, user, kafka, topic, offsetsFile, readyFile, and the settings it shares with
 * the hub's relay (the script reads them from application.yaml): pollInterval, maxBatchSize, maxQueueSize, lingerMs,
 * batchSize, deliveryTimeout. Runs until it is stopped (SIGTERM).
 */
public final class RawDebeziumRelay {

    private static final String SLOT = "bench_raw_outbox";
    private static final String TABLE = "bench_raw.outbox";

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            String[] kv = a.split("=", 2);
            args.put(kv[0], kv[1]);
        }
        String jdbcUrl = args.getOrDefault("jdbcUrl", "jdbc:postgresql://localhost:15432/insurance");
        String user = args.getOrDefault("user", "postgres");
        String password = System.getenv().getOrDefault("PGPASSWORD", "postgres");
        String topic = args.getOrDefault("topic", "insurance.billing.events");
        prepare(jdbcUrl, user, password);

        KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(args));
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> relay = (batch, committer) -> {
            for (ChangeEvent<SourceRecord, SourceRecord> event : batch) {
                SourceRecord record = event.value();
                if (record != null && record.value() instanceof Struct change && "c".equals(change.getString("op"))) {
                    Struct row = change.getStruct("after");
                    ProducerRecord<String, String> out = new ProducerRecord<>(topic, row.getString("aggregate_id"),
                            row.getString("payload"));
                    out.headers().add("eventId", row.getString("id").getBytes(StandardCharsets.UTF_8));
                    out.headers().add("eventType", row.getString("event_type").getBytes(StandardCharsets.UTF_8));
                    producer.send(out, (metadata, e) -> {
                        if (e != null) {
                            sendFailure.compareAndSet(null, e);
                        }
                    });
                }
            }
            producer.flush();
            if (sendFailure.get() != null) { // the offsets stay where they are: the engine stops, a restart replays
                throw new IllegalStateException("Kafka refused a record", sendFailure.get());
            }
            for (ChangeEvent<SourceRecord, SourceRecord> event : batch) {
                committer.markProcessed(event);
            }
            committer.markBatchFinished();
        };

        CountDownLatch stopped = new CountDownLatch(1);
        Path readyFile = args.containsKey("readyFile") ? Path.of(args.get("readyFile")) : null;
        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
                .using(engineProperties(args, jdbcUrl, user, password))
                .notifying(relay)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void pollingStarted() {
                        System.out.println("raw Debezium relay: streaming " + TABLE + " to " + topic);
                        if (readyFile != null) {
                            try {
                                Files.writeString(readyFile, "streaming\n");
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }
                })
                .using((success, message, error) -> {
                    System.out.println("raw Debezium relay stopped: " + message);
                    if (error != null) {
                        error.printStackTrace();
                    }
                    stopped.countDown();
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                engine.close();
                stopped.await(30, TimeUnit.SECONDS);
                producer.close();
                executor.shutdown();
                dropSlot(jdbcUrl, user, password);
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "raw-relay-stop"));
        executor.execute(engine);
        stopped.await();
        if (sendFailure.get() != null) {
            System.exit(1);
        }
    }

    /** The engine as the hub's relay sets it up (D01), minus what only the hub needs (heartbeat, offsets in the database). */
    private static Properties engineProperties(Map<String, String> args, String jdbcUrl, String user, String password) {
        java.net.URI db = java.net.URI.create(jdbcUrl.substring("jdbc:".length()));
        Properties p = new Properties();
        p.setProperty("name", "raw-debezium-baseline");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", args.getOrDefault("offsetsFile", "raw-debezium-offsets.dat"));
        p.setProperty("offset.flush.interval.ms", args.getOrDefault("offsetFlushInterval", "1000"));
        p.setProperty("database.hostname", db.getHost());
        p.setProperty("database.port", String.valueOf(db.getPort()));
        p.setProperty("database.dbname", db.getPath().substring(1));
        p.setProperty("database.user", user);
        p.setProperty("database.password", password);
        p.setProperty("topic.prefix", "raw-baseline");
        p.setProperty("table.include.list", TABLE);
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", SLOT);
        p.setProperty("publication.name", SLOT);
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("poll.interval.ms", args.getOrDefault("pollInterval", "10"));
        p.setProperty("max.batch.size", args.getOrDefault("maxBatchSize", "2048"));
        p.setProperty("max.queue.size", args.getOrDefault("maxQueueSize", "8192"));
        return p;
    }

    /** The hub relay's producer settings (OutboxRelayRoutes, hub.outbox.kafka.*). */
    private static Properties producerProperties(Map<String, String> args) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.getOrDefault("kafka", "localhost:9092"));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, args.getOrDefault("lingerMs", "5"));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, args.getOrDefault("batchSize", "262144"));
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, args.getOrDefault("deliveryTimeout", "600000"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    /** Its own outbox (billing.outbox's shape), and its own publication; a slot of an earlier start is dropped. */
    private static void prepare(String jdbcUrl, String user, String password) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS bench_raw");
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (LIKE billing.outbox INCLUDING ALL)");
            s.execute("DROP PUBLICATION IF EXISTS " + SLOT);
            s.execute("CREATE PUBLICATION " + SLOT + " FOR TABLE " + TABLE);
        }
        dropSlot(jdbcUrl, user, password);
    }

    /** Once its walsender is gone (it may outlive the engine's stop by a moment): up to 10 s. */
    private static void dropSlot(String jdbcUrl, String user, String password) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
            for (int i = 0; i < 100; i++) {
                try (java.sql.ResultSet r = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                        + SLOT + "'")) {
                    if (!r.next()) {
                        System.out.println("raw Debezium relay: no slot " + SLOT + " left");
                        return;
                    }
                    if (!r.getBoolean(1)) {
                        s.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
                        System.out.println("raw Debezium relay: slot " + SLOT + " dropped");
                        return;
                    }
                }
                Thread.sleep(100);
            }
            System.out.println("raw Debezium relay: slot " + SLOT + " still in use, NOT dropped");
        }
    }

    private RawDebeziumRelay() {
    }
}
