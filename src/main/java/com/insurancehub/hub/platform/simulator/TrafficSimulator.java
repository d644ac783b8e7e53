package com.insurancehub.hub.platform.simulator;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * Drives traffic through the hub's own API, over real HTTP to itself (O04): the edge, the rate limits, the REST
 * routes, the saga, the outbox relays and the consumers all see it as they would see a client's, and the live view
 * shows what a client would cause. The calls carry a token of the identity provider (client credentials
 * {@code hub.simulator.client-id}/{@code client-secret}); without a secret only the anonymous quotes succeed.
 * A journey is a quote, its subscription, a claim on the policy and the payment of its first invoice.
 *
 * <p>One run at a time per hub instance (the run is transient traffic, not state: a restarted hub has none), bounded by
 * {@code hub.simulator.max-duration} and {@code max-rate}; it stops by itself at its end.
 */
public class TrafficSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(TrafficSimulator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimulatorSettings settings;
    private final Environment environment;
    private final MeterRegistry registry;
    private final CamelContext camel;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicReference<SimulatorRun> current = new AtomicReference<>();
    private volatile Thread worker;
    private String token;
    private Instant tokenExpiry = Instant.EPOCH;

    public TrafficSimulator(SimulatorSettings settings, Environment environment, MeterRegistry registry, CamelContext camel) {
        this.settings = settings;
        this.environment = environment;
        this.registry = registry;
        this.camel = camel;
    }

    /** Starts a run, or answers null when one is running. */
    public synchronized SimulatorRun start(Scenario scenario, int durationSeconds) {
        SimulatorRun running = current.get();
        if (running != null && running.getState() == SimulatorRun.State.RUNNING) {
            return null;
        }
        Instant now = Instant.now();
        SimulatorRun run = new SimulatorRun("SIM-" + UUID.randomUUID(), scenario, now, now.plusSeconds(durationSeconds));
        current.set(run);
        Thread thread = new Thread(() -> drive(run), "traffic-simulator");
        thread.setDaemon(true);
        worker = thread;
        thread.start();
        return run;
    }

    public SimulatorRun find(String id) {
        SimulatorRun run = current.get();
        return run != null && run.getId().equals(id) ? run : null;
    }

    /** Stops the run (its thread ends after its request in flight). */
    public SimulatorRun stop(String id) {
        SimulatorRun run = find(id);
        if (run != null) {
            run.end(SimulatorRun.State.STOPPED);
            Thread thread = worker;
            if (thread != null) {
                thread.interrupt();
            }
        }
        return run;
    }

    private void drive(SimulatorRun run) {
        boolean paused = false;
        Journey journey = new Journey();
        try {
            if (run.getScenario() == Scenario.SLOW_CONSUMER) {
                camel.getRouteController().suspendRoute(settings.slowConsumerRouteId());
                paused = true;
            }
            long resumeAt = run.getStartedAt().toEpochMilli() + (run.getEndsAt().toEpochMilli() - run.getStartedAt().toEpochMilli()) / 2;
            long next = System.currentTimeMillis();
            while (run.getState() == SimulatorRun.State.RUNNING && Instant.now().isBefore(run.getEndsAt())) {
                if (paused && System.currentTimeMillis() >= resumeAt) {
                    camel.getRouteController().resumeRoute(settings.slowConsumerRouteId());
                    paused = false;
                }
                step(run, journey);
                next += (long) (1000.0 / rate(run));
                long wait = next - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                } else {
                    next = System.currentTimeMillis(); // behind: no burst to catch up
                }
            }
            run.end(SimulatorRun.State.COMPLETED);
        } catch (InterruptedException e) {
            run.end(SimulatorRun.State.STOPPED);
        } catch (Exception e) {
            LOG.warn("Simulator run {} ended: {}", run.getId(), e.toString());
            run.end(SimulatorRun.State.STOPPED);
        } finally {
            if (paused) {
                try {
                    camel.getRouteController().resumeRoute(settings.slowConsumerRouteId());
                } catch (Exception e) {
                    LOG.warn("Could not resume {}: {}", settings.slowConsumerRouteId(), e.toString());
                }
            }
        }
    }

    private double rate(SimulatorRun run) {
        double rate = settings.rate();
        if (run.getScenario() == Scenario.PEAK
                && Instant.now().isBefore(run.getStartedAt().plus(settings.peakDuration()))) {
            rate *= 10;
        }
        return Math.min(rate, settings.maxRate());
    }

    /** The customer journey, one request per step: quote, subscription, claim, payment. */
    private static final class Journey {
        int step;
        long sent;
        String quoteId;
        String policyId;
        String policyNumber;
    }

    private void step(SimulatorRun run, Journey journey) throws InterruptedException {
        if (run.getScenario() == Scenario.ERRORS && ++journey.sent % 10 == 0) {
            invalid(run, journey.sent % 20 == 0);
            return;
        }
        switch (journey.step) {
            case 0 -> {
                JsonNode quote = call(run, "POST", "/api/quotes", """
                        {"product":"AUTO","customer":{"firstName":"Sim","lastName":"Ulator","email":"sim-%s@example.com","birthDate":"1985-04-12"},
                         "risk":{"insuredValue":%d,"postalCode":"75011"}}""".formatted(UUID.randomUUID(),
                        10000 + ThreadLocalRandom.current().nextInt(40000)), null);
                journey.quoteId = text(quote, "quoteId");
            }
            case 1 -> {
                JsonNode policy = journey.quoteId == null ? null
                        : call(run, "POST", "/api/quotes/" + journey.quoteId + "/subscribe", null, null);
                journey.policyId = text(policy, "policyId");
                journey.policyNumber = text(policy, "policyNumber");
            }
            case 2 -> {
                if (journey.policyNumber != null) {
                    call(run, "POST", "/api/claims", """
                            {"policyNumber":"%s","description":"Simulated windscreen crack","incidentDate":"%s","claimedAmount":%d,"currency":"EUR"}"""
                            .formatted(journey.policyNumber, LocalDate.now().minusDays(1), 100 + ThreadLocalRandom.current().nextInt(900)), null);
                }
            }
            default -> pay(run, journey);
        }
        journey.step = (journey.step + 1) % 4;
    }

    private void pay(SimulatorRun run, Journey journey) throws InterruptedException {
        if (journey.policyId == null) {
            return;
        }
        JsonNode invoices = get(settings.billingUrl() + "/invoices?policyId=" + URLEncoder.encode(journey.policyId, StandardCharsets.UTF_8));
        if (invoices != null && invoices.isArray() && !invoices.isEmpty()) {
            JsonNode invoice = invoices.get(0);
            call(run, "POST", "/api/payments", """
                    {"invoiceId":"%s","amount":%s,"currency":"EUR","reference":"SIM-%s"}"""
                    .formatted(text(invoice, "invoiceId"), invoice.path("amount").asText("1"), UUID.randomUUID()),
                    "pay-" + UUID.randomUUID());
        }
    }

    /** ERRORS: an invalid request (answered 400) or a record that is not JSON on the quote topic (dead-lettered by each of its consumers). */
    private void invalid(SimulatorRun run, boolean event) throws InterruptedException {
        if (!event) {
            call(run, "POST", "/api/quotes", """
                    {"product":"AUTO","customer":{"firstName":"A","lastName":"L","birthDate":"1990-12-10"},"risk":{"insuredValue":-5,"postalCode":"75011"}}""", null);
        } else {
            ProducerTemplate producer = camel.createProducerTemplate();
            try {
                run.sent.incrementAndGet();
                producer.sendBodyAndHeader("kafka:" + settings.invalidEventTopic(), "simulated broken event {",
                        "kafka.KEY", "SIM-" + UUID.randomUUID());
                run.invalid.incrementAndGet();
                count(run, "invalid");
            } catch (RuntimeException e) {
                run.failed.incrementAndGet();
                count(run, "failed");
            } finally {
                try {
                    producer.stop();
                } catch (Exception ignored) {
                    // nothing held
                }
            }
        }
    }

    private JsonNode call(SimulatorRun run, String method, String path, String body, String idempotencyKey) throws InterruptedException {
        run.sent.incrementAndGet();
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + environment.getProperty("local.server.port", "8080") + path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            String bearer = token();
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            if (idempotencyKey != null) {
                request.header("Idempotency-Key", idempotencyKey);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status == 400 && body != null && body.contains("\"insuredValue\":-5")) {
                run.invalid.incrementAndGet();
                count(run, "invalid");
                return null;
            }
            if (status >= 200 && status < 300) {
                run.ok.incrementAndGet();
                count(run, "ok");
                return response.body().isEmpty() ? null : JSON.readTree(response.body());
            }
            run.failed.incrementAndGet();
            count(run, "failed");
            return null;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            run.failed.incrementAndGet();
            count(run, "failed");
            return null;
        }
    }

    private JsonNode get(String url) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return null;
        }
    }

    private synchronized String token() throws InterruptedException {
        if (settings.clientSecret().isBlank()) {
            return null;
        }
        if (token != null && Instant.now().isBefore(tokenExpiry.minusSeconds(30))) {
            return token;
        }
        try {
            String form = "grant_type=client_credentials&scope=" + URLEncoder.encode(settings.scopes(), StandardCharsets.UTF_8);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(settings.tokenUri()))
                    .timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (settings.clientId() + ":" + settings.clientSecret()).getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = JSON.readTree(response.body());
            token = answer.path("access_token").asText(null);
            tokenExpiry = Instant.now().plusSeconds(answer.path("expires_in").asLong(60));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.warn("Simulator: no token from {}: {}", settings.tokenUri(), e.toString());
            token = null;
        }
        return token;
    }

    private void count(SimulatorRun run, String outcome) {
        Counter.builder("hub.simulator.requests").description("Requests and events the traffic simulator sent, by outcome")
                .tag("scenario", run.getScenario().name()).tag("outcome", outcome).register(registry).increment();
    }

    private static String text(JsonNode node, String field) {
        return node == null || !node.hasNonNull(field) ? null : node.get(field).asText();
    }
}
