package com.insurancehub.hub.platform.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.boot.actuate.health.Health;

/**
 * The systems behind the hub, probed side by side in one turn of {@link HealthEvaluator}: a GET per system bounded
 * by {@code hub.health.downstream.timeout}, a 2xx answer is UP, anything else - an error status, a refused connection,
 * no answer in time - DOWN. The results are the components {@code systems/<name>}, {@code identityProvider} and
 * {@code lraCoordinator}; requests read them from the evaluator, so the systems see one probe per interval whatever
 * the number of scrapes. Details name the answer (status, time, error class), never the URL: health answers anyone.
 */
final class DownstreamCheck {

    static final String SYSTEMS = "systems";
    static final String IDENTITY_PROVIDER = "identityProvider";
    static final String LRA_COORDINATOR = "lraCoordinator";

    private final DownstreamProperties properties;
    private final HttpClient client;

    DownstreamCheck(DownstreamProperties properties) {
        this.properties = properties;
        this.client = HttpClient.newBuilder().connectTimeout(properties.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The component name of a system. */
    static String system(String name) {
        return SYSTEMS + "/" + name;
    }

    /** Every probe at once, each result under its component name. */
    Map<String, Health> evaluate() throws InterruptedException {
        Map<String, URI> targets = new LinkedHashMap<>();
        properties.systems().forEach((name, url) -> targets.put(system(name), url));
        targets.put(IDENTITY_PROVIDER, properties.identityProvider());
        if (properties.lraCoordinator() != null) {
            targets.put(LRA_COORDINATOR, properties.lraCoordinator());
        }
        Map<String, CompletableFuture<HttpResponse<Void>>> probes = new LinkedHashMap<>();
        Map<String, Long> started = new LinkedHashMap<>();
        targets.forEach((name, url) -> {
            started.put(name, System.nanoTime());
            probes.put(name, client.sendAsync(HttpRequest.newBuilder(url).GET().timeout(properties.timeout()).build(),
                    HttpResponse.BodyHandlers.discarding()));
        });
        Map<String, Health> results = new LinkedHashMap<>();
        long deadline = System.nanoTime() + properties.timeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(500);
        for (Map.Entry<String, CompletableFuture<HttpResponse<Void>>> probe : probes.entrySet()) {
            results.put(probe.getKey(), result(probe.getValue(), started.get(probe.getKey()), deadline));
        }
        return results;
    }

    private static Health result(CompletableFuture<HttpResponse<Void>> probe, long started, long deadline)
            throws InterruptedException {
        try {
            HttpResponse<Void> response = probe.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            Health.Builder health = response.statusCode() / 100 == 2 ? Health.up() : Health.down();
            return health.withDetail("httpStatus", response.statusCode()).withDetail("answeredInMs", tookMs).build();
        } catch (ExecutionException e) {
            return Health.down().withDetail("error", e.getCause().getClass().getSimpleName()).build();
        } catch (TimeoutException e) {
            probe.cancel(true);
            return Health.down().withDetail("error", "no answer in time").build();
        }
    }
}
