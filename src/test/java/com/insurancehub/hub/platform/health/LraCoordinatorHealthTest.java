package com.insurancehub.hub.platform.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import com.insurancehub.dev.DevServices;
import com.insurancehub.dev.EmbeddedLraCoordinator;
import com.insurancehub.hub.support.HttpForwarder;

/**
 * O05: the downstream group's {@code lraCoordinator} component against the real Narayana coordinator the LRA saga tests
 * share (the dev services'). The component reaches it through a forwarder on a port of its own: closing the forwarder
 * makes the coordinator unreachable for this component alone, the shared coordinator running on for the other tests.
 */
class LraCoordinatorHealthTest {

    @Test
    void upWhileTheCoordinatorAnswersAndDownWithinSecondsOnceItIsUnreachable() throws Exception {
        EmbeddedLraCoordinator coordinator = DevServices.shared().lraCoordinator();
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        DownstreamProperties downstream = new DownstreamProperties(true, Duration.ofMillis(200), Duration.ofSeconds(1), Map.of(),
                // the identity provider is not this test's concern: the same address, answered
                URI.create("http://127.0.0.1:" + port + "/lra-coordinator?Status=Active"),
                // as application-lra.yaml probes it: ${hub.lra.coordinator-url}/lra-coordinator?Status=Active
                URI.create("http://127.0.0.1:" + port + "/lra-coordinator?Status=Active"));
        try (HttpForwarder coordinatorAddress = HttpForwarder.start(port, coordinator.port());
             DefaultCamelContext camel = new DefaultCamelContext();
             GenericApplicationContext spring = new GenericApplicationContext()) {
            camel.start();
            spring.refresh();
            DefaultListableBeanFactory none = new DefaultListableBeanFactory();
            HealthEvaluator evaluator = new HealthEvaluator(camel,
                    new HealthProperties(true, Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(60),
                            new HealthProperties.Relays(false, Duration.ofSeconds(30), Duration.ofSeconds(60)),
                            new HealthProperties.Consumers(false, Duration.ofSeconds(60))),
                    new MockEnvironment(), none.getBeanProvider(HealthContributorRegistry.class),
                    none.getBeanProvider(MeterRegistry.class));
            evaluator.setApplicationContext(spring);
            evaluator.downstream(new DownstreamCheck(downstream), downstream.interval());
            // the component as the hub registers it
            HealthIndicator lraCoordinator = new HealthConfiguration().lraCoordinator(evaluator, downstream);
            evaluator.start(new ApplicationReadyEvent(new SpringApplication(), new String[0], spring, Duration.ZERO));
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> lraCoordinator.health().getStatus().equals(Status.UP));
                assertThat(lraCoordinator.health().getDetails()).containsEntry("httpStatus", 200);
                assertThat(coordinatorAddress.forwarded()).isPositive(); // the real coordinator answered

                coordinatorAddress.close(); // its address refuses connections from now on
                long unreachableAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(3)).until(() -> lraCoordinator.health().getStatus().equals(Status.DOWN));
                assertThat(Duration.ofNanos(System.nanoTime() - unreachableAt)).isLessThan(Duration.ofSeconds(3));
                assertThat(lraCoordinator.health().getDetails()).containsKey("error").doesNotContainKey("httpStatus");
            } finally {
                evaluator.stop();
            }
        }
    }
}
