package com.insurancehub.hub.support;

import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Starting states built the way a customer gets there: a quote and its subscription through the hub's API. */
public final class Policies {

    private Policies() {
    }

    /** A subscribed policy (ISSUED) and its first invoice (issued by E01); answers {policy, invoice, email}. */
    public static Subscribed subscribe(HubApi api) {
        JsonNode policy = issue(api);
        String policyId = policy.get("policyId").asText();
        JsonNode invoice = await().atMost(Duration.ofSeconds(20)).until(
                () -> get("billing/invoices?policyId=" + policyId), invoices -> invoices.size() == 1).get(0);
        String customerEmail = get("customers/customers/" + policy.get("customerId").asText()).get("email").asText();
        return new Subscribed(policy, invoice, customerEmail);
    }

    /** A new quote subscribed through the hub: the policy as the subscribe call answers it (nothing awaited). */
    public static JsonNode issue(HubApi api) {
        String email = "life-" + UUID.randomUUID() + "@example.com";
        HubApi.Response quote = api.post("/api/quotes", HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), email));
        assertThat(quote.status()).as(String.valueOf(quote.body())).isEqualTo(201);
        HubApi.Response subscribed = api.post("/api/quotes/" + quote.body().get("quoteId").asText() + "/subscribe", "");
        assertThat(subscribed.status()).as(String.valueOf(subscribed.body())).isEqualTo(201);
        return subscribed.body();
    }

    public static JsonNode get(String path) {
        JsonHttp.Response response = Mocks.call("GET", path, null);
        assertThat(response.status()).as(path).isEqualTo(200);
        return response.body();
    }

    /** The messages Notifications holds for a reference (a policy or claim id) with a template, newest first. */
    public static JsonNode messages(String reference, String template) {
        return get("notifications/messages?reference=" + reference + "&template=" + template);
    }

    public record Subscribed(JsonNode policy, JsonNode invoice, String email) {
        public String policyId() {
            return policy.get("policyId").asText();
        }

        public String invoiceId() {
            return invoice.get("invoiceId").asText();
        }

        public String customerId() {
            return policy.get("customerId").asText();
        }
    }
}
