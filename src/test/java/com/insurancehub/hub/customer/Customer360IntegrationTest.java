package com.insurancehub.hub.customer;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.KafkaRecords;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.hub.support.Policies;
import com.insurancehub.hub.support.Tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * D08 + F05 on the real path: a person registered through the hub (F04, CustomerRegistered), a quote subscribed (F03:
 * PolicyCreated and the first invoice, relayed by Debezium from the PAS and Billing outboxes), a part payment (F08:
 * PaymentReceived) and a claim (F06: ClaimOpened). The customer 360 read model shows them (eventually); its overview
 * and the BFF views answer while PAS, Billing and Claims are down; every event of the customer delivered again changes
 * nothing; the mobile view is smaller than the web one; an unknown customer is a 404 problem; /api/bff wants the
 * `policies` scope (held by the web portal and the mobile app).
 */
@HubIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Customer360IntegrationTest {

    private static final List<String> TOPICS = List.of("insurance.customer.events", "insurance.policy.events",
            "insurance.billing.events", "insurance.claim.events");

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    private HubApi api;
    private String customerId;
    private String policyId;
    private String invoiceId;
    private String claimId;
    private JsonNode quote;
    private JsonNode invoice;

    @BeforeAll
    void aCustomerSubscribesPaysPartAndClaims() {
        api = new HubApi(port);
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String person = """
                {"firstName":"Grace","lastName":"Hopper%s","email":"grace.%s@example.com","birthDate":"1906-12-09"}"""
                .formatted(unique, unique);
        HubApi.Response registered = api.post("/api/customers", person);
        assertThat(registered.status()).as(String.valueOf(registered.body())).isEqualTo(201);
        customerId = registered.body().get("customerId").asText();

        HubApi.Response quoted = api.post("/api/quotes", """
                {"product":"HOME","customer":%s,"risk":{"insuredValue":%s,"postalCode":"69001"}}"""
                .formatted(person, HubApi.uniqueInsuredValue()));
        assertThat(quoted.status()).as(String.valueOf(quoted.body())).isEqualTo(201);
        quote = quoted.body();
        HubApi.Response subscribed = api.post("/api/quotes/" + quote.get("quoteId").asText() + "/subscribe", "");
        assertThat(subscribed.status()).as(String.valueOf(subscribed.body())).isEqualTo(201);
        assertThat(subscribed.body().get("customerId").asText()).as("the golden record registered").isEqualTo(customerId);
        policyId = subscribed.body().get("policyId").asText();

        invoice = await().atMost(Duration.ofSeconds(20)).until(
                () -> Policies.get("billing/invoices?policyId=" + policyId), invoices -> invoices.size() == 1).get(0);
        invoiceId = invoice.get("invoiceId").asText();
        HubApi.Response paid = api.post("/api/payments", """
                {"invoiceId":"%s","amount":100.00,"currency":"EUR","reference":"SEPA-%s"}""".formatted(invoiceId, unique),
                "Idempotency-Key", "PAY-" + UUID.randomUUID());
        assertThat(paid.status()).as(String.valueOf(paid.body())).isEqualTo(201);
        HubApi.Response claimed = api.post("/api/claims", """
                {"policyNumber":"%s","description":"Water damage in the kitchen","incidentDate":"2026-11-20",
                 "claimedAmount":850.00,"currency":"EUR"}""".formatted(subscribed.body().get("policyNumber").asText()));
        assertThat(claimed.status()).as(String.valueOf(claimed.body())).isEqualTo(201);
        claimId = claimed.body().get("claimId").asText();
    }

    @Test
    void theOverviewShowsTheSubscriptionThePaymentAndTheClaimAndAnswersWhileTheSystemsAreDown() {
        JsonNode overview = settledOverview();

        assertThat(overview.at("/customer/lastName").asText()).startsWith("Hopper");
        assertThat(overview.at("/customer/email").asText()).startsWith("grace.");
        assertThat(overview.get("policies")).hasSize(1);
        assertThat(overview.at("/policies/0/policyId").asText()).isEqualTo(policyId);
        assertThat(overview.at("/policies/0/status").asText()).as("PAS activates on the first payment").isEqualTo("ACTIVE");
        assertThat(overview.at("/policies/0/premium").decimalValue()).isEqualByComparingTo(quote.get("premium").decimalValue());
        assertThat(overview.at("/openClaims/0/status").asText()).isEqualTo("OPEN");
        assertThat(overview.at("/balanceDue/amount").decimalValue()).as("invoice minus the 100 paid")
                .isEqualByComparingTo(invoice.get("amount").decimalValue().subtract(new BigDecimal("100.00")));
        assertThat(overview.at("/nextPaymentDue/invoiceId").asText()).isEqualTo(invoiceId);
        assertThat(overview.at("/nextPaymentDue/dueDate").asText()).isEqualTo(invoice.get("dueDate").asText());
        assertThat(overview.get("version").asLong()).isPositive();
        assertThat(overview.get("updatedAt").asText()).isNotBlank();

        List<String> systems = List.of("pas", "billing", "claims");
        try {
            systems.forEach(system -> Mocks.faults(system, 0, 0, true));
            HubApi.Response whileDown = api.get("/api/customers/" + customerId + "/overview");
            HubApi.Response web = api.get("/api/bff/web/customers/" + customerId);
            HubApi.Response mobile = api.get("/api/bff/mobile/customers/" + customerId);

            assertThat(whileDown.status()).isEqualTo(200);
            assertThat(whileDown.body()).isEqualTo(overview);
            assertThat(web.status()).isEqualTo(200);
            assertThat(web.body().at("/invoices/0/invoiceId").asText()).isEqualTo(invoiceId);
            assertThat(web.body().at("/invoices/0/paid").decimalValue()).isEqualByComparingTo("100.00");
            assertThat(web.body().get("payments")).hasSize(1);
            assertThat(web.body().at("/claims/0/claimId").asText()).isEqualTo(claimId);
            assertThat(mobile.status()).isEqualTo(200);
            assertThat(mobile.body().get("name").asText()).startsWith("Grace Hopper");
            assertThat(mobile.body().at("/counts/policies").asInt()).isEqualTo(1);
            assertThat(mobile.body().at("/counts/openClaims").asInt()).isEqualTo(1);
            assertThat(mobile.body().at("/nextPaymentDue/dueDate").asText()).isEqualTo(invoice.get("dueDate").asText());
            assertThat(mobile.body().toString().length()).as("mobile payload smaller than web")
                    .isLessThan(web.body().toString().length() / 2);
        } finally {
            systems.forEach(Mocks::reset);
        }
    }

    @Test
    void everyEventOfTheCustomerDeliveredAgainChangesNothing() {
        JsonNode settled = settledOverview();
        Map<String, Integer> applied = appliedEvents();
        Map<String, ConsumerRecord<String, String>> records = new LinkedHashMap<>();
        List<KafkaRecords> topics = TOPICS.stream().map(KafkaRecords::of).toList();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (KafkaRecords topic : topics) {
                    topic.matching(r -> applied.containsKey(eventId(r))).forEach(r -> records.putIfAbsent(eventId(r), r));
                }
                return records.keySet().containsAll(applied.keySet());
            });
        } finally {
            topics.forEach(KafkaRecords::close);
        }

        for (ConsumerRecord<String, String> record : records.values()) {
            KafkaRecords.send(record.topic(), record.key(), record.value(),
                    Map.of("eventType", KafkaRecords.header(record, "eventType")));
        }

        Map<String, Integer> twice = applied.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() + 1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(appliedEvents()).isEqualTo(twice));
        assertThat(overview()).as("same lists, same version, same update time").isEqualTo(settled);
    }

    @Test
    void anUnknownCustomerIsA404ProblemAndTheBffWantsThePoliciesScope() {
        HubApi.Response unknown = api.get("/api/customers/C-" + UUID.randomUUID() + "/overview");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/api/bff/mobile/customers/C-" + UUID.randomUUID()).status()).isEqualTo(404);

        String quotesOnly = Tokens.of("partner-broker", "partner-broker-local-only", "quotes");
        String policies = Tokens.of("partner-broker", "partner-broker-local-only", "policies");
        assertThat(HubApi.withToken(port, quotesOnly).get("/api/bff/web/customers/" + customerId).status()).isEqualTo(403);
        assertThat(HubApi.anonymous(port).get("/api/bff/mobile/customers/" + customerId).status()).isEqualTo(401);
        assertThat(HubApi.withToken(port, policies).get("/api/bff/mobile/customers/" + customerId).status()).isEqualTo(200);
    }

    private JsonNode overview() {
        HubApi.Response response = api.get("/api/customers/" + customerId + "/overview");
        return response.status() == 200 ? response.body() : MissingNode.getInstance();
    }

    /**
     * The overview once every event of the story is applied: CustomerRegistered; PolicyCreated, PolicyPremiumPaid and
     * PolicyActivated (PAS activates an ISSUED policy at its first payment); InvoiceIssued and PaymentReceived; ClaimOpened.
     */
    private JsonNode settledOverview() {
        await().atMost(Duration.ofSeconds(30)).until(() -> appliedEvents().size() == 7);
        return overview();
    }

    /** The read model's events of this customer's aggregates (customer, policy, billing account, claim): eventId → deliveries. */
    private Map<String, Integer> appliedEvents() {
        return jdbc.queryForList("SELECT event_id, deliveries FROM hub.customer_360_events WHERE aggregate_id IN (?, ?, ?, ?)",
                customerId, policyId, invoice.get("accountId").asText(), claimId).stream()
                .collect(Collectors.toMap(row -> (String) row.get("event_id"), row -> ((Number) row.get("deliveries")).intValue()));
    }

    private static String eventId(ConsumerRecord<String, String> record) {
        int start = record.value().indexOf("\"eventId\":\"") + 11;
        return record.value().substring(start, record.value().indexOf('"', start));
    }
}
