package com.insurancehub.hub.platform;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Mocks;
import com.insurancehub.testing.JsonHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API edge on the running hub: every body API refuses bad input with a problem naming it and writes nothing;
 * bad path ids and what Tomcat refuses are problems too; a failing system's internals never reach the caller.
 */
@HubIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ApiInputHardeningIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @LocalServerPort
    int port;
    HubApi api;
    String customerId;
    JsonNode policy;
    String invoiceId;
    String claimId;
    String customerEmail;
    double insuredValue;

    /** One body API: a valid request, a string field to poison, and what it would have written. */
    record BodyApi(String path, String validBody, String stringField, Runnable nothingWritten) {
    }

    @BeforeAll
    void systemsHoldWhatTheApisActOn() {
        api = new HubApi(port);
        for (String system : List.of("pas", "claims", "billing", "customers", "rating")) {
            Mocks.reset(system);
        }
        String unique = UUID.randomUUID().toString();
        customerId = created("customers/customers", """
                {"firstName":"Edge","lastName":"Case%s","email":"edge.%s@example.com","birthDate":"1985-04-02"}"""
                .formatted(unique.substring(0, 8), unique), "customerId");
        policy = Mocks.call("POST", "pas/policies", """
                {"quoteId":"Q-%s","customerId":"%s","product":"AUTO","premium":420.00,"currency":"EUR"}"""
                .formatted(UUID.randomUUID(), customerId)).body();
        invoiceId = created("billing/invoices", """
                {"policyId":"%s","amount":420.00,"currency":"EUR","sourceEventId":"%s","customerId":"%s"}"""
                .formatted(policyId(), UUID.randomUUID(), customerId), "invoiceId");
        claimId = created("claims/claims", """
                {"policyId":"%s","policyNumber":"%s","customerId":"%s","description":"Door scratched",
                 "incidentDate":"%s","claimedAmount":300,"currency":"EUR"}"""
                .formatted(policyId(), policy.get("policyNumber").asText(), customerId, LocalDate.now().minusDays(1)),
                "claimId");
        customerEmail = "edge-new-" + UUID.randomUUID() + "@example.com";
        insuredValue = HubApi.uniqueInsuredValue();
    }

    List<BodyApi> bodyApis() {
        String policyPath = "/api/policies/" + policyId();
        return List.of(
                new BodyApi("/api/quotes", HubApi.quoteRequest("AUTO", insuredValue, customerEmail),
                        "/customer/firstName", () -> { }),
                new BodyApi("/api/customers", """
                        {"firstName":"Nul","lastName":"Edge","email":"%s","birthDate":"1990-01-01"}""".formatted(customerEmail),
                        "/firstName", () -> { }),
                new BodyApi("/api/payments", """
                        {"invoiceId":"%s","amount":10.00,"currency":"EUR","reference":"SEPA-EDGE"}""".formatted(invoiceId),
                        "/reference", () -> assertThat(get("billing/payments?invoiceId=" + invoiceId)).isEmpty()),
                new BodyApi(policyPath + "/modifications", "{\"premium\":500,\"reason\":\"second driver\"}", "/reason",
                        () -> assertThat(get("pas/policies/" + policyId() + "/modifications")).isEmpty()),
                new BodyApi(policyPath + "/cancellation", "{\"reason\":\"CUSTOMER_REQUEST\"}", "/reason",
                        () -> assertThat(get("pas/policies/" + policyId()).get("status").asText()).isEqualTo("ISSUED")),
                new BodyApi("/api/claims", """
                        {"policyNumber":"%s","description":"Rear bumper dented","incidentDate":"%s","claimedAmount":850,
                         "currency":"EUR"}""".formatted(policy.get("policyNumber").asText(), LocalDate.now().minusDays(1)),
                        "/description", () -> assertThat(get("claims/claims?policyId=" + policyId())).hasSize(1)),
                new BodyApi("/api/claims/" + claimId + "/assessment",
                        "{\"decision\":\"ACCEPTED\",\"assessedAmount\":250,\"notes\":\"ok\"}", "/notes",
                        () -> assertThat(get("claims/claims/" + claimId).get("status").asText()).isEqualTo("OPEN")),
                new BodyApi("/api/claims/" + claimId + "/settlement", "{\"amount\":100,\"note\":\"x\"}", "/note",
                        () -> assertThat(get("claims/claims/" + claimId).get("status").asText()).isEqualTo("OPEN")));
    }

    @Test
    void everyBodyApiRefusesBadInputWithAProblemNamingItAndWritesNothing() throws Exception {
        for (BodyApi target : bodyApis()) {
            String path = target.path();
            refused(() -> post(path, "", "application/json"), 400, "The request body is empty", path);
            refused(() -> post(path, "  \n ", "application/json"), 400, "The request body is empty", path);
            JsonNode valid = JSON.readTree(target.validBody());
            String firstKey = valid.fieldNames().next();
            refused(() -> post(path, "{\"" + firstKey + "\":" + valid.get(firstKey) + "," + target.validBody().strip().substring(1),
                    "application/json"), 400, "Duplicate key '" + firstKey + "'", path);
            refused(() -> post(path, "{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}", "application/json"), 400,
                    "deeper than 32 levels", path);
            refused(() -> post(path, poisoned(valid, target.stringField(), "\u0000"), "application/json"), 400,
                    "A string holds a control character at $" + target.stringField().replace('/', '.'), path);
            refused(() -> post(path, poisoned(valid, target.stringField(), "\u001b[31m"), "application/json"), 400,
                    "control character", path);
            refused(() -> post(path, target.validBody(), "text/plain"), 415, "application/json", path);
            byte[] big = ("{\"a\":\"" + "x".repeat(100 * 1024) + "\"}").getBytes();
            refused(() -> api.send("POST", path, BodyPublishers.ofByteArray(big), "Content-Type", "application/json"),
                    413, "larger than", path);
            refused(() -> api.send("POST", path, BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)),
                    "Content-Type", "application/json"), 413, "larger than", path);
            target.nothingWritten().run();
        }
        // What the refused requests would have created does not exist: rated and created only now
        HubApi.Response quote = api.post("/api/quotes", HubApi.quoteRequest("AUTO", insuredValue, customerEmail));
        assertThat(quote.status()).as(String.valueOf(quote.body())).isEqualTo(201);
        assertThat(quote.body().get("ratingSource").asText()).isEqualTo("EXTERNAL");
        HubApi.Response customer = api.post("/api/customers", """
                {"firstName":"Nul","lastName":"Edge","email":"%s","birthDate":"1990-01-01"}""".formatted(customerEmail));
        assertThat(customer.status()).isEqualTo(201);
        assertThat(customer.body().get("matched").asBoolean()).isFalse();
    }

    @Test
    void aTabOrNewLineInAStringIsFine() {
        HubApi.Response created = api.post("/api/customers", """
                {"firstName":"Tab\\tbed","lastName":"New\\nLine","email":"tab-%s@example.com","birthDate":"1990-01-01"}"""
                .formatted(UUID.randomUUID()));
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    }

    @Test
    void badPathIdsAndUnknownPathsAreProblems() {
        for (String path : List.of("/api/quotes/..%2F..%2Factuator%2Fenv", "/api/quotes/Q-%00", "/api/quotes/Q-1%2F..%2Fx",
                "/api/claims/CLM-%00/assessment")) {
            HubApi.Response response = api.send("GET", path, BodyPublishers.noBody());
            assertThat(response.status()).as(path).isIn(400, 404);
            assertThat(response.contentType()).as(path).startsWith("application/problem+json");
            assertThat(response.body().get("status").asInt()).isEqualTo(response.status());
        }
        HubApi.Response badId = post("/api/policies/P-..;x/modifications", "{\"premium\":1,\"reason\":\"x\"}", "application/json");
        assertThat(badId.status()).isIn(400, 404); // 400: Spring Security's firewall refuses ";" in a path
        assertThat(badId.contentType()).startsWith("application/problem+json");
        HubApi.Response unknown = api.get("/api/nothing-here");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        HubApi.Response wrongMethod = api.send("DELETE", "/api/quotes", BodyPublishers.noBody());
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.contentType()).startsWith("application/problem+json");
    }

    @Test
    void apiAnswersCarryTheSecurityHeaders() {
        for (HubApi.Response response : List.of(api.get("/api/dead-letters"), api.get("/api/quotes/Q-" + UUID.randomUUID()),
                post("/api/customers", "", "application/json"))) {
            assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(response.header("Cache-Control")).isEqualTo("no-store");
            assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(response.headers().allValues("X-Frame-Options")).hasSize(1);
        }
    }

    @Test
    void aFailingSystemIsNamedWithAReferenceInTheLogAndNothingOfItsOwn(CapturedOutput log) {
        Mocks.faults("pas", 0, 0, true);
        try {
            HubApi.Response response = post("/api/policies/" + policyId() + "/cancellation", "{\"reason\":\"CUSTOMER_REQUEST\"}",
                    "application/json");

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.body().get("system").asText()).isEqualTo("PAS");
            assertThat(response.body().get("detail").asText()).isEqualTo("PAS failed");
            String reference = response.body().get("reference").asText();
            assertThat(UUID.fromString(reference)).isNotNull();
            assertThat(response.body().toString()).doesNotContainIgnoringCase("localhost").doesNotContain("http")
                    .doesNotContain("Exception").doesNotContainIgnoringCase("sql")
                    .doesNotContain("\tat ");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.getAll())
                    .contains(reference).contains("HttpOperationFailedException"));
        } finally {
            Mocks.reset("pas");
        }
        assertThat(get("pas/policies/" + policyId()).get("status").asText()).isEqualTo("ISSUED");
    }

    private void refused(Supplier<HubApi.Response> call, int status, String detail, String path) {
        HubApi.Response response = call.get();
        assertThat(response.status()).as(path + " " + response.body()).isEqualTo(status);
        assertThat(response.contentType()).as(path).startsWith("application/problem+json");
        assertThat(response.body().get("status").asInt()).isEqualTo(status);
        assertThat(response.body().get("detail").asText()).as(path).contains(detail);
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    private HubApi.Response post(String path, String body, String contentType) {
        return api.send("POST", path, BodyPublishers.ofString(body), "Content-Type", contentType);
    }

    private static String poisoned(JsonNode valid, String pointer, String control) {
        ObjectNode copy = valid.deepCopy();
        int slash = pointer.lastIndexOf('/');
        ObjectNode parent = (ObjectNode) copy.at(pointer.substring(0, slash));
        parent.put(pointer.substring(slash + 1), "Ada" + control + "Lovelace");
        return copy.toString();
    }

    private String policyId() {
        return policy.get("policyId").asText();
    }

    private static String created(String path, String body, String idField) {
        JsonHttp.Response created = Mocks.call("POST", path, body);
        assertThat(created.status()).as(path + " " + created.body()).isIn(200, 201);
        return created.body().get(idField).asText();
    }

    private static JsonNode get(String path) {
        JsonHttp.Response response = Mocks.call("GET", path, null);
        assertThat(response.status()).as(path).isEqualTo(200);
        return response.body();
    }
}
