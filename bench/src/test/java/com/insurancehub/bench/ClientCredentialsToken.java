package com.insurancehub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The benchmarks' access token: the OAuth2 client credentials grant at the local stack's identity provider (the
 * edge, F07, README "The edge: who may call what"), as a partner broker's back office calls the hub.
 *
 * <p>{@link #start()} gets the first token before the scenario, so the token endpoint's cost is never in a measured
 * request. Every request then reads {@link #bearer()}, a field: no blocking on Gatling's event loop. A daemon thread
 * gets a new token at three quarters of the lifetime the identity provider announces ({@code expires_in}; 15 min for
 * the local one), so a run longer than the lifetime never sends an expired token; a failed refresh is retried every
 * few seconds while the old token is still valid.
 *
 * <p>Properties, each with the local stack's default: {@code tokenUrl} (http://localhost:9000/oauth2/token),
 * {@code clientId} (partner-broker), {@code clientSecret} (partner-broker-local-only, src/test/resources/
 * identity-provider.yaml), {@code scope} (the simulation's default: what it calls needs).
 */
final class ClientCredentialsToken implements AutoCloseable {

    private static final Duration RETRY = Duration.ofSeconds(5);

    private final URI tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final String scope;
    // HTTP/1.1, without the HTTP/2 upgrade request: no request unlike the load's in a measured phase (QuoteSimulation)
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-token-refresh");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String bearer;
    private volatile long expiresAtNanos;

    private ClientCredentialsToken(String tokenUrl, String clientId, String clientSecret, String scope) {
        this.tokenUrl = URI.create(tokenUrl);
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
    }

    /** From the system properties, {@code defaultScope} unless {@code -Dscope} says otherwise. */
    static ClientCredentialsToken fromSystemProperties(String defaultScope) {
        return new ClientCredentialsToken(
                System.getProperty("tokenUrl", "http://localhost:9000/oauth2/token"),
                System.getProperty("clientId", "partner-broker"),
                System.getProperty("clientSecret", "partner-broker-local-only"),
                System.getProperty("scope", defaultScope));
    }

    /** Gets the first token (fails loudly: a benchmark without a token would measure 401s) and plans the refresh. */
    ClientCredentialsToken start() {
        long lifetimeSeconds = fetch();
        scheduleRefresh(lifetimeSeconds);
        System.out.printf("Access token for client %s, scope \"%s\", from %s: valid %d s%n", clientId, scope,
                tokenUrl, lifetimeSeconds);
        return this;
    }

    /** The value of the Authorization header. */
    String bearer() {
        String value = bearer;
        if (value == null) {
            throw new IllegalStateException("no access token: start() first");
        }
        return value;
    }

    String clientId() {
        return clientId;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }

    private void scheduleRefresh(long lifetimeSeconds) {
        // three quarters of the lifetime: early enough for a slow token endpoint and a few retries
        refresher.schedule(this::refresh, Math.max(1, lifetimeSeconds * 3 / 4), TimeUnit.SECONDS);
    }

    private void refresh() {
        try {
            scheduleRefresh(fetch());
        } catch (RuntimeException e) {
            long left = (expiresAtNanos - System.nanoTime()) / 1_000_000_000L;
            System.err.printf("Token refresh failed (%s), current token valid %d s more: again in %d s%n",
                    e.getMessage(), left, RETRY.toSeconds());
            refresher.schedule(this::refresh, RETRY.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** One client credentials grant; returns the token's lifetime in seconds. */
    private long fetch() {
        String basic = Base64.getEncoder().encodeToString(
                (form(clientId) + ":" + form(clientSecret)).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(tokenUrl)
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + form(scope)))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + tokenUrl + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST " + tokenUrl + " (client " + clientId + ", scope \"" + scope
                    + "\") answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("token answer is not JSON: " + response.body(), e);
        }
        String token = body.path("access_token").asText(null);
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("no access_token in the token answer: " + response.body());
        }
        // RFC 6749 makes expires_in optional: without it, assume the local identity provider's 15 minutes
        long lifetime = body.path("expires_in").asLong(900);
        bearer = "Bearer " + token;
        expiresAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(lifetime);
        return lifetime;
    }

    /** RFC 6749 2.3.1: client id and secret are form-encoded before they go into the Basic header. */
    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
