package com.insurancehub.hub.support;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.apache.camel.util.function.ThrowingConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import com.insurancehub.dev.DevServicesInitializer;
import com.insurancehub.hub.HubApplication;

/**
 * Base of the AdviceWith tests (T01): the hub's Spring context with Camel not yet started, so that each test
 * class rewires the route(s) it tests - {@link #adviceRoutes()} - before Camel starts. One context per
 * class ({@code @DirtiesContext}): an advised route never leaks into another class.
 */
@CamelSpringBootTest
@UseAdviceWith
@DisableJmx(false)
// The outbox relays run in the shared integration context only: a replication slot has one reader. Nor do the
// Kafka consumers and the schedules start by themselves here: a route under test has its from() replaced (or is
// started by its test), and the others would only join the shared consumer groups, work through other tests' events
// and slow every context's start and stop.
@SpringBootTest(classes = HubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"hub.outbox.enabled=false",
                "camel.main.auto-startup-exclude-pattern=kafka:*,timer:*,scheduler:*,debezium-postgres:*"})
@ContextConfiguration(initializers = DevServicesInitializer.class)
@ActiveProfiles("test")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class RouteTestSupport {

    @Autowired
    protected CamelContext camelContext;
    @Autowired
    protected ProducerTemplate template;
    @LocalServerPort
    protected int port;

    /** Rewire the routes under test; called once, before Camel starts. */
    protected abstract void adviceRoutes() throws Exception;

    @BeforeEach
    void startCamelOnce() throws Exception {
        if (!camelContext.isStarted()) {
            adviceRoutes();
            camelContext.start();
            afterCamelStarted();
        }
        MockEndpoint.resetMocks(camelContext);
    }

    /** Anything to do once Camel runs, e.g. start a route that does not start by itself. */
    protected void afterCamelStarted() throws Exception {
    }

    protected void advice(String routeId, ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice) throws Exception {
        AdviceWith.adviceWith(camelContext, routeId, advice);
    }

    protected MockEndpoint mock(String name) {
        return camelContext.getEndpoint("mock:" + name, MockEndpoint.class);
    }
}
