package com.insurancehub.hub.platform.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the relay's Debezium engine with a batch hand-over: each batch Debezium polled (up to
 * {@code maxBatchSize} records) goes through the route as one exchange whose body is the list of its outbox inserts,
 * in commit order. Only when the route processed it without an exception are its records marked processed, so a
 * stored offset only ever covers events Kafka has acknowledged (or that went to their DLQ). An exception stops the
 * engine with nothing of the batch marked (fail-stop: the next start replays it).
 *
 * <p>Stopping: a batch that arrives once the consumer stops is left unmarked for the next start, and the engine
 * interrupts the batch in progress after {@code record.processing.shutdown.timeout.ms}; either way the engine then
 * stores the offsets of the batches already marked and releases its replication slot.
 */
final class OutboxRelayConsumer extends DefaultConsumer
        implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayConsumer.class);

    /** How long (ms) a stop waits for Debezium's tasks to have started before it gives up. */
    private static final long START_WAIT = 30_000;

    private final OutboxRelayEndpoint endpoint;
    private ExecutorService executor;
    private DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;

    OutboxRelayConsumer(OutboxRelayEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        String relay = endpoint.relayName();
        engine = DebeziumEngine.create(Connect.class)
                .using(endpoint.debeziumProperties())
                .notifying(this)
                .using((success, message, error) -> {
                    if (!success && isRunAllowed() && !relayStopping()) {
                        stopRoute(relay, message, error);
                    }
                })
                .build();
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "OutboxRelay-" + relay);
        executor.submit(engine);
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> records,
                            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer)
            throws InterruptedException {
        List<Object> rows = new ArrayList<>(records.size());
        for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
            Object row = endpoint.row(record.value());
            if (row != null) {
                rows.add(row);
            }
        }
        if (!rows.isEmpty() && !relay(rows)) {
            return;
        }
        for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
        if (!records.isEmpty()) {
            endpoint.relayed(records.get(records.size() - 1).value().sourceOffset().get("lsn"));
        }
    }

    /** Whether the batch was relayed; false when the relay stops (nothing marked: the next start replays it). */
    private boolean relay(List<Object> rows) {
        if (relayStopping()) {
            LOG.info("Relay {} stopping: a batch of {} rows is left for the next start", endpoint.relayName(), rows.size());
            return false;
        }
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setBody(rows);
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        Exception failure = exchange.getException();
        releaseExchange(exchange, false);
        if (failure == null) {
            return true;
        }
        if (relayStopping()) {
            LOG.info("Relay {} stopping: a batch of {} rows not confirmed is left for the next start ({})",
                    endpoint.relayName(), rows.size(), failure.getMessage());
            return false;
        }
        throw new IllegalStateException("Relay " + endpoint.relayName() + " could not relay a batch of " + rows.size()
                + " rows", failure);
    }

    /** Debezium refuses to close while its tasks start (leaked connections): the stop waits for them to have started. */
    private void closeEngine() throws Exception {
        long deadline = System.currentTimeMillis() + START_WAIT;
        while (true) {
            try {
                engine.close();
                return;
            } catch (IllegalStateException e) {
                if (e.getMessage() != null && e.getMessage().contains("already")) {
                    return; // failed before (fail-stop) or already closing
                }
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private boolean relayStopping() {
        return isStopping() || isStopped() || Thread.currentThread().isInterrupted();
    }

    /**
     * The engine failed (a batch could be neither published nor dead-lettered): the route stops too, so that it
     * shows as stopped (Hawtio, health) rather than started with no engine behind it. Started again - by hand, or
     * on the next leader - it replays from the last stored offset.
     */
    private void stopRoute(String relay, String message, Throwable error) {
        LOG.error("Relay {} failed and stops: {} - its next start replays from its last stored offset", relay, message, error);
        String routeId = getRouteId();
        getEndpoint().getCamelContext().getExecutorServiceManager().newThread("OutboxRelayStop-" + relay, () -> {
            try {
                getEndpoint().getCamelContext().getRouteController().stopRoute(routeId);
            } catch (Exception e) {
                LOG.error("Stopping the failed relay route {} failed", routeId, e);
            }
        }).start();
    }

    @Override
    protected void doStop() throws Exception {
        if (engine != null) {
            closeEngine(); // stores the marked offsets, closes the replication connection
            engine = null;
        }
        if (executor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
            executor = null;
        }
        super.doStop();
    }
}
