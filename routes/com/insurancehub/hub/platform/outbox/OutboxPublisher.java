package com.insurancehub.hub.platform.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.insurancehub.hub.platform.correlation.CorrelationId;
import com.insurancehub.hub.platform.outbox.OutboxEnvelopes.OutboxEvent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.StatefulService;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's last step: publishes a batch of events (body: a list of {@link OutboxEvent}) to the relay's topic and
 * returns once the broker has acknowledged every one of them - the relay's consumer then lets Debezium store the
 * batch's offset. Records are sent without waiting for each other (the client batches them, idempotent, at most 5
 * requests in flight, so per-key order holds even when it retries) and the batch waits once, for all of them; the
 * next batch is sent after, so order also holds across batches. Record: key = aggregate id, value = the envelope,
 * headers eventId, eventType, X-Correlation-Id (the row's) and the trace context.
 *
 * <p>A plain Kafka producer rather than camel-kafka's: one Camel exchange per record and its header mapping cost
 * more than the send. Its settings are the relay's ({@code hub.outbox.kafka.*}, handed over by the route) on the
 * brokers of Camel's Kafka component.
 *
 * <p>A row that breaks its event schema, and a record the broker refuses for good (after the client's retries, up to
 * the delivery timeout), go to the topic's DLQ with the reason, through the route {@code direct:dead-letter}; the
 * others of the batch go on. If the dead letter fails too, the step fails: nothing of the batch is marked
 * processed and the relay stops (fail-stop, the next start replays it). While the relay stops, the wait for
 * acknowledgements is at most the stop wait; after that the batch is left for the next start.
 *
 * <p>Trace context: the outbox row carries the {@code traceparent} of the request that wrote it. The relay opens its
 * span as a child of it and passes its own context on in the record headers, so the subscribe call, the relay and
 * every consumer share one trace id (O01). A row written outside any traced request has none: relayed untraced.
 */
public final class OutboxPublisher extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
    private static final TextMapGetter<OutboxRow> ROW = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(OutboxRow row) {
            return List.of("traceparent");
        }

        @Override
        public String get(OutboxRow row, String key) {
            return row != null && "traceparent".equals(key) ? row.traceparent() : null;
        }
    };

    private final CamelContext camelContext;
    private final String routeId;
    private final String topic;
    private final Map<String, Object> producerSettings;
    private final String deadLetterUri;
    private final long stopWait;
    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final String spanName;
    private KafkaProducer<String, byte[]> producer;
    private ProducerTemplate deadLetters;

    /**
     * @param producerSettings the relay's Kafka producer settings (placeholders allowed), on the brokers of Camel's
     *                         Kafka component; the serializers and the delivery guarantees (acks=all, idempotent) are
     *                         the publisher's
     */
    public OutboxPublisher(CamelContext camelContext, String routeId, String topic, Map<String, Object> producerSettings,
                           String deadLetterUri, long stopWait, OpenTelemetry openTelemetry) {
        this.camelContext = camelContext;
        this.routeId = routeId;
        this.topic = topic;
        this.producerSettings = producerSettings;
        this.deadLetterUri = deadLetterUri;
        this.stopWait = stopWait;
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("insurance-hub.outbox-relay");
        this.spanName = topic + " relay";
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) throws Exception {
        List<OutboxEvent> events = exchange.getMessage().getMandatoryBody(List.class);
        List<OutboxEvent> failed = events.stream().filter(event -> event.failure() != null).toList();
        ConcurrentLinkedQueue<Refused> refused = new ConcurrentLinkedQueue<>();
        int sent = events.size() - failed.size();
        CountDownLatch acknowledged = new CountDownLatch(sent);
        TextMapPropagator propagator = openTelemetry.getPropagators().getTextMapPropagator();
        for (OutboxEvent event : events) {
            if (event.failure() == null) {
                send(event, propagator, acknowledged, refused);
            }
        }
        awaitAcknowledged(acknowledged, sent);
        for (OutboxEvent event : failed) {
            deadLetter(event.row(), event.envelope(), event.failure());
        }
        for (Refused record : refused) {
            deadLetter(record.event().row(), new String(record.event().value(), StandardCharsets.UTF_8), record.reason());
        }
    }

    private void send(OutboxEvent event, TextMapPropagator propagator, CountDownLatch acknowledged,
                      ConcurrentLinkedQueue<Refused> refused) {
        OutboxRow row = event.row();
        RecordHeaders headers = new RecordHeaders();
        headers.add("eventId", bytes(row.id()));
        headers.add("eventType", bytes(row.eventType()));
        if (row.correlationId() != null) {
            headers.add(CorrelationId.HEADER, bytes(row.correlationId()));
        }
        Span span = startSpan(row, propagator);
        if (span.getSpanContext().isValid()) {
            propagator.inject(Context.root().with(span), headers, (carrier, key, value) -> carrier.add(key, bytes(value)));
        } else if (row.traceparent() != null) {
            headers.add("traceparent", bytes(row.traceparent())); // tracing off: the row's context goes on as it is
        }
        try {
            producer.send(new ProducerRecord<>(topic, null, row.aggregateId(), event.value(), headers), (metadata, failure) -> {
                if (failure != null) {
                    span.setStatus(StatusCode.ERROR, failure.getMessage());
                    span.recordException(failure);
                    refused.add(new Refused(event, failure));
                }
                span.end();
                acknowledged.countDown();
            });
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getMessage());
            span.end();
            refused.add(new Refused(event, e));
            acknowledged.countDown();
        }
    }

    /**
     * The relay span, child of the context the row carries; an invalid span (nothing recorded, nothing injected) for
     * a row written outside any traced request.
     */
    private Span startSpan(OutboxRow row, TextMapPropagator propagator) {
        if (row.traceparent() == null) {
            return Span.getInvalid();
        }
        Context parent = propagator.extract(Context.root(), row, ROW);
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(spanName)
                .setParent(parent)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.message.id", row.id())
                .setAttribute("insurance.event_type", row.eventType())
                .startSpan();
    }

    /** Waits for every acknowledgement of the batch; at most the stop wait once the relay stops. */
    private void awaitAcknowledged(CountDownLatch acknowledged, int sent) throws InterruptedException {
        while (!acknowledged.await(100, TimeUnit.MILLISECONDS)) {
            if (relayStopping()) {
                if (!acknowledged.await(stopWait, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("Relay " + routeId + " stopping with " + acknowledged.getCount() + " of "
                            + sent + " events not acknowledged: the batch is left for the next start");
                }
                return;
            }
        }
    }

    private boolean relayStopping() {
        Route route = camelContext.getRoute(routeId);
        return route == null || route.getConsumer() instanceof StatefulService consumer
                && (consumer.isStopping() || consumer.isStopped());
    }

    /**
     * To the topic's DLQ with the reason, through {@code direct:dead-letter}; throws if that fails too (the batch is
     * then not marked processed: fail-stop).
     */
    private void deadLetter(OutboxRow row, String value, Exception reason) throws Exception {
        try (CorrelationId.Scope ignored = CorrelationId.inMdc(row.correlationId())) {
            LOG.error("Relayed event {} dead-lettered: {}", row.id(), reason.getMessage());
            Exchange record = new DefaultExchange(camelContext);
            Map<String, Object> headers = new HashMap<>();
            headers.put("eventId", row.id());
            headers.put("eventType", row.eventType());
            if (row.correlationId() != null) {
                headers.put(CorrelationId.HEADER, row.correlationId());
            }
            if (row.traceparent() != null) {
                headers.put("traceparent", row.traceparent());
            }
            headers.put(KafkaConstants.KEY, row.aggregateId());
            headers.put("kafka.TOPIC", topic); // where the dead letter goes: <topic>.dlq
            record.getMessage().setHeaders(headers);
            record.getMessage().setBody(value);
            record.setProperty(Exchange.EXCEPTION_CAUGHT, reason);
            record.setProperty(Exchange.FAILURE_ROUTE_ID, routeId);
            Exchange result = deadLetters.send(deadLetterUri, record);
            if (result.getException() != null) {
                LOG.error("Relayed event {} could not be dead-lettered either: the relay stops, its next start replays it",
                        row.id(), result.getException());
                throw new IllegalStateException("outbox event " + row.id()
                        + " reached neither its topic nor the dead-letter topic", result.getException());
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void doStart() {
        Properties settings = new Properties();
        settings.put("bootstrap.servers", camelContext.getComponent("kafka", KafkaComponent.class).getConfiguration().getBrokers());
        producerSettings.forEach((key, value) -> settings.put(key, camelContext.resolvePropertyPlaceholders(String.valueOf(value))));
        settings.put("acks", "all");
        settings.put("enable.idempotence", "true");
        settings.put("max.in.flight.requests.per.connection", "5");
        settings.putIfAbsent("client.id", routeId);
        producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        deadLetters = camelContext.createProducerTemplate();
        deadLetters.start();
    }

    @Override
    protected void doStop() {
        if (producer != null) {
            producer.close(Duration.ofMillis(stopWait));
            producer = null;
        }
        if (deadLetters != null) {
            deadLetters.stop();
        }
    }

    private record Refused(OutboxEvent event, Exception reason) {
    }
}
