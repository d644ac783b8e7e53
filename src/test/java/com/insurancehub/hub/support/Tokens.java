package com.insurancehub.hub.support;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import com.insurancehub.dev.DevServices;

/** Access tokens from the test stack's identity provider (client credentials), kept until shortly before they expire. */
public final class Tokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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

    /** The identity provider's raw answer to a client-credentials request: status and body. */
    public static HttpResponse<String> tokenResponse(String clientId, String secret, String scopes) {
        String form = "grant_type=client_credentials&scope=" + URLEncoder.encode(scopes, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(DevServices.shared().issuer() + "/oauth2/token"))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode request(String clientId, String secret, String scopes) {
        HttpResponse<String> response = tokenResponse(clientId, secret, scopes);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("No token for " + clientId + ": " + response.statusCode() + " " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private record Token(String value, Instant expiresAt) {
    }
}
