package com.insurancehub.hub.platform.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.actuate.health.Health;

/**
 * Component {@code consumerGroups}: a group is stuck when a partition has lag and its committed offset has not moved for
 * {@code hub.health.consumers.stuck-after} (why that rule: docs/architecture.md#health). The first sight of a
 * partition counts as a move; partitions the group never committed are left out (nothing says where it would start).
 */
final class ConsumerGroupCheck {

    /** A group after an evaluation, for the metrics: its lag in all, whether stuck, and the lag of each partition. */
    record GroupState(String group, long lag, boolean stuck, Map<TopicPartition, Long> partitionLags) {
    }

    private record Progress(long committed, Instant movedAt) {
    }

    private final Admin admin;
    private final Duration timeout;
    private final Duration stuckAfter;
    private final Clock clock;
    private final Map<String, Map<TopicPartition, Progress>> progress = new HashMap<>();
    private volatile Map<String, GroupState> states = Map.of();

    ConsumerGroupCheck(Admin admin, Duration timeout, Duration stuckAfter, Clock clock) {
        this.admin = admin;
        this.timeout = timeout;
        this.stuckAfter = stuckAfter;
        this.clock = clock;
    }

    Map<String, GroupState> states() {
        return states;
    }

    /** One evaluation of these groups (every call bounded by the timeout). */
    Health evaluate(Collection<String> groups) throws InterruptedException, ExecutionException, TimeoutException {
        Instant now = clock.instant();
        int timeoutMs = (int) timeout.toMillis();
        ListConsumerGroupOffsetsResult offsets = admin.listConsumerGroupOffsets(
                groups.stream().collect(Collectors.toMap(g -> g, g -> new ListConsumerGroupOffsetsSpec(), (a, b) -> a)),
                new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new TreeMap<>();
        List<String> unreadable = new ArrayList<>();
        for (String group : groups) {
            try {
                Map<TopicPartition, OffsetAndMetadata> partitions = new HashMap<>(
                        offsets.partitionsToOffsetAndMetadata(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
                partitions.values().removeIf(offset -> offset == null);
                committed.put(group, partitions);
            } catch (ExecutionException e) {
                unreadable.add(group + " (" + e.getCause().getClass().getSimpleName() + ")");
            }
        }
        Set<TopicPartition> partitions = committed.values().stream().flatMap(p -> p.keySet().stream()).collect(Collectors.toSet());
        ListOffsetsResult ends = admin.listOffsets(
                partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())),
                new ListOffsetsOptions().timeoutMs(timeoutMs));

        Map<String, GroupState> evaluated = new TreeMap<>();
        Map<String, Object> lagging = new TreeMap<>();
        List<String> reasons = new ArrayList<>();
        for (Map.Entry<String, Map<TopicPartition, OffsetAndMetadata>> group : committed.entrySet()) {
            Map<TopicPartition, Progress> previous = progress.getOrDefault(group.getKey(), Map.of());
            Map<TopicPartition, Progress> current = new HashMap<>();
            Map<TopicPartition, Long> partitionLags = new HashMap<>();
            long lag = 0;
            long stuckForMs = -1;
            List<String> stuckPartitions = new ArrayList<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> partition : group.getValue().entrySet()) {
                long end;
                try {
                    end = ends.partitionResult(partition.getKey()).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
                } catch (ExecutionException e) {
                    continue; // e.g. a topic deleted since: no lag to speak of
                }
                long offset = partition.getValue().offset();
                long partitionLag = Math.max(0, end - offset);
                Progress before = previous.get(partition.getKey());
                Progress moved = before == null || before.committed() != offset || partitionLag == 0
                        ? new Progress(offset, now) : before;
                current.put(partition.getKey(), moved);
                partitionLags.put(partition.getKey(), partitionLag);
                lag += partitionLag;
                long stillForMs = Duration.between(moved.movedAt(), now).toMillis();
                if (partitionLag > 0 && stillForMs > stuckAfter.toMillis()) {
                    stuckPartitions.add(partition.getKey().toString());
                    stuckForMs = Math.max(stuckForMs, stillForMs);
                }
            }
            progress.put(group.getKey(), current);
            boolean stuck = !stuckPartitions.isEmpty();
            evaluated.put(group.getKey(), new GroupState(group.getKey(), lag, stuck, partitionLags));
            if (lag > 0) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("lag", lag);
                details.put("stuck", stuck);
                if (stuck) {
                    details.put("stuckPartitions", stuckPartitions);
                    details.put("notMovedForSeconds", stuckForMs / 1000);
                }
                lagging.put(group.getKey(), details);
            }
            if (stuck) {
                reasons.add("consumer group " + group.getKey() + " is stuck: " + lag + " record(s) behind, its committed offset "
                        + "has not moved for " + stuckForMs / 1000 + " s on " + String.join(", ", stuckPartitions));
            }
        }
        progress.keySet().retainAll(groups); // an unreadable group keeps what was known of it
        states = evaluated;

        Health.Builder health = reasons.isEmpty() ? Health.up() : Health.down().withDetail("reasons", reasons);
        health.withDetail("groups", groups.size()).withDetail("lagging", lagging);
        if (!unreadable.isEmpty()) {
            health.withDetail("unreadable", unreadable);
        }
        return health.build();
    }
}
