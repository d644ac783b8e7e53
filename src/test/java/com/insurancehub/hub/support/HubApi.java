package com.insurancehub.hub.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A client of the hub's REST API, over real HTTP. By default it calls as the test suite's client (a token with
 * every scope, {@link Tokens#testSuite()}); {@link #anonymous(int)} and {@link #withToken(int, String)} call otherwise.
 */
public final class HubApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final java.util.function.Supplier<String> token;

    public HubApi(int port) {
        this(port, Tokens::testSuite);
    }

    private HubApi(int port, java.util.function.Supplier<String> token) {
        this.baseUrl = "http://localhost:" + port;
        this.token = token;
    }

    /** A caller without a token: what a portal visitor, or anyone on the network, can do. */
    public static HubApi anonymous(int port) {
        return new HubApi(port, () -> null);
    }

    public static HubApi withToken(int port, String accessToken) {
        return new HubApi(port, () -> accessToken);
    }

    public Response post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A POST with extra headers, as name/value pairs. */
    public Response post(String path, String body, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
                .headers(headers).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    /** A GET with extra headers, as name/value pairs. */
    public Response get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).GET();
        return send(headers.length == 0 ? request : request.headers(headers));
    }

    /** Any request, as a tester would send it: the path as written (percent-encoded), headers as name/value pairs. */
    public Response send(String method, String rawPath, HttpRequest.BodyPublisher body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + rawPath)).method(method, body);
        return send(headers.length == 0 ? request : request.headers(headers));
    }

    /** Any request, e.g. with another method or content type; the token is added as for every call. */
    public Response send(HttpRequest.Builder request) {
        String bearer = token.get();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            JsonNode body = r.headers().firstValue("Content-Type").orElse("").contains("json") && !r.body().isBlank()
                    ? JSON.readTree(r.body()) : null;
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, tookMs,
                    r.headers());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, String contentType, JsonNode body, long tookMs, HttpHeaders headers) {

        /** The first value of a response header, or null (names are case-insensitive). */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** Every value of a response header. */
        public List<String> headerValues(String name) {
            return headers.allValues(name);
        }
    }

    /** The URL of a path on this hub. */
    public URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    /** An insured value no other test uses: a new risk, so a rating cache miss. */
    public static double uniqueInsuredValue() {
        return 10_000 + Math.abs(java.util.UUID.randomUUID().getMostSignificantBits() % 1_000_000) / 100.0;
    }

    /** A quote request; {@code insuredValue} makes the risk unique (and so a rating cache miss). */
    public static String quoteRequest(String product, double insuredValue, String email) {
        return """
                {"product":"%s","customer":{"firstName":"Ada","lastName":"Lovelace","email":"%s","birthDate":"1990-12-10"},
                 "risk":{"insuredValue":%s,"postalCode":"75011"}}""".formatted(product, email, insuredValue);
    }
}
