package com.insurancehub.hub.platform;

import java.util.List;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** AdviceWith test of the platform routes every flow relies on: dead-letter-to-dlq-topic, problem-response, pass-on-problem. */
@RouteDomains("platform")
class PlatformRoutesTest extends RouteTestSupport {

    @Override
    protected void adviceRoutes() {
        mockDeadLetterTopic();
    }

    @Test
    void aDeadLetterKeepsTheRecordAndItsKeyAndSaysWhyWhereAndWhen() throws Exception {
        MockEndpoint dlq = mock("dlq");
        dlq.expectedMessageCount(1);
        dlq.expectedBodiesReceived("{\"original\":true}");
        dlq.expectedHeaderReceived("kafka.KEY", "POL-42");
        dlq.expectedHeaderReceived("dlqOriginalTopic", "insurance.policy.events");
        dlq.expectedHeaderReceived("dlqOriginalPartition", "2");
        dlq.expectedHeaderReceived("dlqOriginalOffset", "117");
        dlq.expectedHeaderReceived("dlqReason", "billing is down");
        dlq.expectedHeaderReceived("dlqException", IllegalStateException.class.getName());
        dlq.expectedHeaderReceived("dlqFailedRoute", "policy-created-to-billing");
        dlq.expectedHeaderReceived("dlqRedeliveries", "3"); // hub.consumer.retry.maximum-redeliveries

        Exchange failed = new DefaultExchange(camelContext);
        failed.getMessage().setBody("{\"original\":true}");
        failed.getMessage().setHeader("kafka.KEY", "POL-42");
        failed.getMessage().setHeader("kafka.TOPIC", "insurance.policy.events");
        failed.getMessage().setHeader("kafka.PARTITION", 2);
        failed.getMessage().setHeader("kafka.OFFSET", 117L);
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("billing is down"));
        failed.setProperty(Exchange.FAILURE_ROUTE_ID, "policy-created-to-billing");
        template.send("direct:dead-letter", failed);

