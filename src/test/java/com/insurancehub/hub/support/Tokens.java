package com.insurancehub.hub.support;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

import com.insurancehub.dev.DevServices;
import com.insurancehub.testing.JsonHttp;

/** Access tokens from the test stack's identity provider (client credentials), kept until shortly before they expire. */
public final class Tokens {

    private static final Map<String, Token> CACHE = new ConcurrentHashMap<>();

    private Tokens() {
    }

    /** The test suite's own client, every scope: the tests of a flow are not tests of the edge. */
    public static String testSuite() {
        return of(DevServices.TEST_CLIENT, DevServices.TEST_CLIENT_SECRET, String.join(" ", DevServices.ALL_SCOPES));
    }

    /** A token of the given client for the given scopes (space separated). */
    public static String of(String clientId, String secret, String scopes) {
        String key = clientId + "|" + scopes;
        Token cached = CACHE.get(key);
        if (cached != null && cached.expiresAt().isAfter(Instant.now().plusSeconds(30))) {
            return cached.value();
        }
        JsonNode answer = request(clientId, secret, scopes);
        Token token = new Token(answer.get("access_token").asText(),
                Instant.now().plusSeconds(answer.get("expires_in").asLong()));
        CACHE.put(key, token);
        return token.value();
    }

    /** The identity provider's answer to a client-credentials request: status and body. */
    public static JsonHttp.Response tokenResponse(String clientId, String secret, String scopes) {
        String form = "grant_type=client_credentials&scope=" + URLEncoder.encode(scopes, StandardCharsets.UTF_8);
        JsonHttp issuer = new JsonHttp(DevServices.shared().issuer());
        return issuer.send(HttpRequest.newBuilder(issuer.uri("/oauth2/token"))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private static JsonNode request(String clientId, String secret, String scopes) {
        JsonHttp.Response response = tokenResponse(clientId, secret, scopes);
        if (response.status() != 200 || response.body() == null) {
            throw new IllegalStateException("No token for " + clientId + ": " + response.status() + " " + response.body());
        }
        return response.body();
    }

    private record Token(String value, Instant expiresAt) {
    }
}
