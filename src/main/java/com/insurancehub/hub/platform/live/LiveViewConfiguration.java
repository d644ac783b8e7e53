package com.insurancehub.hub.platform.live;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The live view (O04): the tap on Camel's notifications, the gauges and the viewers' streams. */
@Configuration(proxyBeanMethods = false)
public class LiveViewConfiguration {

    @Bean
    LiveEventTap liveEventTap(@Value("${hub.live.buffer}") int buffer, MeterRegistry registry) {
        return new LiveEventTap(buffer, registry); // camel-spring-boot adds every EventNotifier bean to the context
    }

    @Bean
    LiveEventStream liveEventStream(LiveEventTap tap, MeterRegistry registry,
                                    @Value("${hub.live.max-viewers}") int maxViewers,
                                    @Value("${hub.live.metrics-interval}") long metricsInterval) {
        return new LiveEventStream(tap, new LiveMetrics(registry), maxViewers, metricsInterval);
    }
}
