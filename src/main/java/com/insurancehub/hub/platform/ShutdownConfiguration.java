package com.insurancehub.hub.platform;

import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** How the hub stops (see {@link KafkaConsumersStopTogether}). */
@Configuration(proxyBeanMethods = false)
public class ShutdownConfiguration {

    /**
     * Camel takes a ShutdownStrategy bean in place of its own after it has configured its own from camel.main.*:
     * hence the graceful timeout set here.
     */
    @Bean
    KafkaConsumersStopTogether shutdownStrategy(@Value("${camel.main.shutdown-timeout}") long timeoutSeconds) {
        KafkaConsumersStopTogether strategy = new KafkaConsumersStopTogether();
        strategy.setTimeout(timeoutSeconds);
        strategy.setTimeUnit(TimeUnit.SECONDS);
        return strategy;
    }
}
