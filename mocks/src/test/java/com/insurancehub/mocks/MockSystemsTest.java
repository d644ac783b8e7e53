package com.insurancehub.mocks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import com.insurancehub.testing.JsonHttp.Response;

import static com.insurancehub.mocks.MockHttp.JSON;
import static com.insurancehub.mocks.MockHttp.count;
import static com.insurancehub.mocks.MockHttp.db;
import static com.insurancehub.mocks.MockHttp.get;
import static com.insurancehub.mocks.MockHttp.post;
import static com.insurancehub.mocks.MockHttp.send;
import static com.insurancehub.mocks.MockHttp.sendAsync;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated business systems behind the hub's flows (Customer Hub, PAS, Billing, DocMgmt, Notifications,
 * Audit), exercised over HTTP like the hub calls them, with their tables read back over plain JDBC.
 */
class MockSystemsTest {

    // ---------------------------------------------------------------- Customer Hub

    @Test
    void customerHubMatchesEmailAndNameVariantsToOneGoldenRecord() {
        String token = token();
        String email = "zoe." + token + "@example.com";
        Response created = post("customers/customers", customer("Zoé", "Lefèvre " + token, email, "1985-04-12"));
        assertThat(created.status()).isEqualTo(201);
        String customerId = created.text("customerId");
        assertThat(customerId).startsWith("C-");
        assertThat(created.body().get("matched").asBoolean()).isFalse();
        assertThat(created.text("birthDate")).isEqualTo("1985-04-12");

        // the same email, in other case and with spaces around: the golden record, as first stored
        Response byEmail = post("customers/customers",
                customer("Z.", "Other", "  ZOE." + token.toUpperCase() + "@Example.COM ", "1990-01-01"));
        assertThat(byEmail.status()).isEqualTo(200);
        assertThat(byEmail.text("customerId")).isEqualTo(customerId);
        assertThat(byEmail.body().get("matched").asBoolean()).isTrue();
        assertThat(byEmail.text("firstName")).isEqualTo("Zoé");
        assertThat(byEmail.text("email")).isEqualTo(email);

        // the same name without accents, other case and spacing, the same birth date, another email
        Response byName = post("customers/customers",
                customer("  ZOE ", "lefevre   " + token.toUpperCase() + " ", "other." + token + "@example.com", "1985-04-12"));
        assertThat(byName.status()).isEqualTo(200);
        assertThat(byName.text("customerId")).isEqualTo(customerId);
        assertThat(byName.body().get("matched").asBoolean()).isTrue();

        // the same name born another day is another person
        Response namesake = post("customers/customers",
                customer("Zoe", "Lefevre " + token, "namesake." + token + "@example.com", "1985-04-13"));
        assertThat(namesake.status()).isEqualTo(201);
        assertThat(namesake.text("customerId")).isNotEqualTo(customerId);

        Response read = get("customers/customers/" + customerId);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text("lastName")).isEqualTo("Lefèvre " + token);
        assertThat(get("customers/customers/C-" + UUID.randomUUID()).status()).isEqualTo(404);
        Response invalid = post("customers/customers", "{\"firstName\":\"A\",\"lastName\":\"B\",\"email\":\"a@b.c\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body().get("status").asInt()).isEqualTo(400);
    }

    @Test
    void concurrentIdenticalCustomerCreationsGiveOneCustomer() {
        String token = token();
        String body = customer("Anaïs", "Concurrent " + token, "anais." + token + "@example.com", "1979-11-30");
        List<CompletableFuture<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(sendAsync("POST", "customers/customers", body));
        }
        List<Response> answers = calls.stream().map(CompletableFuture::join).toList();

