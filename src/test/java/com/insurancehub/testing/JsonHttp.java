package com.insurancehub.testing;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The tests' HTTP client, of the hub's API and of the mocks alike: paths under a base URL, JSON bodies, and the answer
 * as {@link Response} (status, headers, the body parsed when it is JSON, the time it took). One {@link HttpClient} for
 * every test. A subclass adds what each of its calls carries in {@link #prepare} (the hub's bearer token: HubApi).
 */
public class JsonHttp {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;

    /** {@code baseUrl} is put in front of every path as it is (so with or without a trailing slash). */
    public JsonHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The URL of a path under the base URL, the path as written (percent-encoded). */
    public URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    /** A GET, headers as name/value pairs. */
    public Response get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    /** A POST of a JSON body, headers as name/value pairs. */
    public Response post(String path, String body, String... headers) {
        return send("POST", path, body, headers);
    }

    /** A request with a JSON body ({@code Content-Type: application/json}), or none when {@code body} is null. */
    public Response send(String method, String path, String body, String... headers) {
        return send(request(method, path, body, headers));
    }

    /** {@link #send(String, String, String, String...)}, answered later: for concurrent calls. */
    public CompletableFuture<Response> sendAsync(String method, String path, String body, String... headers) {
        return sendAsync(request(method, path, body, headers));
    }

    /** Any request, e.g. with another body or content type; it gets what {@link #prepare} adds to every call. */
    public Response send(HttpRequest.Builder request) {
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> response = HTTP.send(prepare(request).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            return Response.of(response, t0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public CompletableFuture<Response> sendAsync(HttpRequest.Builder request) {
        long t0 = System.nanoTime();
        return HTTP.sendAsync(prepare(request).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> Response.of(response, t0));
    }

    /** What every request of this client carries, added just before it is sent: nothing here. */
    protected HttpRequest.Builder prepare(HttpRequest.Builder request) {
        return request;
    }

    private HttpRequest.Builder request(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return headers.length == 0 ? request : request.headers(headers);
    }

    /** A JSON object from alternating names and values (null values left out). */
    public static String json(Object... namesAndValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            if (value != null) {
                node.set((String) namesAndValues[i], JSON.valueToTree(value));
            }
        }
        return node.toString();
    }

    /** An answer: {@code contentType} is "" when there is none; {@code body} is null unless the answer is JSON. */
    public record Response(int status, String contentType, JsonNode body, long tookMs, HttpHeaders headers) {

        static Response of(HttpResponse<String> response, long t0) {
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            try {
                JsonNode body = contentType.contains("json") && !response.body().isBlank()
                        ? JSON.readTree(response.body()) : null;
                return new Response(response.statusCode(), contentType, body, tookMs, response.headers());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
                        + response.body(), e);
            }
        }

        /** The first value of a response header, or null (names are case-insensitive). */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** Every value of a response header. */
        public List<String> headerValues(String name) {
            return headers.allValues(name);
        }

        /** A field of the JSON body as text, or null when the body has no such field (or it is null). */
        public String text(String field) {
            JsonNode value = body == null ? null : body.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }

        public BigDecimal decimal(String field) {
            return body.get(field).decimalValue();
        }

        public int integer(String field) {
            return body.get(field).asInt();
        }
    }
}
