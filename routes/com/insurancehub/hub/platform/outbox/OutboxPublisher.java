package com.insurancehub.hub.platform.outbox;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.insurancehub.hub.platform.correlation.CorrelationId;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointProducerResolver;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.StatefulService;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands relayed outbox events to Kafka without waiting for each broker acknowledgement (D01 throughput).
 *
 * <p>Why not a plain {@code .to("kafka:...")}: the Debezium consumer hands records over one at a time and waits
 * for the route, so a synchronous send per record capped the relay at a few hundred events/s on 2 cores. Here
 * the record is sent in the Debezium thread - the Kafka producer keeps their order per partition (idempotent,
 * at most 5 in flight), so per-key order is kept - and the acknowledgement arrives later. What makes that safe
 * is {@link PostgresOffsetBackingStore}: before Debezium stores an offset it calls
 * {@link #offsetsMayBeStored}, so a stored offset only ever covers events the broker has acknowledged.
 * A crash replays the unacknowledged tail (at-least-once; consumers deduplicate by eventId).
 *
 * <p>Stopping: Debezium finishes the batch it polled (up to {@code hub.outbox.max-batch-size} rows) before its engine
 * stops. Relaying that tail while the route stops could outlast Camel's graceful timeout, and a forced stop
 * interrupts the engine before it closes its replication connection: the slot then stays held and the relay cannot
 * start again. So the route drops what Debezium hands over once its consumer is stopping ({@link #accepts}) and the
 * offset store stores nothing after a dropped record ({@link #offsetsMayBeStored}): the next start replays it.
 *
 * <p>The Kafka endpoint retries transient failures by itself (delivery timeout from properties); a record the
 * broker refuses for good goes to the dead-letter topic with its reason, so nothing is lost in silence.
 *
 * <p>Trace context: the outbox row carries the {@code traceparent} of the request that wrote it. The relay
 * opens its span as a child of it and passes its own context on in the record headers, so the subscribe call,
 * the relay and every consumer share one trace id (O01).
 */
public final class OutboxPublisher extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
    /** Live publishers by the name of their relay (its Debezium name): an offset store waits for its own relay only. */
    private static final Map<String, Set<OutboxPublisher>> LIVE = new ConcurrentHashMap<>();
    private static final TextMapGetter<Exchange> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Exchange exchange) {
            return exchange.getMessage().getHeaders().keySet();
        }

        @Override
        public String get(Exchange exchange, String key) {
            return exchange == null ? null : exchange.getMessage().getHeader(key, String.class);
        }
    };

    private final CamelContext camelContext;
    private final String routeId;
    private final String relay;
    private final EndpointProducerResolver endpoint;
    private final String deadLetterUri;
    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final AtomicLong inFlight = new AtomicLong();
    private final long stopWait;
    private volatile String undelivered;
    /** A record was dropped because the relay was stopping: no offset may be stored until the relay starts again. */
    private volatile boolean dropped;
    private final Object acknowledged = new Object();
    private AsyncProducer producer;
    private String spanName;
    private ProducerTemplate deadLetters;

    /**
     * A publisher lives as long as the Camel context (register it with {@code addService}), not as long as its route:
     * when the relay route stops, Debezium still hands over the rest of its batch and stores its offset after Camel
     * has stopped the route's own processors.
     */
    public OutboxPublisher(CamelContext camelContext, String routeId, String relay, EndpointProducerResolver endpoint,
                           String deadLetterUri, long stopWait, OpenTelemetry openTelemetry) {
        this.camelContext = camelContext;
        this.routeId = routeId;
        this.relay = relay;
        this.stopWait = stopWait;
        this.endpoint = endpoint;
        this.deadLetterUri = deadLetterUri;
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("insurance-hub.outbox-relay");
    }

    /**
     * Whether the offset store of the relay named {@code relay} may store an offset now: once
     * every record handed to its publisher(s) has been acknowledged by the broker (or dead-lettered), and only if
     * none was dropped by a stopping relay. Blocks until then; while the relay stops, at most the stop wait
     * ({@code hub.outbox.stop-wait}), after which nothing is stored (the restart replays, at-least-once).
     */
    public static boolean offsetsMayBeStored(String relay) {
        boolean mayStore = true;
        for (OutboxPublisher publisher : LIVE.getOrDefault(relay, Set.of())) {
            mayStore &= publisher.awaitAcknowledged(publisher.relayStopping() ? publisher.stopWait : Long.MAX_VALUE)
                    && !publisher.dropped;
        }
        return mayStore;
    }

    /** A new Debezium engine of the relay starts from the last stored offset: what was dropped is replayed. */
    public static void relayStarting(String relay) {
        LIVE.getOrDefault(relay, Set.of()).forEach(publisher -> publisher.dropped = false);
    }

    /**
     * The route's first step: false for every record Debezium still hands over once the relay's consumer is
     * stopping. Such a record is neither published nor covered by a stored offset (see the class comment).
     */
    public boolean accepts(Exchange exchange) {
        if (relayStopping()) {
            if (!dropped) {
                LOG.info("Relay {} stopping: the rest of Debezium's batch is left for the next start", routeId);
            }
            dropped = true;
            return false;
        }
        return true;
    }

    private boolean relayStopping() {
        Route route = camelContext.getRoute(routeId);
        return route == null || route.getConsumer() instanceof StatefulService consumer
                && (consumer.isStopping() || consumer.isStopped());
    }

    /** Records handed over and not acknowledged yet (a gauge for the relay's health). */
    public long inFlight() {
        return inFlight.get();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        // Debezium releases its exchange as soon as the route returns: the send gets an exchange of its own, with
        // just the record (cheaper than a full copy with properties and history)
        Exchange record = producer.getEndpoint().createExchange();
        record.getMessage().setBody(exchange.getMessage().getBody());
        record.getMessage().setHeaders(new HashMap<>(exchange.getMessage().getHeaders()));
        Span span = startSpan(record);
        inFlight.incrementAndGet();
        try {
            producer.process(record, doneSync -> acknowledge(record, span));
        } catch (RuntimeException e) {
            record.setException(e);
            acknowledge(record, span);
        }
    }

    /**
     * The relay span, child of the context the row carries. A row written outside any traced request (a batch job,
     * a script) has none: it is relayed untraced rather than opening a trace of its own (no span, no headers).
     */
    private Span startSpan(Exchange record) {
        Context parent = openTelemetry.getPropagators().getTextMapPropagator().extract(Context.root(), record, HEADERS);
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            return Span.getInvalid();
        }
        Span span = tracer.spanBuilder(spanName)
                .setParent(parent)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.message.id", record.getMessage().getHeader("eventId", "", String.class))
                .setAttribute("insurance.event_type", record.getMessage().getHeader("eventType", "", String.class))
                .startSpan();
        Map<String, Object> headers = record.getMessage().getHeaders();
        openTelemetry.getPropagators().getTextMapPropagator()
                .inject(Context.root().with(span), headers, (carrier, key, value) -> carrier.put(key, value));
        return span;
    }

    private void acknowledge(Exchange record, Span span) {
        try {
            Exception failure = record.getException();
            if (failure != null) {
                span.setStatus(StatusCode.ERROR, failure.getMessage());
                span.recordException(failure);
                deadLetter(record, failure);
            }
        } finally {
            span.end();
            if (inFlight.decrementAndGet() == 0) {
                synchronized (acknowledged) {
                    acknowledged.notifyAll();
                }
            }
        }
    }

    /**
     * A row the relay route could not turn into its event (it breaks its event schema): to the dead-letter topic
     * with the reason, under the same rule as a record Kafka refused - if that fails too, no offset moves past it.
     */
    public void deadLetterRow(Exchange exchange) {
        deadLetter(exchange, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    private void deadLetter(Exchange record, Exception failure) {
        try (CorrelationId.Scope ignored = CorrelationId.inMdc(record.getMessage().getHeader(CorrelationId.HEADER))) {
            deadLetterCorrelated(record, failure);
        }
    }

    private void deadLetterCorrelated(Exchange record, Exception failure) {
        LOG.error("Relayed event {} dead-lettered: {}", record.getMessage().getHeader("eventId"),
                failure == null ? "no reason given" : failure.getMessage());
        try {
            record.setException(null);
            record.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
            Exchange result = deadLetters.send(deadLetterUri, record);
            if (result.getException() != null) {
                throw result.getException();
            }
        } catch (Exception e) {
            // Neither topic took it: the offset must never move past it (fail-stop; a restart replays it)
            LOG.error("Relayed event {} could not be dead-lettered either", record.getMessage().getHeader("eventId"), e);
            undelivered = record.getMessage().getHeader("eventId", String.class);
        }
    }

    /** Whether every record handed over has been acknowledged within {@code maxWait} ms. */
    private boolean awaitAcknowledged(long maxWait) {
        long deadline = maxWait == Long.MAX_VALUE ? Long.MAX_VALUE : System.currentTimeMillis() + maxWait;
        synchronized (acknowledged) {
            while (inFlight.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    LOG.warn("Relay {} stopping with {} events not acknowledged yet: no offset stored, the next start replays them",
                            routeId, inFlight.get());
                    return false;
                }
                try {
                    acknowledged.wait(Math.min(left, 100)); // ms; woken at once by the last acknowledgement
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        if (undelivered != null) {
            throw new IllegalStateException("outbox event " + undelivered + " reached neither its topic nor the dead-letter topic");
        }
        return true;
    }

    @Override
    protected void doStart() throws Exception {
        KafkaEndpoint kafka = endpoint.resolve(camelContext, KafkaEndpoint.class);
        producer = kafka.createAsyncProducer();
        spanName = kafka.getConfiguration().getTopic() + " relay";
        producer.start();
        deadLetters = camelContext.createProducerTemplate();
        deadLetters.start();
        LIVE.computeIfAbsent(relay, r -> ConcurrentHashMap.newKeySet()).add(this);
    }

    @Override
    protected void doStop() throws Exception {
        awaitAcknowledged(stopWait);
        LIVE.values().forEach(publishers -> publishers.remove(this));
        if (producer != null) {
            producer.stop();
        }
        if (deadLetters != null) {
            deadLetters.stop();
        }
    }
}
