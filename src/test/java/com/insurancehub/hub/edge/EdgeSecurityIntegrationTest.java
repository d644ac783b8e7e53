package com.insurancehub.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;
import com.insurancehub.hub.support.Tokens;
import com.insurancehub.testing.JsonHttp.Response;

/**
 * The edge (F07) on the real identity provider: who may call what. The Jolokia request below is the one that ran an
 * OS command through PostgreSQL for anyone, from any web page, before the edge existed.
 */
@HubIntegrationTest
class EdgeSecurityIntegrationTest {

    private static final String CUSTOMER = """
            {"firstName":"Edge","lastName":"Case","email":"edge.case@example.com","birthDate":"1980-01-01"}""";
    private static final String PAYMENT = """
            {"invoiceId":"I-unknown","amount":10.0,"currency":"EUR","reference":"EDGE-1"}""";

    @Value("${local.server.port}")
    int port;

    @Value("${hub.security.operator.password}")
    String operatorPassword;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anonymousCallersGetAPriceAndHealthAndNothingElse() {
        HubApi anonymous = HubApi.anonymous(port);
        Response quote = anonymous.post("/api/quotes", HubApi.quoteRequest("AUTO", HubApi.uniqueInsuredValue(), "anon@example.com"));
        assertThat(quote.status()).isEqualTo(201);
        assertThat(anonymous.get("/api/quotes/" + quote.body().get("quoteId").asText()).status()).isEqualTo(200);
        // answered, not refused: UP (200) or DOWN (503) is the state of the shared stack (HealthIntegrationTest)
        assertThat(anonymous.get("/actuator/health").status()).isIn(200, 503);
        assertThat(anonymous.get("/actuator/prometheus").status()).isEqualTo(200);

        for (String path : List.of("/api/dead-letters", "/api/admin/parked-events", "/actuator/metrics",
                "/actuator/camelroutes", "/actuator/hawtio/", "/actuator/jolokia/version")) {
            Response refused = anonymous.get(path);
            assertThat(refused.status()).as(path).isEqualTo(401);
            assertThat(refused.contentType()).as(path).startsWith("application/problem+json");
            assertThat(refused.headers().firstValue("WWW-Authenticate")).as(path).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }
        Response customer = anonymous.post("/api/customers", CUSTOMER);
        assertThat(customer.status()).isEqualTo(401);
        assertThat(customer.body().get("detail").asText()).contains("access token");
    }

    @Test
    void eachApiFamilyWantsItsScope() {
        HubApi broker = HubApi.withToken(port, Tokens.of("partner-broker", "partner-broker-local-only", "quotes customers policies"));
        assertThat(broker.post("/api/customers", CUSTOMER).status()).isIn(200, 201);
        Response payment = broker.post("/api/payments", PAYMENT, "Idempotency-Key", "edge-1");
        assertThat(payment.status()).isEqualTo(403);
        assertThat(payment.contentType()).startsWith("application/problem+json");
        assertThat(payment.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"insufficient_scope\"");
        assertThat(broker.get("/api/dead-letters").status()).isEqualTo(403);
        assertThat(broker.get("/actuator/metrics").status()).isEqualTo(403);

        HubApi operator = HubApi.withToken(port, Tokens.of("operator", "operator-local-only", "admin"));
        assertThat(operator.get("/api/dead-letters").status()).isEqualTo(200);
        assertThat(operator.get("/actuator/metrics").status()).isEqualTo(200);
        assertThat(operator.post("/api/customers", CUSTOMER).status()).isEqualTo(403);
        // a client cannot ask for a scope it was not given
        assertThat(Tokens.tokenResponse("partner-broker", "partner-broker-local-only", "admin").status()).isEqualTo(400);
    }

    @Test
    void expiredAndForeignSignedTokensAreRefused() throws Exception {
        String shortLived = Tokens.of(DevServices.SHORT_LIVED_CLIENT, DevServices.SHORT_LIVED_SECRET, "admin");
        HubApi soonExpired = HubApi.withToken(port, shortLived);
        assertThat(soonExpired.get("/api/dead-letters").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response expired = soonExpired.get("/api/dead-letters");
            assertThat(expired.status()).isEqualTo(401);
            assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
        });

