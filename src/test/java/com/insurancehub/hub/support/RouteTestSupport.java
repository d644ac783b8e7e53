package com.insurancehub.hub.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.apache.camel.test.spring.junit5.ShutdownTimeout;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.apache.camel.util.function.ThrowingConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.ContextCustomizerFactories;

import com.insurancehub.dev.DevServicesInitializer;
import com.insurancehub.hub.HubApplication;

/**
 * Base of the AdviceWith tests (T01): the hub's Spring context with Camel not yet started, so that each test
 * class rewires the route(s) it tests - {@link #adviceRoutes()} - before Camel starts. One context per
 * class ({@code @DirtiesContext}): an advised route never leaks into another class. A class names its
 * {@link RouteDomains}: its context loads those YAML routes only (and platform's), not the whole hub's.
 */
@CamelSpringBootTest
@UseAdviceWith
@DisableJmx(false)
// The outbox relays run in the shared integration context only: a replication slot has one reader. Nor do the
// Kafka consumers and the schedules start by themselves here: a route under test has its from() replaced (or is
// started by its test), and the others would only join the shared consumer groups, work through other tests' events
// and slow every context's start and stop. Nor does the health evaluator run (no test here reads health).
@SpringBootTest(classes = HubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"hub.outbox.enabled=false", "hub.health.enabled=false",
                "camel.main.auto-startup-exclude-pattern=kafka:*,timer:*,scheduler:*,debezium-postgres:*,outbox-relay:*"})
@ContextConfiguration(initializers = DevServicesInitializer.class)
@ActiveProfiles("test")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ContextCustomizerFactories(RouteDomains.Factory.class)
// No exchange is in flight when a class ends, only the in-memory saga service's timeout timers
// (hub.subscription.saga-timeout): they held the saga test's context stop for the whole test default of 10 s
@ShutdownTimeout(2)
public abstract class RouteTestSupport {

    @Autowired
    protected CamelContext camelContext;
    @Autowired
    protected ProducerTemplate template;
    @LocalServerPort
    protected int port;
    private final Map<String, List<ThrowingConsumer<AdviceWithRouteBuilder, Exception>>> advices = new LinkedHashMap<>();

    /** Rewire the routes under test ({@link #route(String)}); called once, before Camel starts. */
    protected abstract void adviceRoutes() throws Exception;

    @BeforeEach
    void startCamelOnce() throws Exception {
        if (!camelContext.isStarted()) {
            adviceRoutes();
            // one AdviceWith per route, with every change asked for it: Camel advises a route once reliably
            for (Map.Entry<String, List<ThrowingConsumer<AdviceWithRouteBuilder, Exception>>> route : advices.entrySet()) {
                AdviceWith.adviceWith(camelContext, route.getKey(), a -> {
                    for (ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice : route.getValue()) {
                        advice.accept(a);
                    }
                });
            }
            camelContext.start();
            afterCamelStarted();
        }
        MockEndpoint.resetMocks(camelContext);
    }

    /** Anything to do once Camel runs, e.g. start a route that does not start by itself. */
    protected void afterCamelStarted() throws Exception {
    }

    /** The route, to rewire in {@link #adviceRoutes()}: {@code route("x").from("direct:x").mockCall("call", "mock")}. */
    protected AdvisedRoute route(String routeId) {
        return new AdvisedRoute(routeId);
    }

    /** Dead letters go to {@code mock:dlq} instead of their Kafka topic. */
    protected void mockDeadLetterTopic() {
        route("dead-letter-to-dlq-topic").mockCall("publish-to-dlq-topic", "dlq");
    }

    protected MockEndpoint mock(String name) {
        return camelContext.getEndpoint("mock:" + name, MockEndpoint.class);
    }

    /** The mocked call answers this body, every time. */
    protected MockEndpoint answer(String mockName, String body) {
        MockEndpoint mock = mock(mockName);
        mock.whenAnyExchangeReceived(e -> e.getMessage().setBody(body));
        return mock;
    }

    /** The mocked HTTP call answers this status and body, every time. */
    protected MockEndpoint answer(String mockName, int status, String body) {
        MockEndpoint mock = mock(mockName);
        mock.whenAnyExchangeReceived(e -> {
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
            e.getMessage().setBody(body);
        });
        return mock;
    }

    /** A route's changes, applied together (one AdviceWith) before Camel starts. */
    protected final class AdvisedRoute {

        private final String routeId;

        private AdvisedRoute(String routeId) {
            this.routeId = routeId;
        }

        /** Fed from this endpoint (e.g. {@code direct:to-billing}) instead of its Kafka topic, timer or Debezium. */
        public AdvisedRoute from(String uri) {
            return advice(a -> a.replaceFromWith(uri));
        }

        /** The call with node id {@code nodeId} goes to {@code mock:<mockName>} instead of its system. */
        public AdvisedRoute mockCall(String nodeId, String mockName) {
            return advice(a -> a.weaveById(nodeId).replace().to("mock:" + mockName));
        }

        /** Each call goes to a mock of the call's own name: {@code mock:<nodeId>}. */
        public AdvisedRoute mockCalls(String... nodeIds) {
            for (String nodeId : nodeIds) {
                mockCall(nodeId, nodeId);
            }
            return this;
        }

        /** Any other change, with AdviceWith's builder. */
        public AdvisedRoute advice(ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice) {
            advices.computeIfAbsent(routeId, id -> new ArrayList<>()).add(advice);
            return this;
        }
    }
}
