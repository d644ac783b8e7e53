package com.insurancehub.hub.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import com.insurancehub.dev.DevServices;

/** The mocks' admin surface and state, as the tests see them: over HTTP, like any client. */
public final class Mocks {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Mocks() {
    }

    public static void faults(String base, int latencyMs, double errorRate, boolean down) {
        call("PUT", base + "/_admin/faults",
                "{\"latencyMs\":" + latencyMs + ",\"errorRate\":" + errorRate + ",\"down\":" + down + "}");
    }

    public static void reset(String base) {
        call("POST", base + "/_admin/reset", "");
    }

    public static long requests(String base) {
        return call("GET", base + "/_admin/stats", null).body().get("requests").asLong();
    }

    public static long failures(String base) {
        return call("GET", base + "/_admin/stats", null).body().get("failures").asLong();
    }

    public static Response call(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(DevServices.shared().mocksBaseUrl() + "/" + path))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, JsonNode body) {
    }
}
