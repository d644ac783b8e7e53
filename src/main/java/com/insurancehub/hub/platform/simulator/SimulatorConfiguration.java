package com.insurancehub.hub.platform.simulator;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The traffic simulator (O04), bounded by {@code hub.simulator.*}. */
@Configuration(proxyBeanMethods = false)
public class SimulatorConfiguration {

    @Bean
    SimulatorSettings simulatorSettings(@Value("${hub.simulator.rate}") double rate,
                                        @Value("${hub.simulator.max-rate}") double maxRate,
                                        @Value("${hub.simulator.workers}") int workers,
                                        @Value("${hub.simulator.max-duration}") Duration maxDuration,
                                        @Value("${hub.simulator.peak-duration}") Duration peakDuration,
                                        @Value("${hub.simulator.slow-consumer.route-id}") String slowConsumer,
                                        @Value("${hub.simulator.invalid-event-topic}") String invalidEventTopic,
                                        @Value("${hub.systems.billing.url}") String billingUrl,
                                        @Value("${hub.simulator.token-uri}") String tokenUri,
                                        @Value("${hub.simulator.client-id}") String clientId,
                                        @Value("${hub.simulator.client-secret:}") String clientSecret,
                                        @Value("${hub.simulator.scopes}") String scopes) {
        return new SimulatorSettings(rate, maxRate, workers, (int) maxDuration.toSeconds(), peakDuration, slowConsumer,
                invalidEventTopic, billingUrl, tokenUri, clientId, clientSecret, scopes);
    }

    @Bean
    TrafficSimulator trafficSimulator(SimulatorSettings settings, Environment environment, MeterRegistry registry,
                                      CamelContext camel) {
        return new TrafficSimulator(settings, environment, registry, camel);
    }

    @Bean
    AllowedCallers simulatorAllowedCallers(@Value("${hub.simulator.allowed-callers}") java.util.List<String> cidrs) {
        return AllowedCallers.of(cidrs);
    }
}
