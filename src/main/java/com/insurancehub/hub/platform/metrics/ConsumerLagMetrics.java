package com.insurancehub.hub.platform.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * {@code hub_kafka_consumer_lag{group,topic,partition}} (O02): records of each partition after its group's committed
 * offset, for the hub's own consumer groups (its Kafka routes' groups). One round every
 * {@code hub.metrics.consumer-lag.interval} on one daemon thread: per group one listConsumerGroupOffsets, then one
 * listOffsets for all their partitions. A partition that goes away (topic deleted, group gone) loses its gauge at the
 * next round. A round that fails keeps the last values (logged once per failure streak).
 */
@Component
public class ConsumerLagMetrics implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagMetrics.class);

    private final CamelContext camelContext;
    private final ApplicationContext applicationContext;
    private final MeterRegistry registry;
    private final String brokers;
    private final boolean enabled;
    private final Duration interval;
    private final Duration timeout;
    private final MultiGauge lag;
    private volatile Map<PartitionOfGroup, Long> lags = Map.of();
    private ScheduledExecutorService executor;
    private Admin admin;
    private boolean failing;

    record PartitionOfGroup(String group, TopicPartition partition) {
    }

    public ConsumerLagMetrics(CamelContext camelContext, ApplicationContext applicationContext, MeterRegistry registry,
                              @Value("${hub.kafka.brokers}") String brokers,
                              @Value("${hub.metrics.consumer-lag.enabled:true}") boolean enabled,
                              @Value("${hub.metrics.consumer-lag.interval:15s}") Duration interval,
                              @Value("${hub.metrics.consumer-lag.timeout:5s}") Duration timeout) {
        this.camelContext = camelContext;
        this.applicationContext = applicationContext;
        this.registry = registry;
        this.brokers = brokers;
        this.enabled = enabled;
        this.interval = interval;
        this.timeout = timeout;
        this.lag = MultiGauge.builder("hub.kafka.consumer.lag")
                .description("Records of the partition after the group's committed offset (hub.metrics.consumer-lag.interval)")
                .register(registry);
    }

    /** The last round's lag per group and partition (what the gauges say). */
    public Map<PartitionOfGroup, Long> lags() {
        return lags;
    }

    @EventListener
    public synchronized void start(ApplicationReadyEvent ready) {
        if (!enabled || executor != null || ready.getApplicationContext() != applicationContext) {
            return;
        }
        int timeoutMs = (int) timeout.toMillis();
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.CLIENT_ID_CONFIG, "hub-consumer-lag-metrics"));
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "hub-consumer-lag-metrics");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::round, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @EventListener
    public void stop(ContextClosedEvent closed) {
        if (closed.getApplicationContext() == applicationContext) {
            destroy();
        }
    }

    @Override
    public synchronized void destroy() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
            admin = null;
        }
    }

    private void round() {
        try {
            Map<PartitionOfGroup, Long> measured = measure(groups());
            lags = measured;
            lag.register(measured.entrySet().stream()
                    .map(e -> MultiGauge.Row.of(Tags.of("group", e.getKey().group(), "topic", e.getKey().partition().topic(),
                            "partition", Integer.toString(e.getKey().partition().partition())), e.getValue()))
                    .collect(Collectors.toList()), true);
            if (failing) {
                LOG.info("Consumer lag measured again");
                failing = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!failing) {
                LOG.warn("Consumer lag not measured (the gauges keep their last values): {}", e.toString());
                failing = true;
            }
        }
    }

    /** The hub's own groups: those of its Kafka consumer routes. */
    private Set<String> groups() {
        Set<String> groups = new TreeSet<>();
        for (Route route : camelContext.getRoutes()) {
            if (route.getEndpoint() instanceof KafkaEndpoint kafka && kafka.getConfiguration().getGroupId() != null) {
                groups.add(kafka.getConfiguration().getGroupId());
            }
        }
        return groups;
    }

    private Map<PartitionOfGroup, Long> measure(Set<String> groups) throws Exception {
        long timeoutMs = timeout.toMillis();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(timeoutMs, TimeUnit.MILLISECONDS));
            offsets.values().removeIf(offset -> offset == null);
            committed.put(group, offsets);
        }
        Set<TopicPartition> partitions = committed.values().stream().flatMap(p -> p.keySet().stream()).collect(Collectors.toSet());
        ListOffsetsResult ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())));
        Map<PartitionOfGroup, Long> measured = new HashMap<>();
        List<TopicPartition> gone = new ArrayList<>();
        for (Map.Entry<String, Map<TopicPartition, OffsetAndMetadata>> group : committed.entrySet()) {
            for (Map.Entry<TopicPartition, OffsetAndMetadata> partition : group.getValue().entrySet()) {
                long end;
                try {
                    end = ends.partitionResult(partition.getKey()).get(timeoutMs, TimeUnit.MILLISECONDS).offset();
                } catch (ExecutionException e) {
                    gone.add(partition.getKey()); // deleted since the group committed: no gauge
                    continue;
                }
                measured.put(new PartitionOfGroup(group.getKey(), partition.getKey()),
                        Math.max(0, end - partition.getValue().offset()));
            }
        }
        if (!gone.isEmpty()) {
            LOG.debug("Partitions without an end offset, left out: {}", gone);
        }
        return measured;
    }
}
