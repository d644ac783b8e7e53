package com.insurancehub.hub.platform.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

import com.insurancehub.dev.DevServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stuck-consumer rule on a real broker: a group of its own with lag, its committed offset moved by hand (as a
 * consumer commits, also one that dead-letters what fails) and the check's clock moved on.
 */
class ConsumerGroupCheckTest {

    private static final Duration STUCK_AFTER = Duration.ofSeconds(60);
    private static Admin admin;
    private final String topic = "health-test-" + UUID.randomUUID();
    private final String group = "health-test-group-" + UUID.randomUUID();
    private final TopicPartition partition = new TopicPartition(topic, 0);
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @BeforeAll
    static void connect() {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, DevServices.shared().kafkaBootstrapServers()));
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    @Test
    void aGroupWithLagIsStuckOnlyOnceItsCommittedOffsetHasNotMovedForTheThreshold() throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        produce(3);
        commit(1);
        ConsumerGroupCheck check = new ConsumerGroupCheck(admin, Duration.ofSeconds(5), STUCK_AFTER, clock());

        Health first = check.evaluate(List.of(group));
        assertThat(first.getStatus()).isEqualTo(Status.UP); // lag, but seen for the first time
        assertThat(check.states().get(group).lag()).isEqualTo(2);

        now = now.plus(STUCK_AFTER).plusSeconds(1);
        Health stuck = check.evaluate(List.of(group));
        assertThat(stuck.getStatus()).isEqualTo(Status.DOWN);
        assertThat(stuck.getDetails().get("reasons").toString()).contains("consumer group " + group + " is stuck", topic + "-0");
        assertThat(check.states().get(group).stuck()).isTrue();

        // a consumer that moves on - processing or dead-lettering a record - is not stuck, even with lag left
        commit(2);
        now = now.plusSeconds(1);
        assertThat(check.evaluate(List.of(group)).getStatus()).isEqualTo(Status.UP);
        assertThat(check.states().get(group).lag()).isEqualTo(1);
        now = now.plus(STUCK_AFTER).plusSeconds(1);
        assertThat(check.evaluate(List.of(group)).getStatus()).isEqualTo(Status.DOWN);

        // without lag, a group that has not moved for long is idle, not stuck
        commit(3);
        now = now.plus(STUCK_AFTER).plusSeconds(1);
        assertThat(check.evaluate(List.of(group)).getStatus()).isEqualTo(Status.UP);
        now = now.plus(STUCK_AFTER).plusSeconds(1);
        Health idle = check.evaluate(List.of(group));
        assertThat(idle.getStatus()).isEqualTo(Status.UP);
        assertThat(check.states().get(group).lag()).isZero();
        assertThat((Map<?, ?>) idle.getDetails().get("lagging")).isEmpty();
    }

    @Test
    void aGroupThatNeverCommittedIsLeftOut() throws Exception {
        ConsumerGroupCheck check = new ConsumerGroupCheck(admin, Duration.ofSeconds(5), STUCK_AFTER, clock());
        Health health = check.evaluate(List.of(group));
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(check.states().get(group).lag()).isZero();
    }

    private Clock clock() {
        return new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
    }

    private void produce(int records) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DevServices.shared().kafkaBootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "key", "record " + i)).get();
            }
        }
    }

    private void commit(long offset) throws Exception {
        admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(offset))).all().get();
    }
}
