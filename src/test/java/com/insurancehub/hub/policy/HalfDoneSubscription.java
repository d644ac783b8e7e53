package com.insurancehub.hub.policy;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.jdbc.core.JdbcTemplate;

import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a hub that died in the middle of a subscription saga (F03) leaves behind: its attempt in the attempt log,
 * STARTED, and the effects of the steps it had done, made here through the systems' own APIs exactly as the saga's
 * steps make them. Then read back: the states the recovery, or the LRA coordinator, must settle.
 */
final class HalfDoneSubscription {

    /** The saga's steps, in order (subscription-saga.camel.yaml). */
    static final List<String> STEPS = List.of("link-customer", "create-pending-policy", "open-billing-account",
            "request-documents", "mark-quote-subscribed", "issue-policy");

    final String attemptId = "S-" + UUID.randomUUID();
    final String quoteId;
    String customerId;
    String policyId;
    private final JdbcTemplate jdbc;

    private HalfDoneSubscription(JdbcTemplate jdbc, String quoteId) {
        this.jdbc = jdbc;
        this.quoteId = quoteId;
    }

    /**
     * A new quote, its attempt STARTED now and the saga's steps done up to {@code lastStep}: a saga still running, until
     * {@link #abandoned} dates it back.
     */
    static HalfDoneSubscription upTo(String lastStep, JdbcTemplate jdbc) {
        String email = "crash-" + UUID.randomUUID() + "@example.com";
        String quoteId = ok(Mocks.call("POST", "quote-engine/quotes", """
                {"product":"AUTO","customer":{"firstName":"Kim","lastName":"Crash","email":"%s","birthDate":"1985-05-05"},
                 "risk":{"insuredValue":12000,"postalCode":"69001"},"premium":300,"ratingSource":"EXTERNAL"}""".formatted(email)))
                .get("quoteId").asText();
        HalfDoneSubscription s = new HalfDoneSubscription(jdbc, quoteId);
        jdbc.update("INSERT INTO hub.subscription_attempts (attempt_id, quote_id, status) VALUES (?, ?, 'STARTED')",
                s.attemptId, quoteId);
        for (String step : STEPS.subList(0, STEPS.indexOf(lastStep) + 1)) {
            switch (step) {
                case "link-customer" -> {
                    s.customerId = ok(Mocks.call("POST", "customers/customers", """
                            {"firstName":"Kim","lastName":"Crash","email":"%s","birthDate":"1985-05-05"}""".formatted(email)))
                            .get("customerId").asText();
                    ok(Mocks.call("POST", "customers/customers/" + s.customerId + "/links", "{\"quoteId\":\"" + quoteId + "\"}"));
                }
                case "create-pending-policy" -> s.policyId = ok(Mocks.call("POST", "pas/policies", """
                        {"quoteId":"%s","customerId":"%s","product":"AUTO","premium":300,"currency":"EUR","status":"PENDING"}"""
                        .formatted(quoteId, s.customerId))).get("policyId").asText();
                case "open-billing-account" -> ok(Mocks.call("POST", "billing/accounts",
                        "{\"policyId\":\"" + s.policyId + "\",\"customerId\":\"" + s.customerId + "\"}"));
                case "request-documents" -> ok(Mocks.call("POST", "documents/requests",
                        "{\"policyId\":\"" + s.policyId + "\",\"kinds\":[\"POLICY_SCHEDULE\",\"TERMS\"]}"));
                case "mark-quote-subscribed" -> ok(Mocks.call("POST", "quote-engine/quotes/" + quoteId + "/subscription",
                        "{\"policyId\":\"" + s.policyId + "\"}"));
                case "issue-policy" -> ok(Mocks.call("POST", "pas/policies/" + s.policyId + "/issuance", "{}"));
                default -> throw new IllegalArgumentException(step);
            }
        }
        return s;
    }

    /** Its hub died {@code secondsAgo} ago, just after the last step: the attempt started then. */
    HalfDoneSubscription abandoned(long secondsAgo) {
        jdbc.update("""
                UPDATE hub.subscription_attempts SET started_at = now() - make_interval(secs => ?),
                                                     updated_at = now() - make_interval(secs => ?)
                WHERE attempt_id = ?""", secondsAgo, secondsAgo, attemptId);
        return this;
    }

    String attemptStatus() {
        return jdbc.queryForObject("SELECT status FROM hub.subscription_attempts WHERE attempt_id = ?", String.class, attemptId);
    }

    String quoteStatus() {
        return get("quote-engine/quotes/" + quoteId).get("status").asText();
    }

    String policyStatus() {
        return get("pas/policies/" + policyId).get("status").asText();
    }

    String accountStatus() {
        return get("billing/accounts?policyId=" + policyId).get(0).get("status").asText();
    }

    List<String> documentStatuses() {
        return get("documents/documents?policyId=" + policyId).findValuesAsText("status");
    }

    boolean linked() {
        return get("customers/customers/" + customerId + "/links").findValuesAsText("quoteId").contains(quoteId);
    }

    private static JsonNode get(String path) {
        return ok(Mocks.call("GET", path, null));
    }

    private static JsonNode ok(JsonHttp.Response response) {
        assertThat(response.status()).as(String.valueOf(response.body())).isBetween(200, 201);
        return response.body();
    }
}
