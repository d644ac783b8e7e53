package com.insurancehub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
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
 */
public class SubscriptionSimulation extends Simulation {

    static final String MEASURED = "POST /api/quotes/{id}/subscribe";
    static final String WARM_UP = "POST /api/quotes/{id}/subscribe (warm-up)";

    private final double rate = Double.parseDouble(System.getProperty("rate", "20"));
    private final int durationSeconds = Integer.getInteger("duration", 60);
    private final int warmupSeconds = Integer.getInteger("warmup", 20);
    private final String hubUrl = System.getProperty("hubUrl", "http://localhost:8080");
    private final Path summaryFile = Path.of(System.getProperty("summaryFile", "bench/target/bench-summary-subscribe.json"));

    private static final AtomicLong NEXT_INSURED_VALUE = new AtomicLong(2_000_000 + System.nanoTime() % 50_000_000L);
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

        setUp(warmUp.andThen(measured)).protocols(protocol)
                .assertions(details(MEASURED).failedRequests().count().is(0L));
    }

    private ChainBuilder subscription(String name, boolean measure) {
        return exec(session -> session.set("insuredValue", NEXT_INSURED_VALUE.incrementAndGet())
                        .set("email", "bench-" + UUID.randomUUID() + "@example.com"))
                .exec(http("POST /api/quotes (before subscribing)").post("/api/quotes")
                        .header("Authorization", session -> token.bearer())
                        .body(StringBody("""
                                {"product":"HOME","customer":{"firstName":"Bench","lastName":"Mark","email":"#{email}",
                                 "birthDate":"1985-03-14"},"risk":{"insuredValue":#{insuredValue},"postalCode":"69003"}}"""))
                        .check(status().is(201), jsonPath("$.quoteId").saveAs("quoteId")))
                .exitHereIfFailed()
                .exec(session -> session.set("sentAt", System.nanoTime()))
                .exec(http(name).post("/api/quotes/#{quoteId}/subscribe").body(StringBody(""))
                        .header("Authorization", session -> token.bearer())
                        .check(status().is(201), jsonPath("$.status").is("ISSUED")))
                .exec(session -> {
                    if (measure) {
                        measuredNanos.add(System.nanoTime() - session.getLong("sentAt"));
                        (session.isFailed() ? ko : ok).increment();
                    }
                    return session;
                });
    }

    @Override
    public void before() {
        token.start();
    }

    @Override
    public void after() {
        token.close();
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

}
