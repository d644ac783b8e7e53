package com.insurancehub.hub.platform;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.component.kafka.KafkaConsumer;
import org.apache.camel.impl.engine.DefaultShutdownStrategy;
import org.apache.camel.spi.RouteStartupOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's shutdown strategy, except that a stopping hub stops its Kafka consumers side by side instead of one after
 * the other.
 *
 * <p>Camel goes through the routes one at a time: it suspends each consumer, waits for the exchanges in flight, then
 * stops each consumer. A Kafka consumer's suspension and its stop each wait for its poll to return
 * ({@code camel.component.kafka.poll-timeout-ms}), and its stop then leaves the group: about half a second per
 * consumer route, eleven seconds for the hub's twenty-odd. Here, when the whole context (or a route) shuts down - not
 * when routes are only suspended - every Kafka consumer starts its stop where Camel would suspend it, all at once;
 * Camel then waits for the exchanges in flight as always, and where it would stop the consumer it waits for that
 * stop instead. A stop does what it always did: the record being processed finishes (its retries included), its
 * offset is committed, and what the last poll fetched beyond it is fetched again by the group's next member.
 */
public class KafkaConsumersStopTogether extends DefaultShutdownStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaConsumersStopTogether.class);

    private final Map<Consumer, Future<?>> stopping = new ConcurrentHashMap<>();
    private volatile ExecutorService stoppers;

    @Override
    protected boolean doShutdown(CamelContext context, List<RouteStartupOrder> routes, long timeout, TimeUnit timeUnit,
                                 boolean suspendOnly, boolean abortAfterTimeout, boolean forceShutdown) throws Exception {
        if (suspendOnly) {
            return super.doShutdown(context, routes, timeout, timeUnit, true, abortAfterTimeout, forceShutdown);
        }
        AtomicInteger count = new AtomicInteger();
        stoppers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "kafka-consumer-stop-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            return super.doShutdown(context, routes, timeout, timeUnit, false, abortAfterTimeout, forceShutdown);
        } finally {
            stoppers.shutdown();
            stoppers = null;
            stopping.clear();
        }
    }

    @Override
    protected void suspendNow(String routeId, Consumer consumer) {
        ExecutorService executor = stoppers;
        if (executor != null && consumer instanceof KafkaConsumer) {
            stopping.put(consumer, executor.submit(() -> super.shutdownNow(routeId, consumer)));
        } else {
            super.suspendNow(routeId, consumer);
        }
    }

    @Override
    protected void shutdownNow(String routeId, Consumer consumer) {
        Future<?> stop = consumer == null ? null : stopping.remove(consumer);
        if (stop == null) {
            super.shutdownNow(routeId, consumer);
            return;
        }
        try {
            stop.get();
        } catch (InterruptedException e) {
            // Camel's graceful timeout: its forced stop of the route waits for this stop to end
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("Stopping the Kafka consumer of route {} failed", routeId, e.getCause());
        }
    }
}
