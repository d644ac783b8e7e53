package com.insurancehub.hub.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;

import com.insurancehub.dev.DevServices;
import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;

/**
 * The customer portal's way in (F07): authorization code with PKCE at the identity provider, a customer logging in
 * with a password, then the portal calling the hub with the token it got - the scopes the customer's portal has,
 * nothing more.
 */
@HubIntegrationTest
class PortalLoginIntegrationTest {

    private static final String REDIRECT = "http://127.0.0.1:3000/callback";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Value("${local.server.port}")
    int port;

    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void aCustomerLogsInThroughThePortalAndThePortalCallsTheHubWithItsScopes() throws Exception {
        String issuer = DevServices.shared().issuer();
        String verifier = random();
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String authorize = issuer + "/oauth2/authorize?response_type=code&client_id=web-portal"
                + "&scope=" + encode("openid customers claims") + "&redirect_uri=" + encode(REDIRECT)
                + "&state=s1&code_challenge=" + challenge + "&code_challenge_method=S256";

        // not logged in: the provider sends the browser to its login page
        HttpResponse<String> first = get(authorize);
        assertThat(first.statusCode()).isEqualTo(302);
        assertThat(first.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        String loginPage = get(issuer + "/login").body();
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(loginPage);
        assertThat(csrf.find()).as(loginPage).isTrue();
        HttpResponse<String> login = post(issuer + "/login", "username=ada&password=ada-local-only&_csrf=" + encode(csrf.group(1)));
        assertThat(login.statusCode()).isEqualTo(302);

        // logged in: the provider redirects to the portal with a code
        HttpResponse<String> authorized = get(authorize);
        assertThat(authorized.statusCode()).isEqualTo(302);
        String location = authorized.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?code=");
        String code = URI.create(location).getQuery().replaceAll(".*code=([^&]+).*", "$1");

        // a public client: no secret, the PKCE verifier instead
        HttpResponse<String> token = post(issuer + "/oauth2/token", "grant_type=authorization_code&client_id=web-portal"
                + "&code=" + code + "&redirect_uri=" + encode(REDIRECT) + "&code_verifier=" + verifier);
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        JsonNode tokens = JSON.readTree(token.body());
        HubApi portal = HubApi.withToken(port, tokens.get("access_token").asText());

        assertThat(portal.post("/api/customers", """
                {"firstName":"Ada","lastName":"Portal","email":"ada.portal@example.com","birthDate":"1990-12-10"}""").status())
                .isIn(200, 201);
        assertThat(portal.post("/api/payments", """
                {"invoiceId":"I-none","amount":1.0,"currency":"EUR","reference":"P-1"}""", "Idempotency-Key", "portal-1").status())
                .as("payments was not asked for").isEqualTo(403);

        // without the verifier the code is worth nothing
        assertThat(post(issuer + "/oauth2/token", "grant_type=authorization_code&client_id=web-portal&code=" + code
                + "&redirect_uri=" + encode(REDIRECT)).statusCode()).isEqualTo(400);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String form) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
