package com.insurancehub.hub.support;

import java.util.Collection;
import java.util.List;

import io.opentelemetry.sdk.common.CompletableResultCode;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Every span the hub ends, kept in memory for the tests (O01), next to whatever exporter is configured.
 * A span processor, not an exporter bean: Spring Boot would also hand an exporter bean to its batch processor.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RecordedSpans {

    private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();

    /**
     * Every hub context of the suite feeds the one exporter; a context that closes (a test's own, a second instance)
     * shuts its processor down, which must not stop the exporter the others still record into.
     */
    @Bean
    SpanProcessor recordedSpansProcessor() {
        return SimpleSpanProcessor.create(new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                return EXPORTER.export(spans);
            }

            @Override
            public CompletableResultCode flush() {
                return EXPORTER.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        });
    }

    public static List<SpanData> ofTrace(String traceId) {
        return EXPORTER.getFinishedSpanItems().stream().filter(s -> traceId.equals(s.getTraceId())).toList();
    }

    /** Spans pile up over the suite: a test that reads them starts from a clean slate. */
    public static void clear() {
        EXPORTER.reset();
    }
}
