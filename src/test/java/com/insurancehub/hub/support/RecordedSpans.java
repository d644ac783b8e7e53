package com.insurancehub.hub.support;

import java.util.List;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Every span the hub ends, kept in memory for the tests (O01), next to whatever exporter is configured.
 * A span processor, not an exporter bean: Spring Boot would also hand an exporter bean to its batch processor.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RecordedSpans {

    private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();

    @Bean
    SpanProcessor recordedSpansProcessor() {
        return SimpleSpanProcessor.create(EXPORTER);
    }

    public static List<SpanData> ofTrace(String traceId) {
        return EXPORTER.getFinishedSpanItems().stream().filter(s -> traceId.equals(s.getTraceId())).toList();
    }

    /** Spans pile up over the suite: a test that reads them starts from a clean slate. */
    public static void clear() {
        EXPORTER.reset();
    }
}
