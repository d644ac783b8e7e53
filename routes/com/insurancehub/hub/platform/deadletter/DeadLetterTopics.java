package com.insurancehub.hub.platform.deadletter;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Creates {@code <topic>.dlq} for every event topic of the hub ({@code hub.topics.*}) when the hub starts, before
 * its routes: the DLQ store subscribes by pattern and sees a topic that appears later only at its next metadata
 * refresh ({@code hub.dead-letters.topic-refresh-interval}), so the first dead letter of a topic would show up to
 * that much later than the next ones. Kafka unreachable at start is no reason not to start: the topic is then made
 * by the first dead letter, as before, and noticed at the next refresh.
 */
@Component
public class DeadLetterTopics implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTopics.class);

    private final String brokers;
    private final List<String> topics;

    public DeadLetterTopics(Environment environment, @Value("${hub.kafka.brokers}") String brokers) {
        this.brokers = brokers;
        this.topics = Binder.get(environment).bind("hub.topics", Bindable.mapOf(String.class, String.class))
                .orElse(Map.of()).values().stream().map(topic -> topic + ".dlq").sorted().toList();
    }

    @Override
    public void afterPropertiesSet() throws InterruptedException {
        AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.CLIENT_ID_CONFIG, "hub-dead-letter-topics"));
        try {
            // one request for all, the broker's defaults as for a topic the first dead letter would create; at most
            // 5 s in all when Kafka does not answer
            Map<String, KafkaFuture<Void>> created = admin.createTopics(topics.stream()
                    .map(topic -> new NewTopic(topic, Optional.empty(), Optional.empty())).toList()).values();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (Map.Entry<String, KafkaFuture<Void>> topic : created.entrySet()) {
                try {
                    topic.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        LOG.warn("Could not create {} now: the first dead letter will ({})", topic.getKey(),
                                e.getCause().getMessage());
                    }
                } catch (TimeoutException e) {
                    LOG.warn("Could not create {} now: the first dead letter will (Kafka did not answer)", topic.getKey());
                }
            }
        } finally {
            admin.close(Duration.ofSeconds(1)); // not the default: it would wait for requests Kafka never answered
        }
    }
}
