package com.insurancehub.hub.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.KafkaRecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * R01, R02, R04 through the shared consumer convention (kafka-consumer-errors), on the quote subscription view's
 * consumer: poison records go to the dead-letter topic with their reason and the partition keeps flowing;
 * redelivered and older events change nothing.
 */
@HubIntegrationTest
class KafkaConsumerErrorsIntegrationTest {

    private static final String TOPIC = "insurance.quote.events";

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aRecordThatIsNotJsonGoesToTheDlqWithItsReasonAndTheNextRecordIsApplied() {
        String key = "Q-" + UUID.randomUUID();
        KafkaRecords.send(TOPIC, key, "{this is not json", Map.of("eventType", "QuoteGenerated"));
        // Same key, so same partition: it is behind the poison record.
        KafkaRecords.send(TOPIC, key, quoteGenerated(key, 1, "after-poison@example.com").json(),
                Map.of("eventType", "QuoteGenerated"));

        try (KafkaRecords dlq = KafkaRecords.of(TOPIC + ".dlq")) {
            // every consumer of the topic dead-letters it (the event store too): this one's record
            ConsumerRecord<String, String> dead = dlq.await(r -> key.equals(r.key())
                    && "quote-events-to-subscription-view".equals(KafkaRecords.header(r, "dlqFailedRoute")), Duration.ofSeconds(15));
            assertThat(dead.value()).isEqualTo("{this is not json");
            assertThat(KafkaRecords.header(dead, "dlqReason")).isNotBlank();
            assertThat(KafkaRecords.header(dead, "dlqOriginalTopic")).isEqualTo(TOPIC);
            assertThat(KafkaRecords.header(dead, "dlqFailedRoute")).isEqualTo("quote-events-to-subscription-view");
            assertThat(KafkaRecords.header(dead, "dlqOriginalOffset")).isNotBlank();
            assertThat(KafkaRecords.header(dead, "dlqRedeliveries")).as("poison is not retried").isEqualTo("0");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(emailOf(key)).isEqualTo("after-poison@example.com"));
    }

    @Test
    void anEventThatBreaksItsSchemaGoesToTheDlqWithoutRetries() {
        String key = "Q-" + UUID.randomUUID();
        String noPremium = quoteGenerated(key, 1, "x@example.com").without("premium").json();
        KafkaRecords.send(TOPIC, key, noPremium, Map.of("eventType", "QuoteGenerated"));

        try (KafkaRecords dlq = KafkaRecords.of(TOPIC + ".dlq")) {
            ConsumerRecord<String, String> dead = dlq.await(r -> key.equals(r.key())
                    && "quote-events-to-subscription-view".equals(KafkaRecords.header(r, "dlqFailedRoute")), Duration.ofSeconds(15));
            assertThat(KafkaRecords.header(dead, "dlqReason")).contains("premium");
            assertThat(KafkaRecords.header(dead, "dlqException")).endsWith("JsonValidationException");
            assertThat(KafkaRecords.header(dead, "dlqRedeliveries")).as("poison is not retried").isEqualTo("0");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM hub.quote_subscription_view WHERE quote_id = ?",
                Integer.class, key)).isZero();
    }

    @Test
    void aRedeliveredOrOlderEventChangesNothing() {
        String key = "Q-" + UUID.randomUUID();
        String v2 = quoteGenerated(key, 2, "v2@example.com").json();
        KafkaRecords.send(TOPIC, key, v2, Map.of("eventType", "QuoteGenerated"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(emailOf(key)).isEqualTo("v2@example.com"));
        Instant appliedAt = jdbc.queryForObject("SELECT updated_at FROM hub.quote_subscription_view WHERE quote_id = ?",
                java.sql.Timestamp.class, key).toInstant();

        KafkaRecords.send(TOPIC, key, v2, Map.of("eventType", "QuoteGenerated"));                     // redelivered
        KafkaRecords.send(TOPIC, key, quoteGenerated(key, 1, "v1-late@example.com").json(), Map.of());       // older, late
        String marker = "Q-" + UUID.randomUUID();
        KafkaRecords.send(TOPIC, key, quoteGenerated(marker, 1, "marker@example.com").json(), Map.of());     // behind them

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(emailOf(marker)).isEqualTo("marker@example.com"));
        assertThat(emailOf(key)).isEqualTo("v2@example.com");
        assertThat(jdbc.queryForObject("SELECT updated_at FROM hub.quote_subscription_view WHERE quote_id = ?",
                java.sql.Timestamp.class, key).toInstant()).isEqualTo(appliedAt);
    }

    private String emailOf(String quoteId) {
        return jdbc.query("SELECT customer_email FROM hub.quote_subscription_view WHERE quote_id = ?",
                rs -> rs.next() ? rs.getString(1) : null, quoteId);
    }

    private static Events.Event quoteGenerated(String quoteId, int version, String email) {
        return Events.of("QuoteGenerated").aggregate(quoteId, version).data("""
                {"quoteId":"%s","product":"AUTO","premium":500.00,"currency":"EUR","ratingSource":"EXTERNAL",
                 "validUntil":"2026-12-22T10:00:00.000Z","customer":{"email":"%s"}}""".formatted(quoteId, email));
    }
}
