package com.insurancehub.hub.platform;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The correlation id end to end on the real stack: one id follows a subscription from the portal's request to the
 * confirmation email (response, PAS outbox row, Kafka record, consumer, Notifications); a malformed id is replaced,
 * an absent one generated, both answered; errors answer it too; a dead letter and its replay keep it, and the
 * consumer that dead-letters it logs with it.
 */
@HubIntegrationTest
class CorrelationIdIntegrationTest {

    private static final String HEADER = "X-Correlation-Id";
    private static final String QUOTE_TOPIC = "insurance.quote.events";
    private static final String POLICY_TOPIC = "insurance.policy.events";
    private static final String UUID_FORMAT = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @LocalServerPort
    int port;

    /** The database owner: PAS's outbox and the relay's heartbeat are beyond the hub's own role */
    final JdbcTemplate jdbc = new JdbcTemplate(DevServices.shared().superuserDataSource());

    private HubApi api;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void setUp() {
        api = new HubApi(port);
        logs.start();
        root().addAppender(logs);
        // the PAS relay streams from its slot once it beats (every second in the test profile)
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM relay.outbox_heartbeat WHERE source = 'pas' AND beat_at > now() - interval '5 seconds'",
                Integer.class) > 0);
    }

    @AfterEach
    void tearDown() {
        root().detachAppender(logs);
    }

    @Test
    void oneIdFollowsASubscriptionFromTheRequestToTheConfirmationEmail() {
        String id = "test-corr-" + UUID.randomUUID();
        try (KafkaRecords quoteEvents = KafkaRecords.of(QUOTE_TOPIC); KafkaRecords policyEvents = KafkaRecords.of(POLICY_TOPIC)) {
            HubApi.Response quote = api.post("/api/quotes",
                    HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "corr-" + UUID.randomUUID() + "@example.com"),
                    HEADER, id);
            assertThat(quote.status()).as(String.valueOf(quote.body())).isEqualTo(201);
            assertThat(quote.headerValues(HEADER)).containsExactly(id);
            String quoteId = quote.body().get("quoteId").asText();
            // the hub's own event (insurance-event-sink)
            assertThat(KafkaRecords.header(quoteEvents.awaitKey(quoteId, Duration.ofSeconds(15)), HEADER)).isEqualTo(id);

            HubApi.Response subscribed = api.post("/api/quotes/" + quoteId + "/subscribe", "", HEADER, id);
            assertThat(subscribed.status()).as(String.valueOf(subscribed.body())).isEqualTo(201);
            assertThat(subscribed.headerValues(HEADER)).containsExactly(id);
            String policyId = subscribed.body().get("policyId").asText();

            // PAS kept the id of the request that issued the policy with its outbox row...
            assertThat(jdbc.queryForObject("SELECT correlation_id FROM pas.outbox WHERE aggregate_id = ? AND event_type = 'PolicyCreated'",
                    String.class, policyId)).isEqualTo(id);
            // ...the relay made it the record's header...
            ConsumerRecord<String, String> policyCreated = policyEvents.await(r -> policyId.equals(r.key())
                    && "PolicyCreated".equals(KafkaRecords.header(r, "eventType")), Duration.ofSeconds(15));
            assertThat(KafkaRecords.header(policyCreated, HEADER)).isEqualTo(id);
            // ...and the Notifications consumer sent it with the confirmation email
            JsonNode email = await().atMost(Duration.ofSeconds(20))
                    .until(() -> Policies.messages(policyId, "policy-confirmation"), messages -> messages.size() == 1).get(0);
            assertThat(email.path("correlationId").asText()).isEqualTo(id);
        }
    }

    @Test
    void aMalformedIdIsReplacedAndNeverEchoed() throws Exception {
        try (KafkaRecords quoteEvents = KafkaRecords.of(QUOTE_TOPIC)) {
            // as much of "bad id\r\n<script>" as an HTTP client lets through
            HubApi.Response quote = api.post("/api/quotes",
                    HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "bad-" + UUID.randomUUID() + "@example.com"),
                    HEADER, "bad id <script>");
            assertThat(quote.status()).isEqualTo(201);
            assertThat(quote.headerValues(HEADER)).singleElement().asString().matches(UUID_FORMAT);
            String replacement = quote.headerValues(HEADER).get(0);
            // the replacement, not the malformed value, goes on
            ConsumerRecord<String, String> event = quoteEvents.awaitKey(quote.body().get("quoteId").asText(), Duration.ofSeconds(15));
            assertThat(KafkaRecords.header(event, HEADER)).isEqualTo(replacement);
            assertThat(String.valueOf(quote.body())).doesNotContain("<script>");
        }
        // the raw header with its CR LF: whoever answers (here the container's parser), nothing of it comes back
        String answer = rawRequest("GET /api/quotes/Q-unknown HTTP/1.1\r\nHost: localhost\r\n"
                + HEADER + ": bad id\r\n<script>\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 4");
        assertThat(answer).doesNotContain("<script>").doesNotContain("bad id");
    }

    @Test
    void anAbsentIdIsGeneratedAnsweredAndPassedOn() {
        try (KafkaRecords quoteEvents = KafkaRecords.of(QUOTE_TOPIC)) {
            HubApi.Response quote = api.post("/api/quotes",
                    HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "none-" + UUID.randomUUID() + "@example.com"));
            assertThat(quote.status()).isEqualTo(201);
            assertThat(quote.headerValues(HEADER)).singleElement().asString().matches(UUID_FORMAT);
            ConsumerRecord<String, String> event = quoteEvents.awaitKey(quote.body().get("quoteId").asText(), Duration.ofSeconds(15));
            assertThat(KafkaRecords.header(event, HEADER)).isEqualTo(quote.headerValues(HEADER).get(0));
        }
    }

    @Test
    void problemsAndUnknownPathsAnswerTheId() {
        String id = "test-corr-" + UUID.randomUUID();

        HubApi.Response notFound = api.get("/api/quotes/Q-" + UUID.randomUUID(), HEADER, id);
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.contentType()).startsWith("application/problem+json");
        assertThat(notFound.headerValues(HEADER)).containsExactly(id);

        HubApi.Response invalid = api.post("/api/quotes", "{\"product\":\"AUTO\"}", HEADER, id);
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.contentType()).startsWith("application/problem+json");
        assertThat(invalid.headerValues(HEADER)).containsExactly(id);

        // answered by Spring, outside Camel
        HubApi.Response unknownPath = api.get("/api/no-such-resource", HEADER, id);
        assertThat(unknownPath.status()).isEqualTo(404);
        assertThat(unknownPath.headerValues(HEADER)).containsExactly(id);
    }

    @Test
    void aDeadLetterKeepsTheIdAndItsReplayCarriesItAgain() {
        String id = "test-corr-" + UUID.randomUUID();
        String key = "Q-" + UUID.randomUUID();
        try (KafkaRecords quoteEvents = KafkaRecords.of(QUOTE_TOPIC); KafkaRecords dlq = KafkaRecords.of(QUOTE_TOPIC + ".dlq")) {
            // poison (not JSON): the quote view's consumer dead-letters it at once
            KafkaRecords.send(QUOTE_TOPIC, key, "{not json", Map.of("eventType", "QuoteGenerated", HEADER, id));

            ConsumerRecord<String, String> dead = dlq.awaitKey(key, Duration.ofSeconds(15));
            assertThat(KafkaRecords.header(dead, HEADER)).isEqualTo(id);
            // the consumer's exchange logged with it
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> assertThat(List.copyOf(logs.list))
                    .anySatisfy(event -> {
                        assertThat(event.getFormattedMessage()).startsWith("Dead letter from " + QUOTE_TOPIC).contains(key);
                        assertThat(event.getMDCPropertyMap()).containsEntry("correlationId", id);
                    }));

            // the store keeps it with the record's headers
            JsonNode stored = await().atMost(Duration.ofSeconds(15)).until(() -> deadLetterOf(key), java.util.Objects::nonNull);
            assertThat(api.get("/api/dead-letters/" + stored.get("id").asText()).body().path("headers").path(HEADER).asText())
                    .isEqualTo(id);

            HubApi.Response replay = api.post("/api/dead-letters/" + stored.get("id").asText() + "/replay", "");
            assertThat(replay.status()).as(String.valueOf(replay.body())).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                List<ConsumerRecord<String, String>> sent = quoteEvents.matching(r -> key.equals(r.key()));
                assertThat(sent).hasSize(2).allSatisfy(r -> assertThat(KafkaRecords.header(r, HEADER)).isEqualTo(id));
            });
        }
    }

    private JsonNode deadLetterOf(String key) {
        for (JsonNode deadLetter : api.get("/api/dead-letters?topic=" + QUOTE_TOPIC).body()) {
            if (key.equals(deadLetter.path("key").asText())) {
                return deadLetter;
            }
        }
        return null;
    }

    private String rawRequest(String request) throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
