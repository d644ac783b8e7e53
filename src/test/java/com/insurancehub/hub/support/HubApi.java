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

/** A client of the hub's REST API, over real HTTP. */
public final class HubApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public HubApi(int port) {
        this.baseUrl = "http://localhost:" + port;
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
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).headers(headers).GET());
    }

    private Response send(HttpRequest.Builder request) {
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            JsonNode body = r.headers().firstValue("Content-Type").orElse("").contains("json") && !r.body().isBlank()
                    ? JSON.readTree(r.body()) : null;
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, tookMs, r.headers());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, String contentType, JsonNode body, long tookMs, HttpHeaders headers) {
        /** Every value of a response header (names are case-insensitive). */
        public List<String> header(String name) {
            return headers.allValues(name);
        }
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
