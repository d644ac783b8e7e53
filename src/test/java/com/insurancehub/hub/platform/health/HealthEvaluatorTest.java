package com.insurancehub.hub.platform.health;

import java.time.Duration;
import java.util.List;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import io.micrometer.core.instrument.MeterRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The evaluator's life: nothing before the hub is ready, then results; nothing at all once its context closes - the
 * fault of camel-spring-boot's asynchronous health check, whose scheduler outlived its context and fired at it.
 */
class HealthEvaluatorTest {

    @Test
    void evaluatesFromTheReadyHubUntilItsContextClosesAndNeverAfter() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext();
             GenericApplicationContext spring = new GenericApplicationContext()) {
            camel.start();
            spring.refresh();
            DefaultListableBeanFactory none = new DefaultListableBeanFactory();
            HealthEvaluator evaluator = new HealthEvaluator(camel,
                    new HealthProperties(true, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(60),
                            new HealthProperties.Relays(false, Duration.ofSeconds(30), Duration.ofSeconds(60)),
                            new HealthProperties.Consumers(false, Duration.ofSeconds(60))),
                    new MockEnvironment().withProperty("hub.kafka.brokers", "localhost:1"),
                    none.getBeanProvider(HealthContributorRegistry.class), none.getBeanProvider(MeterRegistry.class));
            evaluator.setApplicationContext(spring);
            HealthIndicator camelHealth = evaluator.indicator(HealthEvaluator.CAMEL);
            assertThat(camelHealth.health().getStatus()).isEqualTo(Status.DOWN); // not evaluated yet
            assertThat(threadsOf(evaluator)).isEmpty();

            evaluator.start(new ApplicationReadyEvent(new SpringApplication(), new String[0], spring, Duration.ZERO));
            await().atMost(Duration.ofSeconds(10)).until(() -> camelHealth.health().getStatus().equals(Status.UP));
            assertThat(threadsOf(evaluator)).hasSize(2);

            evaluator.stop(new ContextClosedEvent(spring));
            assertThat(threadsOf(evaluator)).isEmpty();
            Object lastEvaluated = camelHealth.health().getDetails().get("evaluatedAt");
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                    .until(() -> lastEvaluated.equals(camelHealth.health().getDetails().get("evaluatedAt")));
        }
    }

    private static List<Thread> threadsOf(HealthEvaluator evaluator) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith(evaluator.threadPrefix)).toList();
    }
}
