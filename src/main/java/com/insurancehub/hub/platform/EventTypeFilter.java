package com.insurancehub.hub.platform;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * A Kafka consumer interceptor: a consumer route receives only the event types it handles (its
 * {@value #EVENT_TYPES} setting) and records without an {@code eventType} header; records of other types are dropped
 * in the Kafka client, before Camel makes an exchange of them.
 *
 * <p>Why: each consumer route has its own consumer group, so every group reads every record of its topic. The route
 * skips other types on the header anyway (its first filter), but an exchange per record, with its unit of work,
 * route metrics and tracing, made the consumers of the billing topic cost as much CPU as the outbox relay itself in
 * a burst (docs/performance.md). Nothing is lost: a record without the header still reaches the route, which reads
 * it and dead-letters it if it is no event (R04); the positions of dropped records are committed like any other.
 *
 * <p>Set on a consumer endpoint with {@code interceptorClasses} and
 * {@code additionalProperties.insurance.eventTypes=TypeA,TypeB}. The hub sets the class with
 * {@code hub.consumer.event-type-filter}; a YAML route run alone with {@code camel run} leaves it out (optional
 * placeholder) and relies on its own filter.
 */
public class EventTypeFilter implements ConsumerInterceptor<Object, Object> {

    /** The consumer setting that lists the event types to deliver (comma separated). */
    public static final String EVENT_TYPES = "insurance.eventTypes";

    private Set<String> eventTypes = Set.of();

    @Override
    public void configure(Map<String, ?> configs) {
        Object types = configs.get(EVENT_TYPES);
        eventTypes = types == null ? Set.of() : Arrays.stream(types.toString().split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        if (eventTypes.isEmpty() || records.isEmpty()) {
            return records;
        }
        Map<TopicPartition, List<ConsumerRecord<Object, Object>>> kept = new HashMap<>();
        boolean droppedAny = false;
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<Object, Object>> ofPartition = records.records(partition);
            List<ConsumerRecord<Object, Object>> delivered = new ArrayList<>(ofPartition.size());
            for (ConsumerRecord<Object, Object> record : ofPartition) {
                if (wanted(record)) {
                    delivered.add(record);
                } else {
                    droppedAny = true;
                }
            }
            if (!delivered.isEmpty()) {
                kept.put(partition, delivered);
            }
        }
        return droppedAny ? new ConsumerRecords<>(kept) : records;
    }

    private boolean wanted(ConsumerRecord<Object, Object> record) {
        Header header = record.headers().lastHeader("eventType");
        return header == null || header.value() == null
                || eventTypes.contains(new String(header.value(), StandardCharsets.UTF_8));
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        // nothing to do: positions of dropped records are committed like the others
    }

    @Override
    public void close() {
        // nothing held
    }
}
