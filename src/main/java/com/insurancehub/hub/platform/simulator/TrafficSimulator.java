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
import java.util.Locale;
import java.util.UUID;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * A journey is a quote, its subscription, a claim on the policy and the payment of its first invoice, one request a step.
 *
 * <p>Open loop: one scheduler thread per run fires the steps at the scenario's rate and hands each to a bounded pool
 * of {@code hub.simulator.workers}; a step that finds every worker busy is skipped (counted), never queued, so the
 * rate sent is the rate scheduled as long as the hub answers, and a slow hub shows as skipped steps rather than a
 * quietly lower rate. Several journeys are under way at once, each step of one after the previous has been answered.
 *
 * <p>One run at a time per hub instance (the run is transient traffic, not state: a restarted hub has none), bounded by
 * {@code hub.simulator.max-duration} and {@code max-rate}; it stops by itself at its end. The workers exist only
 * during a run.
 */
public class TrafficSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(TrafficSimulator.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Payment tries of a journey whose invoice Billing has not made yet (the policy's event on its way) */
    private static final int PAYMENT_TRIES = 3;
    /** How long a run's end waits for its requests in flight (their timeout is 10 s) */
    private static final Duration DRAIN = Duration.ofSeconds(12);
    /** Whether the step a worker sends was scheduled in PEAK's ten-times phase: its requests count there */
    private static final ThreadLocal<Boolean> PEAK_STEP = ThreadLocal.withInitial(() -> false);

    private final SimulatorSettings settings;
    private final Environment environment;
    private final MeterRegistry registry;
    private final CamelContext camel;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicReference<SimulatorRun> current = new AtomicReference<>();
    private volatile Thread scheduler;
    private volatile ExecutorService workers;
    private String token;
    private Instant tokenExpiry = Instant.EPOCH;

    public TrafficSimulator(SimulatorSettings settings, Environment environment, MeterRegistry registry, CamelContext camel) {
        this.settings = settings;
        this.environment = environment;
        this.registry = registry;
        this.camel = camel;
    }

    /**
     * Starts a run, or answers null when one is running.
     *
     * @param peakSeconds PEAK's seconds at ten times the rate (at most hub.simulator.peak-duration), null for that
     */
    public synchronized SimulatorRun start(Scenario scenario, int durationSeconds, Integer peakSeconds) {
        SimulatorRun running = current.get();
        if (running != null && running.getState() == SimulatorRun.State.RUNNING) {
            return null;
        }
        Duration peak = scenario != Scenario.PEAK ? Duration.ZERO
                : peakSeconds == null ? settings.peakDuration() : Duration.ofSeconds(peakSeconds);
        Instant now = Instant.now();
        SimulatorRun run = new SimulatorRun("SIM-" + UUID.randomUUID(), scenario, now, now.plusSeconds(durationSeconds), peak);
        current.set(run);
        AtomicInteger number = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(settings.workers(), task -> {
            Thread thread = new Thread(task, "traffic-simulator-worker-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        workers = pool;
        Thread thread = new Thread(() -> drive(run, pool), "traffic-simulator");
        thread.setDaemon(true);
        scheduler = thread;
        thread.start();
        return run;
    }

    public SimulatorRun find(String id) {
        SimulatorRun run = current.get();
        return run != null && run.getId().equals(id) ? run : null;
    }

    /** Stops the run: no step is scheduled any more, the requests in flight are interrupted. */
    public SimulatorRun stop(String id) {
        SimulatorRun run = find(id);
        if (run != null) {
            run.end(SimulatorRun.State.STOPPED);
            Thread thread = scheduler;
            if (thread != null) {
                thread.interrupt();
            }
            ExecutorService pool = workers;
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return run;
    }

    private void drive(SimulatorRun run, ExecutorService pool) {
        boolean paused = false;
        Semaphore idle = new Semaphore(settings.workers());
        Queue<Journey> waiting = new ConcurrentLinkedQueue<>();
        ProducerTemplate producer = camel.createProducerTemplate();
        try {
            if (run.getScenario() == Scenario.SLOW_CONSUMER) {
                camel.getRouteController().suspendRoute(settings.slowConsumerRouteId());
                paused = true;
            }
            long start = System.nanoTime();
            long runNanos = Duration.between(run.getStartedAt(), run.getEndsAt()).toNanos();
            long peakNanos = Duration.between(run.getStartedAt(), run.getPeakEndsAt()).toNanos();
            double due = 0; // the next step's time, in nanoseconds since the start: the schedule, whatever the answers
            long steps = 0;
            while (run.getState() == SimulatorRun.State.RUNNING && due < runNanos) {
                if (paused && System.nanoTime() - start >= runNanos / 2) {
                    camel.getRouteController().resumeRoute(settings.slowConsumerRouteId());
                    paused = false;
                }
                long wait = start + (long) due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                boolean peak = due < peakNanos;
                schedule(run, ++steps, peak, pool, idle, waiting, producer);
                due += 1e9 / rate(run, peak);
            }
            pool.shutdown();
            pool.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            run.end(SimulatorRun.State.COMPLETED);
        } catch (InterruptedException e) {
            run.end(SimulatorRun.State.STOPPED);
        } catch (Exception e) {
            LOG.warn("Simulator run {} ended: {}", run.getId(), e.toString());
            run.end(SimulatorRun.State.STOPPED);
        } finally {
            pool.shutdownNow();
            try {
                producer.stop();
            } catch (Exception ignored) {
                // nothing held
            }
            if (paused) {
                try {
                    camel.getRouteController().resumeRoute(settings.slowConsumerRouteId());
                } catch (Exception e) {
                    LOG.warn("Could not resume {}: {}", settings.slowConsumerRouteId(), e.toString());
                }
            }
        }
    }

    private double rate(SimulatorRun run, boolean peak) {
        return Math.min(peak ? settings.rate() * 10 : settings.rate(), settings.maxRate());
    }

    /**
     * A step to an idle worker, or skipped. ERRORS: every tenth step is an invalid request (answered 400) and, beside
     * it, a broken record on a domain topic: about one record in ten of those the run causes.
     */
    private void schedule(SimulatorRun run, long step, boolean peak, ExecutorService pool, Semaphore idle, Queue<Journey> waiting,
                          ProducerTemplate producer) {
        if (!idle.tryAcquire()) {
            run.skipped.incrementAndGet();
            count(run, "skipped");
            return;
        }
        boolean invalid = run.getScenario() == Scenario.ERRORS && step % 10 == 0;
        try {
            pool.execute(() -> {
                PEAK_STEP.set(peak);
                try {
                    if (invalid) {
                        invalidRequest(run);
                        invalidEvent(run, step, producer);
                    } else {
                        Journey journey = waiting.poll();
                        journey(run, journey == null ? new Journey() : journey, waiting);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    idle.release();
                }
            });
        } catch (RejectedExecutionException e) {
            idle.release(); // the run is stopping
        }
    }

    /** A customer journey under way: the step it is at and what its answers gave. */
    private static final class Journey {
        int step;
        int paymentTries;
        String quoteId;
        String policyId;
        String policyNumber;
    }

    /** The journey's next step; one whose previous answer failed starts again with a quote, so every step sends a request. */
    private void journey(SimulatorRun run, Journey journey, Queue<Journey> waiting) throws InterruptedException {
        if (journey.step == 1 && journey.quoteId == null || journey.step == 2 && journey.policyNumber == null) {
            journey = new Journey();
        }
        switch (journey.step) {
            case 0 -> {
                JsonNode quote = call(run, "POST", "/api/quotes", """
                        {"product":"AUTO","customer":{"firstName":"Sim","lastName":"Ulator","email":"%s-%08x@example.com","birthDate":"1985-04-12"},
                         "risk":{"insuredValue":%d,"postalCode":"75011"}}""".formatted(run.getId().toLowerCase(Locale.ROOT),
                        ThreadLocalRandom.current().nextInt(), 10000 + ThreadLocalRandom.current().nextInt(40000)), null);
                journey.quoteId = text(quote, "quoteId");
                if (journey.quoteId != null) {
                    run.journeys.incrementAndGet();
                }
            }
            case 1 -> {
                JsonNode policy = call(run, "POST", "/api/quotes/" + journey.quoteId + "/subscribe", null, null);
                journey.policyId = text(policy, "policyId");
                journey.policyNumber = text(policy, "policyNumber");
            }
            case 2 -> call(run, "POST", "/api/claims", """
                    {"policyNumber":"%s","description":"Simulated windscreen crack","incidentDate":"%s","claimedAmount":%d,"currency":"EUR"}"""
                    .formatted(journey.policyNumber, LocalDate.now().minusDays(1), 100 + ThreadLocalRandom.current().nextInt(900)), null);
            default -> {
                if (!pay(run, journey)) {
                    // no invoice yet: tried again later, and this step starts a journey instead
                    if (++journey.paymentTries < PAYMENT_TRIES) {
                        waiting.add(journey);
                    }
                    journey(run, new Journey(), waiting);
                    return;
                }
            }
        }
        journey.step = (journey.step + 1) % 4;
        if (journey.step != 0) {
            waiting.add(journey);
        }
    }

    /** Pays the policy's first invoice; false when Billing has none yet (nothing sent to the hub). */
    private boolean pay(SimulatorRun run, Journey journey) throws InterruptedException {
        JsonNode invoices = get(settings.billingUrl() + "/invoices?policyId=" + URLEncoder.encode(journey.policyId, StandardCharsets.UTF_8));
        if (invoices == null || !invoices.isArray() || invoices.isEmpty()) {
            return false;
        }
        JsonNode invoice = invoices.get(0);
        call(run, "POST", "/api/payments", """
                {"invoiceId":"%s","amount":%s,"currency":"EUR","reference":"SIM-%s"}"""
                .formatted(text(invoice, "invoiceId"), invoice.path("amount").asText("1"), UUID.randomUUID()),
                "pay-" + UUID.randomUUID());
        return true;
    }

    /** ERRORS: a quote request the hub must refuse with 400 problem+json (a negative insured value). */
    private void invalidRequest(SimulatorRun run) throws InterruptedException {
        call(run, "POST", "/api/quotes", INVALID_QUOTE, null);
    }

    /**
     * ERRORS: a record that is not JSON on a domain topic (hub.simulator.invalid-event-topic), keyed with the run's id:
     * each consumer of the topic dead-letters it with its reason (R04), where its key finds it.
     */
    private void invalidEvent(SimulatorRun run, long step, ProducerTemplate producer) {
        run.sending(PEAK_STEP.get());
        try {
            producer.sendBodyAndHeader("kafka:" + settings.invalidEventTopic(), "simulated broken event {",
                    "kafka.KEY", run.getId() + "-" + step);
            run.invalidEvents.incrementAndGet();
            count(run, "invalid");
        } catch (RuntimeException e) {
            run.failed.incrementAndGet();
            count(run, "failed");
        }
    }

    private static final String INVALID_QUOTE = """
            {"product":"AUTO","customer":{"firstName":"A","lastName":"L","birthDate":"1990-12-10"},"risk":{"insuredValue":-5,"postalCode":"75011"}}""";

    private JsonNode call(SimulatorRun run, String method, String path, String body, String idempotencyKey) throws InterruptedException {
        run.sending(PEAK_STEP.get());
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
            if (status == 400 && INVALID_QUOTE.equals(body)
                    && response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
                run.invalidRequests.incrementAndGet();
                count(run, "invalid");
                return null;
            }
            if (status >= 200 && status < 300) {
                run.ok.incrementAndGet();
                count(run, "ok");
                return response.body().isEmpty() ? null : JSON.readTree(response.body());
            }
            if (status == 429) {
                run.rateLimited.incrementAndGet(); // failed too: the client's limit is below the rate asked for
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
