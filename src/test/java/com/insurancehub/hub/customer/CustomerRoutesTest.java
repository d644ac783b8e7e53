package com.insurancehub.hub.customer;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.Events;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.RouteDomains;
import com.insurancehub.hub.support.RouteTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AdviceWith test of the customer domain's routes, in one context:
 * <ul>
 * <li>F04: post-customer-api and create-customer, the Customer Hub and the CustomerRegistered publication replaced by
 * mock endpoints;</li>
 * <li>D08 (events-to-customer-360, read-customer-overview, read-customer-360) and F05 (read-web-customer,
 * read-mobile-customer): the consumer fed from a direct endpoint, the database real. The events of one customer
 * delivered in a shuffled order, then all again, end as the same events delivered in order (but for the version,
 * which counts what changed the view); a bad event is dead-lettered with its reason; an unknown customer is a 404.</li>
 * </ul>
 */
@RouteDomains("customer")
class CustomerRoutesTest extends RouteTestSupport {

    private static final String PERSON = "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.com\",\"birthDate\":\"1990-12-10\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JdbcTemplate jdbc;

    @Override
    protected void adviceRoutes() {
        route("create-customer").mockCall("match-or-create-in-customer-hub", "customer-hub")
                .mockCall("publish-customer-registered", "customer-events");
        route("events-to-customer-360").from("direct:customer-360-events")
                .advice(a -> a.weaveAddLast().to("mock:applied"));
        mockDeadLetterTopic();
    }

