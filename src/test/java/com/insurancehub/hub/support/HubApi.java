package com.insurancehub.hub.support;

import java.net.http.HttpRequest;
import java.util.function.Supplier;

import com.insurancehub.testing.JsonHttp;

/**
 * A client of the hub's REST API, over real HTTP ({@link JsonHttp}, whose {@code Response} it answers). By default it
 * calls as the test suite's client (a token with every scope, {@link Tokens#testSuite()}); {@link #anonymous(int)} and
 * {@link #withToken(int, String)} call otherwise.
 */
public final class HubApi extends JsonHttp {

    private final Supplier<String> token;

    public HubApi(int port) {
        this(port, Tokens::testSuite);
    }

    private HubApi(int port, Supplier<String> token) {
        super("http://localhost:" + port);
        this.token = token;
    }

    /** A caller without a token: what a portal visitor, or anyone on the network, can do. */
    public static HubApi anonymous(int port) {
        return new HubApi(port, () -> null);
    }

    public static HubApi withToken(int port, String accessToken) {
        return new HubApi(port, () -> accessToken);
    }

    /** Any request, as a tester would send it: the path as written (percent-encoded), headers as name/value pairs. */
    public Response send(String method, String rawPath, HttpRequest.BodyPublisher body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(rawPath)).method(method, body);
        return send(headers.length == 0 ? request : request.headers(headers));
    }

    /** The token, on every call. */
    @Override
    protected HttpRequest.Builder prepare(HttpRequest.Builder request) {
        String bearer = token.get();
        return bearer == null ? request : request.header("Authorization", "Bearer " + bearer);
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