        // right issuer, right scope, wrong key
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("forged").build(),
                new JWTClaimsSet.Builder().issuer(DevServices.shared().issuer()).subject("operator")
                        .claim("scope", List.of("admin")).expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
        forged.sign(new RSASSASigner((RSAPrivateKey) generator.generateKeyPair().getPrivate()));
        assertThat(HubApi.withToken(port, forged.serialize()).get("/api/dead-letters").status()).isEqualTo(401);
    }

    @Test
    void theJolokiaRequestThatRanShellCommandsIsRefused() throws Exception {
        Path marker = Path.of("target", "jolokia-" + System.nanoTime()).toAbsolutePath();
        String exploit = """
                {"type":"exec","mbean":"org.apache.camel:context=insurance-hub,type=context,name=\\"insurance-hub\\"",
                 "operation":"requestStringBody(java.lang.String,java.lang.Object)",
                 "arguments":["jdbc:dataSource","COPY (select 1) TO PROGRAM 'touch %s'"]}""".formatted(marker);

        // from a web page (text/plain needs no CORS preflight): another origin is refused before anything else
        assertThat(jolokia(exploit, null, "http://evil.example").statusCode()).isEqualTo(403);
        // anonymous
        HttpResponse<String> anonymous = jolokia(exploit, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(jolokia(exploit.replace("\"type\":\"exec\"", "\"type\":\"read\""), "Bearer not-a-token", null).statusCode()).isEqualTo(401);
        // a token without admin
        String broker = "Bearer " + Tokens.of("partner-broker", "partner-broker-local-only", "quotes customers policies");
        assertThat(jolokia(exploit, broker, null).statusCode()).isEqualTo(403);
        // the operator's own credentials, but from another origin (a page the operator visits)
        String admin = "Bearer " + Tokens.of("operator", "operator-local-only", "admin");
        HttpResponse<String> crossOrigin = jolokia(exploit, admin, "http://evil.example");
        assertThat(crossOrigin.statusCode()).isEqualTo(403);
        assertThat(crossOrigin.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        // the operator, same origin: Jolokia's restrictor refuses to call an endpoint
        HttpResponse<String> operator = jolokia(exploit, admin, null);
        assertThat(operator.body()).contains("\"status\":403");
        String basic = "Basic " + Base64.getEncoder().encodeToString(("operator:" + operatorPassword).getBytes(StandardCharsets.UTF_8));
        assertThat(jolokia(exploit, basic, null).body()).contains("\"status\":403");
        assertThat(jolokia(exploit.replace("requestStringBody(java.lang.String,java.lang.Object)", "stop()"), admin, null).body())
                .contains("\"status\":403");
        // Hawtio's own way to Jolokia (its forwarding controller) meets the same restrictor and the same origin rule
        HttpResponse<String> throughHawtio = post("/actuator/hawtio/jolokia/", exploit, basic, null);
        assertThat(throughHawtio.statusCode()).isEqualTo(200);
        assertThat(throughHawtio.body()).contains("\"status\":403");
        assertThat(post("/actuator/hawtio/jolokia/", exploit, basic, "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(Files.exists(marker)).isFalse();

        // what the console needs still works: the routes are listed, one can be read
        HttpResponse<String> routes = jolokia("""
                {"type":"search","mbean":"org.apache.camel:type=routes,*"}""", basic, null);
        assertThat(routes.statusCode()).isEqualTo(200);
        assertThat(routes.body()).contains("\"status\":200").contains("get-quote");
        // and no CORS header invites another origin to read answers
        assertThat(routes.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void theOperatorLogsInToHawtio() throws Exception {
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/hawtio/"))
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isIn(302, 401);
        String basic = "Basic " + Base64.getEncoder().encodeToString(("operator:" + operatorPassword).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> console = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/hawtio/"))
                .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).containsIgnoringCase("hawtio");
        // the console's session never rides on a request another site starts
        assertThat(console.headers().allValues("Set-Cookie")).filteredOn(c -> c.startsWith("JSESSIONID"))
                .allSatisfy(c -> assertThat(c).contains("SameSite=Strict").contains("HttpOnly"));
        String wrong = "Basic " + Base64.getEncoder().encodeToString("operator:guess".getBytes(StandardCharsets.UTF_8));
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/jolokia/version"))
                .header("Authorization", wrong).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> jolokia(String body, String authorization, String origin) throws Exception {
        return post("/actuator/jolokia", body, authorization, origin);
    }

    private HttpResponse<String> post(String path, String body, String authorization, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
