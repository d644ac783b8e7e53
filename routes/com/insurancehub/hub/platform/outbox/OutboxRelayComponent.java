package com.insurancehub.hub.platform.outbox;

import java.util.Map;
import java.util.function.Function;

import org.apache.camel.Endpoint;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresEndpoint;
import org.apache.camel.support.DefaultComponent;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * {@code outbox-relay:<name>?<debezium-postgres options>} - the outbox relay's consumer endpoint (D01). It takes
 * exactly the options of Camel's {@code debezium-postgres} endpoint (which configures Debezium), but hands the route
 * each batch Debezium polled as ONE exchange, a list of {@link OutboxRow}, and tells Debezium the batch is processed
 * only once the route has published it. Camel's Debezium endpoint hands over one exchange per row and marks it
 * processed whatever the route did, so per-row routing, a wait for Kafka's acknowledgement and an offset rule in
 * the offset store were needed; see {@link OutboxRelayConsumer}.
 *
 * <p>The same batch hand-over serves the business-change capture (D05/D06), with its own scheme and its own reading
 * of a change record ({@link #OutboxRelayComponent(Function)}).
 */
public final class OutboxRelayComponent extends DefaultComponent {

    public static final String SCHEME = "outbox-relay";

    private final Function<SourceRecord, ?> rows;

    /** The outbox relays' component: a batch is the list of its outbox inserts ({@link OutboxRow#of}). */
    public OutboxRelayComponent() {
        this(OutboxRow::of);
    }

    /** A batch is the list of what {@code rows} makes of its records, those it answers null for left out. */
    public OutboxRelayComponent(Function<SourceRecord, ?> rows) {
        this.rows = rows;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // The debezium-postgres endpoint parses and validates the options; the relay reads its Debezium configuration
        DebeziumPostgresEndpoint debezium = (DebeziumPostgresEndpoint) getCamelContext().getComponent("debezium-postgres")
                .createEndpoint("debezium-postgres:" + remaining, parameters);
        parameters.clear();
        return new OutboxRelayEndpoint(uri, this, debezium, rows);
    }
}
