package com.insurancehub.hub.platform.outbox;

import java.util.Properties;
import java.util.function.Function;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresEndpoint;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.kafka.connect.source.SourceRecord;

/** See {@link OutboxRelayComponent}. Consumer only. */
public final class OutboxRelayEndpoint extends DefaultEndpoint {

    private final DebeziumPostgresEndpoint debezium;
    private final Function<SourceRecord, ?> rows;
    /** The position of the last batch this instance relayed (marked processed), for the metrics; NaN before one */
    private volatile double lastLsn = Double.NaN;
    private volatile double lastBatchEpochSeconds = Double.NaN;

    OutboxRelayEndpoint(String uri, OutboxRelayComponent component, DebeziumPostgresEndpoint debezium,
                        Function<SourceRecord, ?> rows) {
        super(uri, component);
        this.debezium = debezium;
        this.rows = rows;
    }

    /** What the route gets of a change record, or null to leave it out of the batch. */
    Object row(SourceRecord record) {
        return rows.apply(record);
    }

    /** The relay's options, as Camel's debezium-postgres endpoint read them (slot, tables: the relay's health). */
    public PostgresConnectorEmbeddedDebeziumConfiguration getConfiguration() {
        return debezium.getConfiguration();
    }

    /**
     * The Debezium engine's configuration, as Camel's debezium-postgres endpoint makes it from the options; with an idle
     * wait among them, Debezium's connector without its busy wait ({@link IdleWaitPostgresConnector}).
     */
    Properties debeziumProperties() {
        Properties properties = debezium.getConfiguration().createDebeziumConfiguration().asProperties();
        if (properties.containsKey(IdleWaitPostgresConnector.IDLE_WAIT)) {
            properties.setProperty("connector.class", IdleWaitPostgresConnector.class.getName());
        }
        return properties;
    }

    /** Debezium's name of the relay (the endpoint's path): the key of its offsets. */
    String relayName() {
        return debezium.getConfiguration().getName();
    }

    /** A batch relayed up to this WAL position (null when its records carry none). */
    void relayed(Object lsn) {
        if (lsn instanceof Number position) {
            lastLsn = position.doubleValue();
        }
        lastBatchEpochSeconds = System.currentTimeMillis() / 1000.0;
    }

    /** WAL position (LSN) of the last batch this instance relayed, NaN before the first. */
    public double lastRelayedLsn() {
        return lastLsn;
    }

    /** When this instance last relayed a batch (heartbeats included: an idle relay moves too), epoch seconds; NaN before. */
    public double lastRelayedAt() {
        return lastBatchEpochSeconds;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        OutboxRelayConsumer consumer = new OutboxRelayConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("outbox-relay endpoints only consume");
    }

    @Override
    public boolean isRemote() {
        return true;
    }
}