        assertThat(answers).allSatisfy(r -> assertThat(r.status()).isIn(200, 201));
        assertThat(answers.stream().map(r -> r.text("customerId")).collect(Collectors.toSet())).hasSize(1);
        assertThat(answers.stream().filter(r -> r.status() == 201)).hasSize(1);
        assertThat(count("SELECT count(*) FROM customers.customers WHERE email_key = ?", "anais." + token + "@example.com"))
                .isEqualTo(1);
    }

    // ---------------------------------------------------------------- PAS

    @Test
    void policyCreationWritesThePolicyAndOneOutboxRowInOneTransaction() throws Exception {
        String quoteId = "Q-" + UUID.randomUUID();
        String traceparent = "00-" + token32() + "-00f067aa0ba902b7-01";
        Response created = send("POST", "pas/policies", policy(quoteId), "traceparent", traceparent);

        assertThat(created.status()).isEqualTo(201);
        String policyId = created.text("policyId");
        assertThat(policyId).startsWith("P-");
        assertThat(created.text("policyNumber")).matches("POL-[0-9A-Z]{8}");
        assertThat(created.text("status")).isEqualTo("ISSUED");
        assertThat(created.body().get("version").asInt()).isEqualTo(1);
        assertThat(created.body().get("premium").decimalValue()).isEqualByComparingTo("412.50");

        try (Connection db = db(); PreparedStatement s = db.prepareStatement("""
                SELECT o.aggregate_type, o.aggregate_version, o.event_type, o.traceparent, o.payload::text,
                       o.xmin::text = p.xmin::text AS same_transaction
                FROM pas.outbox o JOIN pas.policies p ON p.policy_id = o.aggregate_id
                WHERE o.aggregate_id = ?""")) {
            s.setString(1, policyId);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("policy");
                assertThat(rs.getInt(2)).isEqualTo(1);
                assertThat(rs.getString(3)).isEqualTo("PolicyCreated");
                assertThat(rs.getString(4)).isEqualTo(traceparent);
                JsonNode payload = JSON.readTree(rs.getString(5));
                assertThat(payload.get("policyId").asText()).isEqualTo(policyId);
                assertThat(payload.get("policyNumber").asText()).isEqualTo(created.text("policyNumber"));
                assertThat(payload.get("quoteId").asText()).isEqualTo(quoteId);
                assertThat(payload.get("status").asText()).isEqualTo("ISSUED");
                assertThat(payload.get("premium").decimalValue()).isEqualByComparingTo("412.50");
                // both rows were written by the same transaction (same creating transaction id)
                assertThat(rs.getBoolean(6)).isTrue();
                assertThat(rs.next()).as("exactly one outbox row").isFalse();
            }
        }
        assertThat(get("pas/policies/" + policyId).text("quoteId")).isEqualTo(quoteId);
        Response byQuote = get("pas/policies?quoteId=" + quoteId);
        assertThat(byQuote.body()).hasSize(1);
        assertThat(byQuote.body().get(0).get("policyId").asText()).isEqualTo(policyId);
        assertThat(get("pas/policies/P-" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(post("pas/policies", "{\"quoteId\":\"" + quoteId + "\"}").status()).isEqualTo(400);
    }

    @Test
    void aRolledBackPolicyCreationLeavesNeitherPolicyNorOutboxRow() {
        String quoteId = "Q-" + UUID.randomUUID();
        Response failed = send("POST", "pas/policies", policy(quoteId), "X-Mock-Rollback", "true");

        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.text("detail")).isEqualTo("simulated failure after the outbox write, transaction rolled back");
        assertThat(count("SELECT count(*) FROM pas.policies WHERE quote_id = ?", quoteId)).isZero();
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE payload->>'quoteId' = ?", quoteId)).isZero();
        // nothing was kept: the quote can still be subscribed
        assertThat(post("pas/policies", policy(quoteId)).status()).isEqualTo(201);
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE payload->>'quoteId' = ?", quoteId)).isEqualTo(1);
    }

    @Test
    void aQuoteIsSubscribedOnceAndTheDuplicateWritesNoEvent() {
        String quoteId = "Q-" + UUID.randomUUID();
        String policyId = post("pas/policies", policy(quoteId)).text("policyId");

        Response duplicate = post("pas/policies", policy(quoteId));

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.body().get("status").asInt()).isEqualTo(409);
        assertThat(duplicate.text("policyId")).isEqualTo(policyId);
        assertThat(duplicate.text("detail")).isEqualTo("quote " + quoteId + " is already subscribed by policy " + policyId);
        assertThat(count("SELECT count(*) FROM pas.policies WHERE quote_id = ?", quoteId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE payload->>'quoteId' = ?", quoteId)).isEqualTo(1);
    }

    @Test
    void policyCancellationIsIdempotent() {
        String policyId = post("pas/policies", policy("Q-" + UUID.randomUUID())).text("policyId");

        Response cancelled = post("pas/policies/" + policyId + "/cancellation", "{\"reason\":\"customer withdrew\"}");
        Response again = post("pas/policies/" + policyId + "/cancellation", "{\"reason\":\"customer withdrew\"}");

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.text("status")).isEqualTo("CANCELLED");
        assertThat(cancelled.body().get("version").asInt()).isEqualTo(2);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.text("status")).isEqualTo("CANCELLED");
        assertThat(again.body().get("version").asInt()).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ? AND event_type = 'PolicyCancelled'"
                + " AND aggregate_version = 2 AND payload->>'reason' = 'customer withdrew'", policyId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ?", policyId)).isEqualTo(2);
        assertThat(post("pas/policies/P-" + UUID.randomUUID() + "/cancellation", "{}").status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- Billing

    @Test
    void billingAccountsAndInvoicesAreIdempotent() {
        String policyId = "P-" + UUID.randomUUID();
        String account = "{\"customerId\":\"C-1\",\"policyId\":\"" + policyId + "\"}";
        Response opened = post("billing/accounts", account);
        assertThat(opened.status()).isEqualTo(201);
        String accountId = opened.text("accountId");
        assertThat(accountId).startsWith("A-");
        assertThat(opened.text("status")).isEqualTo("OPEN");
        Response reopened = post("billing/accounts", account);
        assertThat(reopened.status()).isEqualTo(200);
        assertThat(reopened.text("accountId")).isEqualTo(accountId);

        String sourceEventId = UUID.randomUUID().toString();
        String invoice = "{\"policyId\":\"" + policyId + "\",\"amount\":412.50,\"currency\":\"EUR\",\"sourceEventId\":\""
                + sourceEventId + "\"}";
        Response issued = post("billing/invoices", invoice);
        Response repeated = post("billing/invoices", invoice);

        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.text("invoiceId")).startsWith("I-");
        assertThat(issued.text("accountId")).isEqualTo(accountId);
        assertThat(issued.text("status")).isEqualTo("OPEN");
        assertThat(issued.text("dueDate")).isEqualTo(LocalDate.now(java.time.ZoneOffset.UTC).plusDays(30).toString());
        assertThat(repeated.status()).isEqualTo(200);
        assertThat(repeated.text("invoiceId")).isEqualTo(issued.text("invoiceId"));
        assertThat(get("billing/invoices?policyId=" + policyId).body()).hasSize(1);
        // every billing event is keyed by the account: opened (version 1), then the invoice (version 2)
        assertThat(count("SELECT count(*) FROM billing.outbox WHERE aggregate_type = 'billing-account' AND aggregate_id = ?"
                + " AND event_type = 'InvoiceIssued' AND aggregate_version = 2", accountId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM billing.outbox WHERE aggregate_id = ? AND event_type = 'BillingAccountOpened'",
                accountId)).isEqualTo(1);

        Response closed = post("billing/accounts/" + accountId + "/closure", "{\"reason\":\"policy cancelled\"}");
        Response closedAgain = post("billing/accounts/" + accountId + "/closure", "{\"reason\":\"policy cancelled\"}");
        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.text("status")).isEqualTo("CLOSED");
        assertThat(closedAgain.status()).isEqualTo(200);
        assertThat(closedAgain.text("status")).isEqualTo("CLOSED");
        assertThat(count("SELECT count(*) FROM billing.outbox WHERE aggregate_id = ? AND event_type = 'BillingAccountClosed'",
                accountId)).isEqualTo(1);
        assertThat(get("billing/accounts/" + accountId).text("status")).isEqualTo("CLOSED");
        assertThat(get("billing/accounts?policyId=" + policyId).body()).hasSize(1);
        assertThat(get("billing/accounts/A-" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(post("billing/accounts/A-" + UUID.randomUUID() + "/closure", "{}").status()).isEqualTo(404);

        // a policy without an account still gets its invoice, on an account opened for it
        Response orphan = post("billing/invoices", "{\"policyId\":\"P-" + UUID.randomUUID()
                + "\",\"amount\":10,\"currency\":\"EUR\",\"sourceEventId\":\"" + UUID.randomUUID() + "\"}");
        assertThat(orphan.status()).isEqualTo(201);
        assertThat(orphan.text("accountId")).startsWith("A-").isNotEqualTo(accountId);
    }

    // ---------------------------------------------------------------- DocMgmt

    @Test
    void documentRequestsAreGeneratedAtOnceIdempotentAndCancellable() {
        String policyId = "P-" + UUID.randomUUID();
        String request = "{\"policyId\":\"" + policyId + "\",\"kinds\":[\"POLICY_SCHEDULE\",\"TERMS\"],\"sourceEventId\":\""
                + UUID.randomUUID() + "\"}";
        Response created = post("documents/requests", request);
        assertThat(created.status()).isEqualTo(201);
        String requestId = created.text("requestId");
        assertThat(requestId).startsWith("D-");
        assertThat(created.text("status")).isEqualTo("REQUESTED");
        assertThat(created.body().get("documents")).hasSize(2);
        JsonNode first = created.body().get("documents").get(0);
        assertThat(first.get("kind").asText()).isEqualTo("POLICY_SCHEDULE");
        assertThat(first.get("status").asText()).isEqualTo("GENERATED");
        assertThat(first.get("url").asText()).isEqualTo("/documents/documents/" + first.get("documentId").asText());
        assertThat(get(first.get("url").asText().substring(1)).status()).isEqualTo(200);

        Response repeated = post("documents/requests", request);
        assertThat(repeated.status()).isEqualTo(200);
        assertThat(repeated.text("requestId")).isEqualTo(requestId);
        assertThat(get("documents/documents?policyId=" + policyId).body()).hasSize(2);

        Response cancelled = post("documents/requests/" + requestId + "/cancellation", null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.text("status")).isEqualTo("CANCELLED");
        assertThat(post("documents/requests/" + requestId + "/cancellation", null).status()).isEqualTo(200);
        assertThat(get("documents/documents?policyId=" + policyId).body())
                .allSatisfy(d -> assertThat(d.get("status").asText()).isEqualTo("CANCELLED"));
        assertThat(post("documents/requests/D-" + UUID.randomUUID() + "/cancellation", null).status()).isEqualTo(404);
        assertThat(post("documents/requests", "{\"policyId\":\"" + policyId + "\",\"kinds\":[]}").status()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- Notifications

    @Test
    void notificationsAreIdempotentBySourceEventAndListedNewestFirst() {
        String reference = "Q-" + UUID.randomUUID();
        String to = token() + "@example.com";
        String message = "{\"channel\":\"EMAIL\",\"to\":\"" + to + "\",\"template\":\"quote-generated\",\"subject\":\"Your quote\","
                + "\"body\":\"Hello\",\"reference\":\"" + reference + "\",\"sourceEventId\":\"" + UUID.randomUUID() + "\"}";
        Response sent = post("notifications/messages", message);
        Response repeated = post("notifications/messages", message);

        assertThat(sent.status()).isEqualTo(201);
        assertThat(sent.text("messageId")).startsWith("M-");
        assertThat(sent.text("to")).isEqualTo(to);
        assertThat(sent.text("sentAt")).endsWith("Z");
        assertThat(repeated.status()).isEqualTo(200);
        assertThat(repeated.text("messageId")).isEqualTo(sent.text("messageId"));
        assertThat(get("notifications/messages?reference=" + reference).body()).hasSize(1);

        Response reminder = post("notifications/messages", "{\"to\":\"" + to + "\",\"template\":\"quote-reminder\","
                + "\"reference\":\"" + reference + "\"}");
        assertThat(reminder.status()).isEqualTo(201);
        JsonNode all = get("notifications/messages?to=" + to).body();
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("messageId").asText()).isEqualTo(reminder.text("messageId"));
        assertThat(get("notifications/messages?to=" + to + "&template=quote-generated").body()).hasSize(1);
        assertThat(post("notifications/messages", "{\"template\":\"x\"}").status()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- Audit

    @Test
    void auditRecordsAreIdempotentByEventId() {
        String aggregateId = "P-" + UUID.randomUUID();
        String record = "{\"source\":\"pas\",\"eventType\":\"PolicyCreated\",\"aggregateId\":\"" + aggregateId
                + "\",\"eventId\":\"" + UUID.randomUUID() + "\",\"payload\":{\"premium\":412.5,\"tags\":[\"a\"]}}";
        Response recorded = post("audit/records", record);
        Response repeated = post("audit/records", record);

        assertThat(recorded.status()).isEqualTo(201);
        assertThat(recorded.text("recordId")).isNotBlank();
        assertThat(recorded.text("recordedAt")).endsWith("Z");
        assertThat(recorded.body().at("/payload/tags/0").asText()).isEqualTo("a");
        assertThat(repeated.status()).isEqualTo(200);
        assertThat(repeated.text("recordId")).isEqualTo(recorded.text("recordId"));
        assertThat(get("audit/records?aggregateId=" + aggregateId).body()).hasSize(1);
        assertThat(post("audit/records", "{\"source\":\"pas\"}").status()).isEqualTo(400);
        Response malformed = post("audit/records", "{not json");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().get("status").asInt()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- what the subscription saga also uses

    @Test
    void aPendingPolicyIsAnnouncedOnlyWhenIssued() {
        String quoteId = "Q-" + UUID.randomUUID();
        String pending = policy(quoteId).replace("}", ",\"status\":\"PENDING\"}");
        Response created = post("pas/policies", pending);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("status")).isEqualTo("PENDING");
        String policyId = created.text("policyId");
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ?", policyId)).isZero();

        Response issued = post("pas/policies/" + policyId + "/issuance", "{}");
        assertThat(issued.status()).isEqualTo(200);
        assertThat(issued.text("status")).isEqualTo("ISSUED");
        assertThat(issued.body().get("version").asInt()).isEqualTo(2);
        assertThat(post("pas/policies/" + policyId + "/issuance", "{}").status()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ? AND event_type = 'PolicyCreated'"
                + " AND aggregate_version = 2 AND payload->>'status' = 'ISSUED'", policyId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ?", policyId)).isEqualTo(1);

        // compensation by quote id: a PENDING policy is cancelled without any event; no policy, 204
        String otherQuote = "Q-" + UUID.randomUUID();
        String otherId = post("pas/policies", policy(otherQuote).replace("}", ",\"status\":\"PENDING\"}")).text("policyId");
        Response compensated = post("pas/policies/cancellation?quoteId=" + otherQuote, "{\"reason\":\"saga\"}");
        assertThat(compensated.status()).isEqualTo(200);
        assertThat(compensated.text("status")).isEqualTo("CANCELLED");
        assertThat(count("SELECT count(*) FROM pas.outbox WHERE aggregate_id = ?", otherId)).isZero();
        assertThat(post("pas/policies/" + otherId + "/issuance", "{}").status()).isEqualTo(409);
        assertThat(post("pas/policies/cancellation?quoteId=Q-" + UUID.randomUUID(), null).status()).isEqualTo(204);
        assertThat(post("pas/policies", policy("Q-" + UUID.randomUUID()).replace("}", ",\"status\":\"DRAFT\"}"))
                .status()).isEqualTo(400);
    }

    @Test
    void sagaCompensationsByQuoteOrPolicyAreNoOpsWhenNothingWasDone() {
        String token = token();
        String customerId = post("customers/customers",
                customer("Link", "Person " + token, token + "@example.com", "1970-01-01")).text("customerId");
        String quoteId = "Q-" + UUID.randomUUID();
        String link = "{\"quoteId\":\"" + quoteId + "\"}";
        assertThat(post("customers/customers/" + customerId + "/links", link).status()).isEqualTo(201);
        assertThat(post("customers/customers/" + customerId + "/links", link).status()).isEqualTo(200);
        assertThat(get("customers/customers/" + customerId + "/links").body()).hasSize(1);
        assertThat(post("customers/customers/C-" + UUID.randomUUID() + "/links", link).status()).isEqualTo(404);
        assertThat(post("customers/links/" + quoteId + "/removal", null).body().get("removed").asBoolean()).isTrue();
        assertThat(post("customers/links/" + quoteId + "/removal", null).body().get("removed").asBoolean()).isFalse();

        String policyId = "P-" + UUID.randomUUID();
        String accountId = post("billing/accounts", "{\"customerId\":\"" + customerId + "\",\"policyId\":\"" + policyId + "\"}")
                .text("accountId");
        Response closed = post("billing/accounts/closure?policyId=" + policyId, null);
        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.text("accountId")).isEqualTo(accountId);
        assertThat(closed.text("status")).isEqualTo("CLOSED");
        assertThat(post("billing/accounts/closure?policyId=" + policyId, null).status()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM billing.outbox WHERE aggregate_id = ? AND event_type = 'BillingAccountClosed'",
                accountId)).isEqualTo(1);
        assertThat(post("billing/accounts/closure?policyId=P-" + UUID.randomUUID(), null).status()).isEqualTo(204);

        post("documents/requests", "{\"policyId\":\"" + policyId + "\",\"kinds\":[\"TERMS\"]}");
        Response cancelled = post("documents/requests/cancellation?policyId=" + policyId, null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.body()).hasSize(1);
        assertThat(cancelled.body().get(0).get("status").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.body().at("/0/documents/0/status").asText()).isEqualTo("CANCELLED");
        assertThat(post("documents/requests/cancellation?policyId=P-" + UUID.randomUUID(), null).body()).isEmpty();
    }

    // ---------------------------------------------------------------- admin surface

    @Test
    void everyNewMockHasTheAdminSurface() {
        String[][] systems = {
                {"customers", "customers/customers/C-none"},
                {"pas", "pas/policies/P-none"},
                {"billing", "billing/accounts/A-none"},
                {"claims", "claims/claims/CLM-none"},
                {"documents", "documents/documents?policyId=P-none"},
                {"notifications", "notifications/messages?to=nobody@example.com"},
                {"audit", "audit/records?aggregateId=none"}};
        for (String[] system : systems) {
            String base = system[0];
            try {
                assertThat(post(base + "/_admin/reset", "").status()).isEqualTo(200);
                assertThat(send("PUT", base + "/_admin/faults", "{\"latencyMs\":0,\"errorRate\":0,\"down\":true}")
                        .status()).isEqualTo(200);

                Response down = get(system[1]);
                assertThat(down.status()).as(base).isEqualTo(503);
                assertThat(down.body().get("status").asInt()).isEqualTo(503);
                assertThat(get(base + "/health").status()).as("a monitor's probe of " + base).isEqualTo(503);
                JsonNode stats = get(base + "/_admin/stats").body();
                // the hub contexts of other test classes share these mocks: at least this test's call is
                // counted, as a failure, and a failure is always a counted request
                assertThat(stats.get("failures").asLong()).as(base).isPositive()
                        .isLessThanOrEqualTo(stats.get("requests").asLong());
                assertThat(stats.at("/faults/down").asBoolean()).isTrue();

                JsonNode reset = post(base + "/_admin/reset", "").body();
                assertThat(reset.get("requests").asLong()).isZero();
                assertThat(reset.get("failures").asLong()).isZero();
                assertThat(get(system[1]).status()).as(base).isIn(200, 404);
                assertThat(get(base + "/health").body().get("status").asText()).as(base).isEqualTo("UP");
                assertThat(get(base + "/_admin/stats").body().get("failures").asLong()).isZero();
            } finally {
                post(base + "/_admin/reset", "");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String customer(String firstName, String lastName, String email, String birthDate) {
        return "{\"firstName\":\"" + firstName + "\",\"lastName\":\"" + lastName + "\",\"email\":\"" + email
                + "\",\"birthDate\":\"" + birthDate + "\"}";
    }

    private static String policy(String quoteId) {
        return "{\"quoteId\":\"" + quoteId + "\",\"customerId\":\"C-" + UUID.randomUUID()
                + "\",\"product\":\"HOME\",\"premium\":412.50,\"currency\":\"EUR\"}";
    }

    /** Letters only, so that it survives name normalisation unchanged (apart from case). */
    private static String token() {
        StringBuilder token = new StringBuilder();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 10; i++) {
            token.append((char) ('a' + random.nextInt(26)));
        }
        return token.toString();
    }

    private static String token32() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
