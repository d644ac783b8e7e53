package com.insurancehub.hub.policy;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.RecordedSpans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * O01: one trace id ties the subscribe call, the saga's calls, the outbox relay (through the traceparent PAS
 * stores with its outbox row) and every PolicyCreated consumer (trace context in the Kafka headers).
 */
@HubIntegrationTest
class SubscriptionTracingIntegrationTest {

    @LocalServerPort
    int port;

    @Test
    void theSubscribeCallTheRelayAndEveryConsumerShareOneTraceId() {
        HubApi api = new HubApi(port);
        HubApi.Response quote = api.post("/api/quotes",
                HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "trace-" + UUID.randomUUID() + "@example.com"));
        String quoteId = quote.body().get("quoteId").asText();
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        String callerSpan = HexFormat.of().formatHex(randomBytes(8));

        HubApi.Response subscribed = api.post("/api/quotes/" + quoteId + "/subscribe", "",
                "traceparent", "00-" + traceId + "-" + callerSpan + "-01");

        assertThat(subscribed.status()).as(String.valueOf(subscribed.body())).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<SpanData> trace = RecordedSpans.ofTrace(traceId);
            String seen = describe(trace);
            // the saga's calls to PAS (whose outbox row keeps the context) ...
            assertThat(urls(trace)).as(seen).anyMatch(u -> u.contains("/pas/policies"));
            // ... the relay, a child of the span that wrote the row ...
            assertThat(trace).as(seen).anyMatch(s -> s.getName().endsWith(" relay")
                    && "PolicyCreated".equals(s.getAttributes().asMap().entrySet().stream()
                    .filter(e -> e.getKey().getKey().equals("insurance.event_type")).map(e -> String.valueOf(e.getValue()))
                    .findFirst().orElse("")));
            // ... and each consumer's call to its system
            assertThat(urls(trace)).as(seen).anyMatch(u -> u.contains("/billing/invoices"))
                    .anyMatch(u -> u.contains("/notifications/messages"))
                    .anyMatch(u -> u.contains("/audit/records"))
                    .anyMatch(u -> u.contains("/documents/requests"));
        });
    }

    private static String describe(List<SpanData> spans) {
        StringBuilder text = new StringBuilder("spans of the trace:");
        spans.forEach(s -> text.append("\n  ").append(s.getKind()).append(' ').append(s.getName()).append(' ')
                .append(s.getAttributes().asMap()));
        return text.toString();
    }

    private static List<String> urls(List<SpanData> spans) {
        return spans.stream().flatMap(s -> s.getAttributes().asMap().entrySet().stream()
                        .filter(e -> e.getKey().getKey().contains("url") || e.getKey().getKey().equals("camel.uri"))
                        .map(e -> String.valueOf(e.getValue())))
                .toList();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        bytes[0] |= 1; // never the all-zero (invalid) id
        return bytes;
    }
}
