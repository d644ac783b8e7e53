package com.insurancehub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * The subscription benchmark of docs/performance.md (F03): each virtual user prices a new quote, then subscribes
 * to it ({@code POST /api/quotes/{id}/subscribe}: the whole saga across Customer Hub, PAS, Billing, DocMgmt and
 * the Quote Engine). Open model at a steady {@code rate} (default 20 subscriptions/s); only the subscribe call is
 * measured, after {@code warmup} seconds on the same path. Every answer must be 201 with status ISSUED.
 * Writes {@code summaryFile}: p50/p95/p99/max of the measured subscribe calls, OK/KO counts.
 *
 * <p>Both calls carry a client credentials token ({@link ClientCredentialsToken}; default client
 * {@code partner-broker}, scope {@code quotes policies}): subscribing needs scope {@code policies}, and an anonymous
 * caller's 100 quotes/min would not carry the rate. The stack must let that client call at the rate (bench/stack.sh
 * raises its limit).
 *
 * <p>With {@code steps} (e.g. {@code -Dsteps=10,20,40 -DstepDuration=60}): after the warm-up at the first step's
 * rate, a stepped load ({@link SteppedLoad}, p99 target 300 ms unless {@code p99Target}) instead of the measured phase;
 * a quote that fails counts as a failure of its step. With {@code loadFile}: every subscription of the run (warm-up
 * included) and its outcome, for the loss check ({@link FaultCheck}); the run's customers are
 * {@code bench-<run>-<n>@example.com} ({@code run}, default a new id).
 */
public class SubscriptionSimulation extends Simulation {

    static final String MEASURED = "POST /api/quotes/{id}/subscribe";
    static final String WARM_UP = "POST /api/quotes/{id}/subscribe (warm-up)";

    private final SteppedLoad stepped = SteppedLoad.fromSystemProperties(300, "subscriptions");
    private final double rate = stepped != null ? stepped.firstRate() : Double.parseDouble(System.getProperty("rate", "20"));
    private final int durationSeconds = Integer.getInteger("duration", 60);
    private final int warmupSeconds = Integer.getInteger("warmup", 20);
    private final String hubUrl = System.getProperty("hubUrl", "http://localhost:8080");
    private final Path summaryFile = Path.of(System.getProperty("summaryFile", "bench/target/bench-summary-subscribe.json"));

    private static final AtomicLong NEXT_INSURED_VALUE = new AtomicLong(2_000_000 + System.nanoTime() % 50_000_000L);
    /** Names the run's customers ({@code bench-<run>-<n>@example.com}): the loss check finds the run's quotes by them. */
    private final String run = System.getProperty("run", Long.toString(System.currentTimeMillis(), 36));
    private final String emailPrefix = "bench-" + run + "-";
    private final AtomicLong nextCustomer = new AtomicLong();
    /** Optional: every subscription's outcome, in the form {@link FaultCheck} reads (its {@code load} file). */
    private final String loadFile = System.getProperty("loadFile");
    private final Map<String, Map<String, Object>> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long startedAt;
    private final ConcurrentLinkedQueue<Long> measuredNanos = new ConcurrentLinkedQueue<>();
    private final LongAdder ok = new LongAdder();
    private final LongAdder ko = new LongAdder();
    private final ClientCredentialsToken token = ClientCredentialsToken.fromSystemProperties("quotes policies");

    {
        HttpProtocolBuilder protocol = http.baseUrl(hubUrl).contentTypeHeader("application/json")
                .acceptHeader("application/json").shareConnections().disableWarmUp();

        PopulationBuilder warmUp = scenario("warm-up").exec(subscription(WARM_UP, false))
                .injectOpen(constantUsersPerSec(rate).during(warmupSeconds));
        PopulationBuilder measured = scenario("measured").exec(subscription(MEASURED, true))
                .injectOpen(constantUsersPerSec(rate).during(durationSeconds));

        if (stepped != null) {
            PopulationBuilder steps = scenario("measured steps").exec(subscription(MEASURED, false))
                    .injectOpen(stepped.injection());
            setUp(warmUp.andThen(steps, stepped.monitor())).protocols(protocol)
                    .maxDuration(Duration.ofSeconds(warmupSeconds + stepped.totalSeconds() + 90L));
        } else {
            setUp(warmUp.andThen(measured)).protocols(protocol)
                    .assertions(details(MEASURED).failedRequests().count().is(0L));
        }
    }