    @Test
    void theGoldenRecordIdIsAnsweredWithTheCustomerHubsStatus() {
        answer("customer-hub", 200, "{\"customerId\":\"C-1\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
                + "\"email\":\"ada@example.com\",\"birthDate\":\"1990-12-10\",\"matched\":true,\"internal\":\"x\"}");

        HubApi.Response response = new HubApi(port).post("/api/customers", PERSON);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("customerId").asText()).isEqualTo("C-1");
        assertThat(response.body().get("matched").asBoolean()).isTrue();
        assertThat(response.body().has("internal")).isFalse();
        // D08: the golden record, published for the customer 360 read model, keyed by the customer
        assertThat(mock("customer-events").getReceivedCounter()).isEqualTo(1);
        Message published = mock("customer-events").getReceivedExchanges().get(0).getMessage();
        assertThat(published.getHeader("aggregateId", String.class)).isEqualTo("C-1");
        assertThat(published.getBody(String.class)).contains("\"customerId\":\"C-1\"").contains("\"lastName\":\"Lovelace\"")
                .doesNotContain("internal");
    }

    @Test
    void anInvalidPersonIsA400AndNeverReachesTheCustomerHub() {
        HubApi.Response response = new HubApi(port).post("/api/customers", "{\"firstName\":\"Ada\",\"email\":\"not-an-email\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("detail").asText()).contains("$.lastName").contains("$.email");
        assertThat(mock("customer-hub").getReceivedCounter()).isZero();
        assertThat(mock("customer-events").getReceivedCounter()).isZero();
    }

    @Test
    void eventsShuffledAndDeliveredTwiceEndAsInOrderDeliveryAndDuplicatesChangeNothing() throws Exception {
        Scenario shuffled = new Scenario();
        Scenario inOrder = new Scenario();
        List<String> firstRound = new ArrayList<>();
        for (int i : new int[] {4, 3, 6, 2, 0, 5, 1}) { // payment before its invoice, claim v2 before v1, policy v2 before v1
            firstRound.add(apply(shuffled.events.get(i)));
        }
        for (String event : shuffled.events) {
            assertThat(apply(event)).as("a redelivery").isEqualTo("DUPLICATE");
        }
        for (String event : inOrder.events) {
            apply(event);
        }

        assertThat(firstRound).containsExactly("APPLIED -", "APPLIED -", "APPLIED " + shuffled.customerId,
                "APPLIED " + shuffled.customerId, "APPLIED " + shuffled.customerId, "STALE", "STALE");
        JsonNode overview = view("direct:read-customer-overview", shuffled.customerId);
        assertThat(withoutIds(overview)).isEqualTo(withoutIds(view("direct:read-customer-overview", inOrder.customerId)));
        assertThat(overview.at("/customer/lastName").asText()).isEqualTo("Lovelace");
        assertThat(overview.at("/customer/email").asText()).isEqualTo(shuffled.customerId + "@example.com");
        assertThat(overview.at("/policies/0/policyId").asText()).isEqualTo(shuffled.policyId);
        assertThat(overview.at("/policies/0/status").asText()).isEqualTo("ISSUED");
        assertThat(overview.at("/policies/0/premium").decimalValue()).isEqualByComparingTo("480.00");
        assertThat(overview.at("/openClaims/0/claimId").asText()).isEqualTo(shuffled.claimId);
        assertThat(overview.at("/openClaims/0/status").asText()).isEqualTo("ASSESSED");
        assertThat(overview.at("/balanceDue/amount").decimalValue()).as("420 issued, 100 paid").isEqualByComparingTo("320.00");
        assertThat(overview.at("/nextPaymentDue/invoiceId").asText()).isEqualTo(shuffled.invoiceId);
        assertThat(overview.at("/nextPaymentDue/dueDate").asText()).isEqualTo("2026-12-30");
        assertThat(overview.at("/nextPaymentDue/amount").decimalValue()).isEqualByComparingTo("320.00");
        assertThat(overview.get("version").asLong()).as("claim v2, policy v2, registration").isEqualTo(3);
        assertThat(view("direct:read-customer-overview", inOrder.customerId).get("version").asLong()).isEqualTo(7);
        assertThat(overview.has("invoices")).as("the lists are the web's").isFalse();
        assertThat(jdbc.queryForObject("SELECT sum(deliveries) FROM hub.customer_360_events WHERE event_id IN (?, ?, ?, ?, ?, ?, ?)",
                Integer.class, shuffled.eventIds.toArray())).isEqualTo(14);

        JsonNode web = view("direct:read-web-customer", shuffled.customerId);
        assertThat(web.at("/invoices/0/status").asText()).isEqualTo("OPEN");
        assertThat(web.at("/invoices/0/paid").decimalValue()).isEqualByComparingTo("100.00");
        assertThat(web.at("/payments/0/paymentId").asText()).isEqualTo(shuffled.paymentId);
        assertThat(web.at("/claims/0/assessedAmount").decimalValue()).isEqualByComparingTo("800.00");
        JsonNode mobile = view("direct:read-mobile-customer", shuffled.customerId);
        assertThat(mobile.get("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(mobile.at("/counts/policies").asInt()).isEqualTo(1);
        assertThat(mobile.at("/counts/openClaims").asInt()).isEqualTo(1);
        assertThat(mobile.at("/openClaims/0/status").asText()).isEqualTo("ASSESSED");
        assertThat(mobile.at("/nextPaymentDue/amount").decimalValue()).isEqualByComparingTo("320.00");
        assertThat(mobile.has("policies")).isFalse();
        assertThat(mobile.toString().length()).isLessThan(web.toString().length());
    }

    @Test
    void otherEventTypesAreSkippedAndASchemaInvalidEventIsDeadLetteredWithItsReason() throws Exception {
        mock("applied").expectedMessageCount(0);
        mock("dlq").expectedMessageCount(1);

        template.sendBody("direct:customer-360-events", Events.of("QuoteGenerated").unchecked().json());
        template.sendBody("direct:customer-360-events", Events.of("ClaimOpened").aggregate("CLM-" + UUID.randomUUID(), 1)
                .data(new Scenario().claim(1, "OPEN")).without("customerId").json());

        MockEndpoint.assertIsSatisfied(camelContext);
        Exchange deadLetter = mock("dlq").getReceivedExchanges().get(0);
        assertThat(deadLetter.getMessage().getHeader("dlqFailedRoute")).isEqualTo("events-to-customer-360");
        assertThat(deadLetter.getMessage().getHeader("dlqReason", String.class)).contains("customerId");
    }

    @Test
    void anUnknownCustomerIsA404ProblemOnEveryView() throws Exception {
        for (String view : List.of("direct:read-customer-overview", "direct:read-web-customer", "direct:read-mobile-customer")) {
            for (String customerId : List.of("C-" + UUID.randomUUID(), "not a customer id")) {
                Exchange answer = template.request(view, e -> e.getMessage().setHeader("customerId", customerId));
                assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).as(view).isEqualTo(404);
                assertThat(answer.getMessage().getHeader("Content-Type", String.class)).startsWith("application/problem+json");
                assertThat(JSON.readTree(answer.getMessage().getBody(String.class)).get("detail").asText()).contains("no customer");
            }
        }
    }

    private String apply(String event) {
        return template.requestBody("direct:customer-360-events", event, String.class);
    }

    private JsonNode view(String endpoint, String customerId) throws Exception {
        Exchange answer = template.request(endpoint, e -> e.getMessage().setHeader("customerId", customerId));
        assertThat(answer.getException()).isNull();
        return JSON.readTree(answer.getMessage().getBody(String.class));
    }

    /** The view with what differs between two customers' identical histories: ids, version, time. */
    private static JsonNode withoutIds(JsonNode view) {
        ObjectNode copy = (ObjectNode) view.deepCopy();
        copy.remove(List.of("version", "updatedAt"));
        ((ObjectNode) copy.get("customer")).remove(List.of("customerId", "email"));
        copy.get("policies").forEach(p -> ((ObjectNode) p).remove(List.of("policyId", "policyNumber")));
        copy.get("openClaims").forEach(c -> ((ObjectNode) c).remove(List.of("claimId", "claimNumber", "policyId", "policyNumber")));
        ((ObjectNode) copy.get("nextPaymentDue")).remove("invoiceId");
        return copy;
    }

    /** One customer's history: registered, a policy (v1 ISSUED 420, v2 premium 480), an invoice of 420, 100 paid, a claim. */
    private static final class Scenario {
        final String customerId = "C-" + UUID.randomUUID();
        final String policyId = "P-" + UUID.randomUUID();
        final String accountId = "A-" + UUID.randomUUID();
        final String invoiceId = "I-" + UUID.randomUUID();
        final String paymentId = "PAY-" + UUID.randomUUID();
        final String claimId = "CLM-" + UUID.randomUUID();
        final List<String> eventIds = new ArrayList<>();
        final List<String> events = new ArrayList<>();

        Scenario() {
            add(Events.of("CustomerRegistered").aggregate(customerId, 1).data("""
                    {"customerId":"%s","firstName":"Ada","lastName":"Lovelace","email":"%s@example.com",
                     "birthDate":"1990-12-10","matched":false}""".formatted(customerId, customerId)));
            add(Events.of("PolicyCreated").aggregate(policyId, 1).data(policy(1, "420.00")));
            add(Events.of("PolicyModified").aggregate(policyId, 2).data(policy(2, "480.00"))
                    .with("modificationId", "M-1").with("reason", "second driver")
                    .with("previousPremium", 420.00).with("premiumDelta", 60.00));
            // Billing's events without the customer: the policy says whose they are
            add(Events.of("InvoiceIssued").aggregate(accountId, 1).data("""
                    {"invoiceId":"%s","policyId":"%s","accountId":"%s","amount":420.00,"currency":"EUR",
                     "dueDate":"2026-12-30","status":"OPEN","kind":"PREMIUM"}""".formatted(invoiceId, policyId, accountId)));
            add(Events.of("PaymentReceived").aggregate(accountId, 2).data("""
                    {"accountId":"%s","policyId":"%s","paymentId":"%s","invoiceId":"%s","amount":100.00,"currency":"EUR",
                     "invoiceStatus":"OPEN"}""".formatted(accountId, policyId, paymentId, invoiceId)));
            add(Events.of("ClaimOpened").aggregate(claimId, 1).data(claim(1, "OPEN")));
            add(Events.of("ClaimAssessed").aggregate(claimId, 2).data(claim(2, "ASSESSED"))
                    .with("decision", "ACCEPTED").with("assessedAmount", 800.00));
        }

        private void add(Events.Event event) {
            String json = event.json();
            events.add(json);
            try {
                eventIds.add(JSON.readTree(json).get("eventId").asText());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        String policy(int version, String premium) {
            return """
                    {"policyId":"%s","policyNumber":"POL-%s","quoteId":"Q-1","customerId":"%s","product":"AUTO",
                     "premium":%s,"currency":"EUR","status":"ISSUED","version":%d,"claimCount":0,"claimedTotal":0,
                     "premiumPaid":0}""".formatted(policyId, policyId, customerId, premium, version);
        }

        String claim(int version, String status) {
            return """
                    {"claimId":"%s","claimNumber":"CLA-%s","policyId":"%s","customerId":"%s","incidentDate":"2026-11-20",
                     "claimedAmount":850.00,"currency":"EUR","status":"%s","version":%d}"""
                    .formatted(claimId, claimId, policyId, customerId, status, version);
        }
    }
}