        dlq.assertIsSatisfied();
        Message dead = dlq.getReceivedExchanges().get(0).getMessage();
        assertThat(dead.getHeader("dlqFailedAt", String.class)).endsWith("Z");
        // text, as every dlq* header: Kafka would carry an Integer or a Long as raw binary
        assertThat(List.of("dlqOriginalPartition", "dlqOriginalOffset", "dlqRedeliveries"))
                .allSatisfy(name -> assertThat(dead.getHeader(name)).as(name).isInstanceOf(String.class));
    }

    @Test
    void aCaughtExceptionIsRenderedAsProblemJson() throws Exception {
        Exchange failed = new DefaultExchange(camelContext);
        failed.setVariable("problem.status", 404);
        failed.getMessage().setHeader(Exchange.HTTP_URI, "/api/quotes/Q-1");
        failed.getMessage().setHeader("Authorization", "secret");
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new NoSuchElementException("no quote \"Q-1\""));

        Exchange answered = template.send("direct:problem-response", failed);

        assertThat(answered.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(404);
        assertThat(answered.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class)).isEqualTo("application/problem+json");
        assertThat(answered.getMessage().getHeader("Authorization")).as("no request header echoes back").isNull();
        JsonNode problem = new ObjectMapper().readTree(answered.getMessage().getBody(String.class));
        assertThat(problem.get("status").asInt()).isEqualTo(404);
        assertThat(problem.get("title").asText()).isEqualTo("Not Found");
        assertThat(problem.get("detail").asText()).isEqualTo("no quote \"Q-1\"");
        assertThat(problem.get("instance").asText()).isEqualTo("/api/quotes/Q-1");
    }

    @Test
    void anUnexpectedErrorHidesItsInternalsFromTheCaller() throws Exception {
        Exchange failed = new DefaultExchange(camelContext);
        failed.setVariable("problem.status", 500);
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("password=hunter2 at db-7"));

        Exchange answered = template.send("direct:problem-response", failed);

        JsonNode problem = new ObjectMapper().readTree(answered.getMessage().getBody(String.class));
        assertThat(problem.toString()).doesNotContain("hunter2").doesNotContain("IllegalStateException");
        assertThat(problem.get("reference").asText()).isNotBlank();
    }

    @Test
    void aSystemsRefusalPassesOnOnlyItsPlainWords() throws Exception {
        Exchange failed = new DefaultExchange(camelContext);
        failed.setVariable("problem.status", 502);
        failed.setVariable("passOnProblem", "errors");
        String pas = camelContext.resolvePropertyPlaceholders("{{hub.systems.pas.url}}");
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new HttpOperationFailedException(pas + "/policies/P-1", 400, "Bad Request",
                null, null, "{\"detail\":\"ERROR: invalid byte sequence; SQL [insert into pas.policies values (?)]\","
                        + "\"field\":\"reason\",\"trace\":\"at org.postgresql.Driver.connect(Driver.java:1)\"}"));

        JsonNode problem = new ObjectMapper().readTree(
                template.send("direct:pass-on-problem", failed).getMessage().getBody(String.class));

        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("detail").asText()).isEqualTo("PAS refused the request");
        assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("$.reason");
        assertThat(problem.toString()).doesNotContainIgnoringCase("sql").doesNotContain("postgresql").doesNotContain("http");
    }

    @Test
    void aSystemsConflictPassesOnAlwaysItsOtherRefusalsOnlyWhereTheRouteSaysSo() throws Exception {
        String quoteEngine = camelContext.resolvePropertyPlaceholders("{{hub.systems.quote-engine.url}}");
        Exchange conflict = new DefaultExchange(camelContext);
        conflict.setVariable("problem.status", 502);
        conflict.setProperty(Exchange.EXCEPTION_CAUGHT, new HttpOperationFailedException(quoteEngine + "/quotes/Q-1/subscription",
                409, "Conflict", null, null, "{\"detail\":\"quote Q-1 is EXPIRED\",\"reason\":\"QUOTE_EXPIRED\"}"));
        Exchange refusal = new DefaultExchange(camelContext);
        refusal.setVariable("problem.status", 502);
        refusal.setProperty(Exchange.EXCEPTION_CAUGHT, new HttpOperationFailedException(quoteEngine + "/quotes", 400,
                "Bad Request", null, null, "{\"detail\":\"premium is required\",\"field\":\"premium\"}"));

        JsonNode passedOn = new ObjectMapper().readTree(
                template.send("direct:pass-on-problem", conflict).getMessage().getBody(String.class));
        JsonNode failed = new ObjectMapper().readTree(
                template.send("direct:pass-on-problem", refusal).getMessage().getBody(String.class));

        assertThat(passedOn.get("status").asInt()).isEqualTo(409);
        assertThat(passedOn.get("detail").asText()).isEqualTo("quote Q-1 is EXPIRED");
        assertThat(passedOn.get("reason").asText()).isEqualTo("QUOTE_EXPIRED");
        assertThat(failed.get("status").asInt()).isEqualTo(502);
        assertThat(failed.get("detail").asText()).isEqualTo("Quote Engine failed");
        assertThat(failed.has("errors")).isFalse();
    }

    @Test
    void aFailingSystemIsNamedNotQuoted() throws Exception {
        Exchange failed = new DefaultExchange(camelContext);
        failed.setVariable("problem.status", 502);
        String billing = camelContext.resolvePropertyPlaceholders("{{hub.systems.billing.url}}");
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new HttpOperationFailedException(billing + "/payments", 500,
                "Server Error", null, null, "{\"detail\":\"org.postgresql.util.PSQLException: ERROR: syntax error\"}"));

        JsonNode problem = new ObjectMapper().readTree(
                template.send("direct:pass-on-problem", failed).getMessage().getBody(String.class));

        assertThat(problem.get("detail").asText()).isEqualTo("Billing failed");
        assertThat(problem.get("system").asText()).isEqualTo("Billing");
        assertThat(problem.get("reference").asText()).isNotBlank();
        assertThat(problem.toString()).doesNotContain("PSQL").doesNotContain("localhost");
    }
}