    private ChainBuilder subscription(String name, boolean measure) {
        boolean steppedCall = stepped != null && name.equals(MEASURED);
        return exec(session -> session.set("insuredValue", NEXT_INSURED_VALUE.incrementAndGet())
                        .set("email", emailPrefix + nextCustomer.incrementAndGet() + "@example.com"))
                .exec(http("POST /api/quotes (before subscribing)").post("/api/quotes")
                        .header("Authorization", session -> token.bearer())
                        .body(StringBody("""
                                {"product":"HOME","customer":{"firstName":"Bench","lastName":"Mark","email":"#{email}",
                                 "birthDate":"1985-03-14"},"risk":{"insuredValue":#{insuredValue},"postalCode":"69003"}}"""))
                        .check(status().is(201), jsonPath("$.quoteId").saveAs("quoteId")))
                .exec(session -> {
                    if (session.isFailed()) {
                        outcome(session, "NO_QUOTE");
                        return steppedCall ? stepped.failedBefore(session) : session;
                    }
                    return session;
                })
                .exitHereIfFailed()
                // a quote answered after the monitor stopped the load: no subscribe the load file would not list
                .exitHereIf(session -> steppedCall && stepped.stopped())
                .exec(session -> session.set("sentAt", System.nanoTime()))
                .exec(session -> steppedCall ? stepped.sent(session) : session)
                // replaced by the answer; left as it is when the load ends first (a stopped load, its last calls)
                .exec(session -> outcome(session, "UNANSWERED"))
                .exec(http(name).post("/api/quotes/#{quoteId}/subscribe").body(StringBody(""))
                        .header("Authorization", session -> token.bearer())
                        .check(status().saveAs("subscribeStatus"), jsonPath("$.policyId").optional().saveAs("policyId"),
                                status().is(201), jsonPath("$.status").is("ISSUED")))
                .exec(session -> steppedCall ? stepped.answered(session) : session)
                .exec(session -> {
                    // ISSUED: 201 ISSUED; REFUSED: another answer; UNKNOWN: none (timeout, broken connection)
                    outcome(session, !session.isFailed() ? "ISSUED" : session.contains("subscribeStatus") ? "REFUSED" : "UNKNOWN");
                    if (measure) {
                        measuredNanos.add(System.nanoTime() - session.getLong("sentAt"));
                        (session.isFailed() ? ko : ok).increment();
                    }
                    return session;
                });
    }

    private Session outcome(Session session, String outcome) {
        if (loadFile == null) {
            return session;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("email", session.getString("email"));
        s.put("quoteId", session.contains("quoteId") ? session.getString("quoteId") : null);
        s.put("outcome", outcome);
        s.put("status", session.contains("subscribeStatus") ? session.getInt("subscribeStatus") : null);
        s.put("policyId", session.contains("policyId") ? session.getString("policyId") : null);
        outcomes.put(session.getString("email"), s);
        return session;
    }

    @Override
    public void before() {
        startedAt = System.currentTimeMillis();
        token.start();
    }

    @Override
    public void after() {
        token.close();
        if (loadFile != null) {
            writeLoadFile();
        }
        if (stepped != null) {
            stepped.writeReport(Map.of("simulation", "SubscriptionSimulation", "warmupSeconds", warmupSeconds, "run", run));
            return;
        }
        List<Long> sorted = new ArrayList<>(measuredNanos);
        Collections.sort(sorted);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("rate", rate);
        summary.put("measuredSeconds", durationSeconds);
        summary.put("ok", ok.sum());
        summary.put("ko", ko.sum());
        summary.put("p50Ms", Percentiles.ms(sorted, 50));
        summary.put("p95Ms", Percentiles.ms(sorted, 95));
        summary.put("p99Ms", Percentiles.ms(sorted, 99));
        summary.put("maxMs", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1) / 1_000_000.0);
        try {
            Files.createDirectories(summaryFile.toAbsolutePath().getParent());
            Files.writeString(summaryFile, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(summary));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The run's subscriptions for {@link FaultCheck}: run, email prefix, start and end (epoch ms), counts, outcomes. */
    private void writeLoadFile() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        outcomes.values().forEach(o -> counts.merge((String) o.get("outcome"), 1, Integer::sum));
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("run", run);
        load.put("emailPrefix", emailPrefix);
        load.put("startedAt", startedAt);
        load.put("endedAt", System.currentTimeMillis());
        load.put("counts", counts);
        load.put("subscriptions", new ArrayList<>(outcomes.values()));
        try {
            Path file = Path.of(loadFile);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(load));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
