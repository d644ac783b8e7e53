package com.insurancehub.hub.claims;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;

/** Customers, policies and claims made directly in the mocks, as their own users would. */
final class ClaimsTestData {

    private ClaimsTestData() {
    }

    static String customer() {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        JsonHttp.Response created = Mocks.call("POST", "customers/customers", """
                {"firstName":"Claire","lastName":"Mant%s","email":"claire.%s@example.com","birthDate":"1985-04-02"}"""
                .formatted(unique, unique));
        assertThat(created.status()).isIn(200, 201);
        return created.body().get("customerId").asText();
    }

    /** An ISSUED policy in PAS (PolicyCreated goes through the outbox relay). */
    static JsonNode issuedPolicy(String customerId) {
        JsonHttp.Response created = Mocks.call("POST", "pas/policies", """
                {"quoteId":"Q-%s","customerId":"%s","product":"AUTO","premium":420.00,"currency":"EUR"}"""
                .formatted(UUID.randomUUID(), customerId));
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
        return created.body();
    }

    /** Premium paid: PAS makes the ISSUED policy ACTIVE. */
    static void activate(String policyId) {
        JsonHttp.Response paid = Mocks.call("POST", "pas/policies/" + policyId + "/payments", """
                {"invoiceId":"INV-%s","paymentId":"PAY-%s","amount":420.00,"sourceEventId":"%s"}"""
                .formatted(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()));
        assertThat(paid.status()).as(String.valueOf(paid.body())).isIn(200, 201);
    }

    static void cancel(String policyId) {
        JsonHttp.Response cancelled = Mocks.call("POST", "pas/policies/" + policyId + "/cancellation",
                "{\"reason\":\"customer request\"}");
        assertThat(cancelled.status()).as(String.valueOf(cancelled.body())).isIn(200, 201);
    }

    static String claimRequest(String policyNumber, String amount) {
        return """
                {"policyNumber":"%s","description":"Rear bumper dented in a car park","incidentDate":"%s",
                 "claimedAmount":%s,"currency":"EUR"}""".formatted(policyNumber, yesterday(), amount);
    }

    static String yesterday() {
        return LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
    }
}
