package com.insurancehub.hub.platform;

import java.util.List;
import java.util.Set;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * O01: which traces are kept. Spring Boot's rule (parent-based, a ratio for new traces) plus one exception: the
 * Debezium consumers of the outbox relays would open a new, meaningless trace per relayed row - the relay traces
 * itself as a child of the request that wrote the row (OutboxPublisher). Their root spans are not sampled, so the
 * spans below them cost next to nothing. Doing it here rather than with camel.opentelemetry.exclude-patterns is a
 * matter of throughput: Camel matches exclude patterns by normalising endpoint URIs on every exchange event, which
 * took more CPU than the relay itself (docs/performance.md).
 */
@Configuration(proxyBeanMethods = false)
public class TracingConfiguration {

    @Bean
    Sampler otelSampler(@Value("${management.tracing.sampling.probability}") double probability,
                        @Value("${hub.tracing.untraced-roots}") List<String> untracedRoots) {
        Sampler ratio = Sampler.traceIdRatioBased(probability);
        Set<String> names = Set.copyOf(untracedRoots);
        Sampler root = new Sampler() {
            @Override
            public SamplingResult shouldSample(Context parent, String traceId, String name, SpanKind kind,
                                               Attributes attributes, List<LinkData> links) {
                return names.contains(name) ? SamplingResult.drop()
                        : ratio.shouldSample(parent, traceId, name, kind, attributes, links);
            }

            @Override
            public String getDescription() {
                return "UntracedRoots" + names + "/" + ratio.getDescription();
            }
        };
        return Sampler.parentBased(root);
    }
}
