package com.insurancehub.hub.platform.live;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.support.EventNotifierSupport;

/**
 * What the live view shows, taken from Camel's own notifications (O04): every exchange a route sends to Kafka or to a
 * system over HTTP, and every exchange a Kafka consumer, a REST route or an outbox relay completes. The route's thread
 * only counts the flow and offers the event to a bounded queue; when the queue is full (no viewer fast enough) the
 * event is dropped and counted ({@code hub.live.events.dropped}), so a slow or absent viewer never slows a flow.
 * Events are queued only while someone watches ({@link #watch}).
 */
public class LiveEventTap extends EventNotifierSupport {

    private static final Pattern FLOW_ID = Pattern.compile("^\\s*([A-Z]\\d{2})\\b");
    /** The first path segment of an http(s) endpoint URI, written with or without its slashes (http:host/pas). */
    private static final Pattern SYSTEM_PATH = Pattern.compile("^https?:/*[^/]+/([a-z-]+)");

    private final BlockingQueue<LiveEvent> queue;
    private final Map<String, LongAdder> flows = new ConcurrentHashMap<>();
    private final Map<String, String> flowOfRoute = new ConcurrentHashMap<>();
    private final Counter dropped;
    private volatile int watchers;

    public LiveEventTap(int capacity, MeterRegistry registry) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.dropped = Counter.builder("hub.live.events.dropped")
                .description("Live view events dropped because no viewer took them in time").register(registry);
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    /** A viewer starts ({@code true}) or stops watching: events are queued only while at least one watches. */
    public synchronized void watch(boolean starts) {
        watchers = Math.max(0, watchers + (starts ? 1 : -1));
        if (watchers == 0) {
            queue.clear();
        }
    }

    /** The next event, waiting at most {@code millis}; null when none came. */
    public LiveEvent next(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Exchanges seen per flow since the hub started. */
    public Map<String, Long> flowCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        flows.forEach((flow, count) -> counts.put(flow, count.sum()));
        return counts;
    }

    public double dropped() {
        return dropped.count();
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeSentEvent sent) {
            if (drawn(sent.getEndpoint().getEndpointUri())) {
                String flow = count(sent.getExchange());
                // the edge's node (a URI parsed, a regex for HTTP) only for a viewer: every send of the hub passes here
                if (watchers > 0) {
                    offer(sent.getExchange(), flow, "hub", node(sent.getEndpoint()), sent.getExchange().isFailed());
                }
            }
        } else if (event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent) {
            Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
            Endpoint fromEndpoint = exchange.getFromEndpoint();
            if (fromEndpoint == null) {
                return;
            }
            String uri = fromEndpoint.getEndpointUri();
            String from = null;
            if (uri.startsWith("kafka:")) {
                // a consumer of several topics: the record's own
                Object topic = exchange.getIn().getHeader("kafka.TOPIC");
                from = topic != null ? "topic:" + topic : node(fromEndpoint);
            } else if (uri.startsWith("platform-http:") || uri.startsWith("rest:")) {
                from = "client";
            } else if (uri.startsWith("outbox-relay:")) {
                String route = exchange.getFromRouteId();
                from = "system:" + (route == null ? "outbox" : route.replace("-outbox-to-kafka", ""));
            }
            if (from != null) {
                String flow = count(exchange);
                if (watchers > 0) {
                    offer(exchange, flow, from, "hub", event instanceof CamelEvent.ExchangeFailedEvent);
                }
            }
        }
    }

    /** Counts the exchange for its flow; answers the flow. */
    private String count(Exchange exchange) {
        String route = exchange.getFromRouteId();
        String flow = route == null ? "other" : flowOfRoute.computeIfAbsent(route, id -> flowOf(exchange, id));
        flows.computeIfAbsent(flow, f -> new LongAdder()).increment();
        return flow;
    }

    private void offer(Exchange exchange, String flow, String from, String to, boolean failed) {
        if (!queue.offer(new LiveEvent(System.currentTimeMillis(), flow, exchange.getFromRouteId(), from, to, failed))) {
            dropped.increment();
        }
    }

    /** Whether the diagram draws the endpoint ({@link #node}): a Kafka topic or a system called over HTTP. */
    private static boolean drawn(String uri) {
        return uri.startsWith("kafka:") || uri.startsWith("http:") || uri.startsWith("https:");
    }

    /**
     * The flow ID that starts the description of the route, or of the REST verb that made it; else the route id
     * (a kamelet's route without its number).
     */
    private static String flowOf(Exchange exchange, String routeId) {
        Route route = exchange.getContext().getRoute(routeId);
        String flow = flowIn(route == null ? null : route.getDescription());
        if (flow == null && exchange.getContext() instanceof ModelCamelContext model) {
            for (RestDefinition rest : model.getRestDefinitions()) {
                for (VerbDefinition verb : rest.getVerbs()) {
                    if (routeId.equals(verb.getRouteId())) {
                        flow = flowIn(verb.getDescriptionText());
                    }
                }
            }
        }
        return flow != null ? flow : routeId.replaceFirst("-\\d+$", "");
    }

    private static String flowIn(String description) {
        Matcher matcher = description == null ? null : FLOW_ID.matcher(description);
        return matcher != null && matcher.find() ? matcher.group(1) : null;
    }

    /** The diagram's node an endpoint stands for: a topic, a system called over HTTP, or null (not drawn). */
    static String node(Endpoint endpoint) {
        String uri = endpoint.getEndpointUri();
        if (uri.startsWith("kafka:")) {
            int end = uri.indexOf('?');
            return "topic:" + uri.substring("kafka:".length(), end < 0 ? uri.length() : end).replace("//", "");
        }
        if (uri.startsWith("http:") || uri.startsWith("https:")) {
            Matcher matcher = SYSTEM_PATH.matcher(uri);
            return "system:" + (matcher.find() ? matcher.group(1) : "http");
        }
        return null;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeSentEvent || event instanceof CamelEvent.ExchangeCompletedEvent
                || event instanceof CamelEvent.ExchangeFailedEvent;
    }
}
