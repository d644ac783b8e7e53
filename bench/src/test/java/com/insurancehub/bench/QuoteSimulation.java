package com.insurancehub.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/**
 * The benchmark of {@code POST /api/quotes} (docs/performance.md), one scenario per run:
 *
 * <ul>
 *   <li>{@code -Dscenario=cache}: every request the same, already rated risk: answered from the rating cache
 *       ({@code ratingSource} CACHE). Target p99 &lt; 20 ms.</li>
 *   <li>{@code -Dscenario=slow}: every request a new risk (cache miss) while External Rating answers in 150 ms
 *       ({@code ratingSource} EXTERNAL). Target p99 &lt; 250 ms.</li>
 *   <li>{@code -Dscenario=open}: External Rating down and the circuit breaker open: every new risk priced by the
 *       fallback tariff ({@code ratingSource} FALLBACK). Target p99 &lt; 20 ms.</li>
 * </ul>
 *
 * <p>Each run: {@link #before()} resets the mocks through their admin API, sets the scenario's faults and
 * checks the hub is in the expected state (breaker closed, risk cached, or breaker open); then a warm-up
 * phase (JIT, connection pools) on the same path, request name {@value #WARM_UP}; then the measured steady
 * phase at a constant arrival rate (open model), request name {@value #MEASURED}. Every answer is checked:
 * 201 and the scenario's ratingSource, so the figures are figures of correct answers. {@link #after()}
 * resets the mocks and writes a summary (measured window, throughput, External Rating calls) next to
 * Gatling's own results.
 *
 * <p>Properties: {@code scenario} (cache|slow|open, default cache), {@code rate} (requests/s; default 100 for
 * cache and open, 40 for slow),
 * {@code duration} (measured seconds, default 60), {@code warmup} (seconds, default 30), {@code hubUrl}
 * (default http://localhost:8080), {@code mocksUrl} (default http://localhost:8090), {@code summaryFile}
 * (default bench/target/bench-summary-&lt;scenario&gt;.json), {@code requestLog} (optional CSV of the measured
 * requests' send and answer times). Traffic goes to those two URLs only: keep them
 * on the loopback interface. Every request carries {@code Authorization: Bearer ...}, a client credentials token
 * ({@link ClientCredentialsToken}: {@code tokenUrl}, {@code clientId}, {@code clientSecret}, {@code scope}, defaults
 * the local stack's {@code partner-broker} and scope {@code quotes}); the stack must let that client call at the
 * rate (bench/stack.sh raises its limit).
 *
 * <p>With {@code steps} (e.g. {@code -Dsteps=100,200,300 -DstepDuration=30 -Dp99Target=50}): after the warm-up at
 * the first step's rate, a stepped load ({@link SteppedLoad}, bench/run-saturation.sh) instead of the measured
 * phase; no assertion, the steps file is the result.
 */
public class QuoteSimulation extends Simulation {

    static final String MEASURED = "POST /api/quotes";
    static final String WARM_UP = "POST /api/quotes (warm-up)";
    static final String SCRAPE = "GET /actuator/prometheus (Prometheus)";
    static final int SCRAPE_INTERVAL_SECONDS = 15;
    /** The scrapes' and the snapshots' format: one content negotiation for the hub to compile, the text format. */
    static final String SCRAPE_ACCEPT = "text/plain";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    enum Kind {
        // slow: 40 req/s, below what the platform-http executor of the first measurements (Spring's default,
        // 8 threads) could carry with 150 ms rating calls (8 / 0.16 s = 50 req/s); see docs/performance.md
        CACHE("CACHE", 20, 100), SLOW("EXTERNAL", 250, 40), OPEN("FALLBACK", 20, 100);

        final String ratingSource;
        final int p99TargetMs;
        final double defaultRate;

        Kind(String ratingSource, int p99TargetMs, double defaultRate) {
            this.ratingSource = ratingSource;
            this.p99TargetMs = p99TargetMs;
            this.defaultRate = defaultRate;
        }
    }

    private final Kind kind = Kind.valueOf(System.getProperty("scenario", "cache").toUpperCase(Locale.ROOT));
    private final SteppedLoad stepped = SteppedLoad.fromSystemProperties(kind.p99TargetMs, "quotes-" + kind.name().toLowerCase(Locale.ROOT));
    private final double rate = stepped != null ? stepped.firstRate()
            : Double.parseDouble(System.getProperty("rate", String.valueOf(kind.defaultRate)));
    private final int durationSeconds = Integer.getInteger("duration", 60);
    private final int warmupSeconds = Integer.getInteger("warmup", 30);
    private final String hubUrl = stripSlash(System.getProperty("hubUrl", "http://localhost:8080"));
    private final String mocksUrl = stripSlash(System.getProperty("mocksUrl", "http://localhost:8090"));
    private final Path summaryFile = Path.of(System.getProperty("summaryFile",
            "bench/target/bench-summary-" + kind.name().toLowerCase(Locale.ROOT) + ".json"));
    /** Optional: one line per measured request, "sentEpochMs,answeredEpochMs,OK|KO", to line latencies up with GC logs. */
    private final String requestLog = System.getProperty("requestLog");
    private final java.util.Queue<String> requestTimes = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** The latency of External Rating in the slow scenario. */
    static final int RATING_LATENCY_MS = 150;

    /** The risk of the cache scenario: always the same, so always rated already. */
    private static final long CACHED_INSURED_VALUE = 20000;

    /**
     * New risks: an insured value never used before in this run, and unlikely in an earlier run whose ratings
     * may still be cached (the cache keeps a rating 600 s).
     */
    private static final AtomicLong NEXT_INSURED_VALUE =
            new AtomicLong(1_000_000 + ThreadLocalRandom.current().nextLong(0, 90_000_000L));

    /**
     * The simulation's own calls (mocks' admin API, the snapshots' scrape) in HTTP/1.1, as the load: the default HTTP/2
     * upgrade request deoptimized the hub's request handling at the measured start (docs/performance.md, sixth session).
     */
    private final HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * The hub's API wants a caller (F07): anonymous quotes are limited to 100/min per address, far below the rate.
     * So the benchmark calls as a partner's back office, with a token got before the scenario (scope quotes).
     */
    private final ClientCredentialsToken token = ClientCredentialsToken.fromSystemProperties("quotes");

    // The measured phase, as the client saw it
    private final AtomicLong measuredFirstStartNanos = new AtomicLong();
    private final AtomicLong measuredLastEndNanos = new AtomicLong();
    private final LongAdder measuredOk = new LongAdder();
    private final LongAdder measuredKo = new LongAdder();
    private volatile Snapshot atMeasuredStart;
    private volatile Snapshot atMeasuredEnd;
    private final Map<String, Object> preparation = new LinkedHashMap<>();

    {
        if (rate <= 0 || durationSeconds <= 0 || warmupSeconds < 0 || durationSeconds > 3600 || warmupSeconds > 600) {
            throw new IllegalArgumentException("rate > 0, 0 < duration <= 3600 and 0 <= warmup <= 600, please");
        }

        HttpProtocolBuilder protocol = http
                .baseUrl(hubUrl)
                .contentTypeHeader("application/json")
                .acceptHeader("application/json")
                // A pool of keep-alive connections, as a portal's backend or a gateway would keep
                .shareConnections()
                // Gatling's own warm-up request goes to gatling.io: none here, the warm-up phase is ours
                .disableWarmUp();

        ChainBuilder warmUp = quote(WARM_UP);
        ChainBuilder measured = quote(MEASURED);

        // The warm-up runs the measured phase's own code (timed(false)), so that the load generator's JIT is done
        // before the measurement: with a chain of its own, Gatling's C2 compiled the measured chain during the measured
        // minute (up to a third of a core in the slowest seconds, docs/performance.md)
        PopulationBuilder warmUpPopulation = scenario("warm-up")
                .exec(stepped != null ? warmUp : timed(false))
                .injectOpen(
                        rampUsersPerSec(Math.max(1, rate / 10)).to(rate).during(Math.max(1, warmupSeconds / 3)),
                        constantUsersPerSec(rate).during(Math.max(1, warmupSeconds - warmupSeconds / 3)));

        if (stepped != null) {
            // the warm-up at the first step's rate, then the steps, judged by the step monitor
            PopulationBuilder steps = scenario("measured steps")
                    .exec(stepped::sent).exec(measured).exec(stepped::answered)
                    .injectOpen(stepped.injection());
            setUp(warmUpPopulation.andThen(steps, stepped.monitor()), prometheusScrapes(warmupSeconds + stepped.totalSeconds()))
                    .protocols(protocol)
                    .maxDuration(Duration.ofSeconds(warmupSeconds + stepped.totalSeconds() + 90L));
        } else {
            setUpSteadyRate(warmUpPopulation, protocol);
        }
    }

    private void setUpSteadyRate(PopulationBuilder warmUpPopulation, HttpProtocolBuilder protocol) {
        PopulationBuilder markStart = scenario("mark measured start")
                .exec(session -> {
                    atMeasuredStart = snapshot();
                    return session;
                })
                .injectOpen(atOnceUsers(1));

        // The snapshot's requests once during the warm-up too: whatever they reach in the hub and the mocks that the
        // load does not has then been compiled (or deoptimized and compiled again) before the measured phase
        PopulationBuilder rehearseSnapshot = scenario("rehearse the snapshot")
                .exec(session -> {
                    snapshot();
                    return session;
                })
                .injectOpen(nothingFor(Duration.ofSeconds(warmupSeconds / 2)), atOnceUsers(1));

        PopulationBuilder measuredPopulation = scenario("measured")
                .exec(timed(true))
                .injectOpen(constantUsersPerSec(rate).during(durationSeconds));

        PopulationBuilder markEnd = scenario("mark measured end")
                .exec(session -> {
                    atMeasuredEnd = snapshot();
                    return session;
                })
                .injectOpen(atOnceUsers(1));

        setUp(warmUpPopulation.andThen(markStart.andThen(measuredPopulation.andThen(markEnd))),
                prometheusScrapes(warmupSeconds + durationSeconds), rehearseSnapshot)
                .protocols(protocol)
                .assertions(
                        details(MEASURED).failedRequests().count().is(0L),
                        details(MEASURED).responseTime().percentile(99.0).lt(kind.p99TargetMs))
                // Bounded whatever happens: warm-up + measured phase + one minute of grace
                .maxDuration(Duration.ofSeconds(warmupSeconds + durationSeconds + 60L));
    }

    /**
     * Prometheus scraping the hub every {@value #SCRAPE_INTERVAL_SECONDS} s for the whole run, as in production
     * (docker/prometheus/prometheus.yml). Without it the only scrape was the measured phase's first snapshot: its code
     * ran cold, interpreted and compiled by the hub's C2 (up to half a core for three seconds), right at the start of
     * the measured minute (docs/performance.md). A scrape's cost is part of what a hub in production pays.
     */
    private PopulationBuilder prometheusScrapes(long seconds) {
        return scenario("prometheus scrapes")
                .exec(http(SCRAPE).get("/actuator/prometheus").header("Accept", SCRAPE_ACCEPT).check(status().is(200)))
                .injectOpen(constantUsersPerSec(1.0 / SCRAPE_INTERVAL_SECONDS).during(seconds));
    }

    /** A quote with the client's own timing; only a measured one ({@code measured}) is counted and logged. */
    private ChainBuilder timed(boolean measured) {
        return exec(session -> {
                    if (measured) {
                        measuredFirstStartNanos.compareAndSet(0, System.nanoTime());
                    }
                    return session.set("sentAt", System.currentTimeMillis());
                })
                .exec(quote(measured ? MEASURED : WARM_UP))
                .exec(session -> {
                    if (measured) {
                        measuredLastEndNanos.accumulateAndGet(System.nanoTime(), Math::max);
                        (session.isFailed() ? measuredKo : measuredOk).increment();
                        if (requestLog != null) {
                            requestTimes.add(session.getLong("sentAt") + "," + System.currentTimeMillis() + ","
                                    + (session.isFailed() ? "KO" : "OK"));
                        }
                    }
                    return session;
                });
    }

    private ChainBuilder quote(String name) {
        HttpRequestActionBuilder request = http(name)
                .post("/api/quotes")
                .header("Authorization", session -> token.bearer())
                .body(StringBody(kind == Kind.CACHE
                        ? session -> quoteRequest(CACHED_INSURED_VALUE)
                        : session -> quoteRequest(NEXT_INSURED_VALUE.getAndIncrement())))
                .check(status().is(201))
                .check(jsonPath("$.ratingSource").is(kind.ratingSource));
        return exec(request);
    }

    static String quoteRequest(long insuredValue) {
        return "{\"product\":\"AUTO\",\"customer\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
                + "\"email\":\"ada@example.com\",\"birthDate\":\"1990-12-10\"},"
                + "\"risk\":{\"insuredValue\":" + insuredValue + ",\"postalCode\":\"75011\"}}";
    }

    // ---- before / after: the mocks' admin API and the state the hub must be in -------------------------

    @Override
    public void before() {
        System.out.printf("%nQuote benchmark: scenario %s, %s, warm-up %d s, hub %s, mocks %s%n",
                kind.name().toLowerCase(Locale.ROOT),
                stepped != null ? stepped.describe() : rate + " req/s, measured " + durationSeconds + " s",
                warmupSeconds, hubUrl, mocksUrl);
        token.start();
        preparation.put("client", token.clientId());
        resetMocks();
        switch (kind) {
            case CACHE -> {
                awaitBreakerClosed();
                String first = ratingSourceOf(postQuote(CACHED_INSURED_VALUE));
                String second = ratingSourceOf(postQuote(CACHED_INSURED_VALUE));
                if (!"CACHE".equals(second)) {
                    throw new IllegalStateException("the risk rated just before is not answered from the cache: "
                            + first + " then " + second);
                }
                preparation.put("primingAnswers", first + ", " + second);
            }
            case SLOW -> {
                awaitBreakerClosed();
                setFaults("rating", RATING_LATENCY_MS, 0.0, false);
                preparation.put("ratingFaults", Map.of("latencyMs", RATING_LATENCY_MS));
            }
            case OPEN -> {
                setFaults("rating", 0, 0.0, true);
                preparation.put("ratingFaults", Map.of("down", true));
                openBreaker();
            }
        }
    }

    @Override
    public void after() {
        token.close();
        if (stepped != null) {
            try {
                resetMocks();
            } catch (RuntimeException e) {
                System.err.println("Could not reset the mocks: " + e.getMessage());
            }
            stepped.writeReport(Map.of("simulation", "QuoteSimulation", "scenario", kind.name().toLowerCase(Locale.ROOT),
                    "expectedRatingSource", kind.ratingSource, "warmupSeconds", warmupSeconds, "preparation", preparation));
            return;
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("scenario", kind.name().toLowerCase(Locale.ROOT));
        summary.put("expectedRatingSource", kind.ratingSource);
        summary.put("p99TargetMs", kind.p99TargetMs);
        summary.put("rate", rate);
        summary.put("warmupSeconds", warmupSeconds);
        summary.put("durationSeconds", durationSeconds);
        summary.put("hubUrl", hubUrl);
        summary.put("preparation", preparation);
        try {
            summary.put("ratingMockStats", JSON.readTree(adminGet("rating")));
        } catch (RuntimeException | IOException e) {
            summary.put("ratingMockStats", "unavailable: " + e.getMessage());
        }
        long ok = measuredOk.sum();
        long ko = measuredKo.sum();
        long windowNanos = measuredLastEndNanos.get() - measuredFirstStartNanos.get();
        Map<String, Object> measured = new LinkedHashMap<>();
        measured.put("ok", ok);
        measured.put("ko", ko);
        measured.put("windowSeconds", windowNanos / 1e9);
        measured.put("okPerSecond", windowNanos > 0 ? ok / (windowNanos / 1e9) : 0);
        Snapshot start = atMeasuredStart;
        Snapshot end = atMeasuredEnd;
        if (start != null && end != null) {
            measured.put("ratingCalls", end.ratingCalls - start.ratingCalls);
            measured.put("quoteEngineCalls", end.quoteEngineCalls - start.quoteEngineCalls);
            summary.put("measured", measured);
            summary.put("cpu", cpu(start, end, ok + ko));
            summary.put("hubMeanMs", hubMeans(start.hubMetrics, end.hubMetrics));
        } else {
            measured.put("ratingCalls", "unknown");
            summary.put("measured", measured);
        }
        summary.put("finishedAt", Instant.now().toString());
        try {
            resetMocks();
        } catch (RuntimeException e) {
            System.err.println("Could not reset the mocks: " + e.getMessage());
        }
        try {
            if (requestLog != null) {
                Files.write(Path.of(requestLog), requestTimes);
            }
            Files.createDirectories(summaryFile.toAbsolutePath().getParent());
            Files.writeString(summaryFile, JSON.writeValueAsString(summary));
            System.out.println("Benchmark summary: " + summaryFile.toAbsolutePath());
        } catch (IOException e) {
            System.err.println("Could not write " + summaryFile + ": " + e);
        }
    }

    // ---- what the machine and the hub did during the measured phase ---------------------------------------

    /** The state at a phase boundary: counters of the mocks, of the hub (Prometheus) and of the machine. */
    record Snapshot(long nanos, long ratingCalls, long quoteEngineCalls, Map<String, Double> hubMetrics,
                    long[] machineJiffies, long clientCpuNanos) {
    }

    private Snapshot snapshot() {
        Map<String, Double> metrics;
        try {
            metrics = prometheus(send(HttpRequest.newBuilder(URI.create(hubUrl + "/actuator/prometheus"))
                    .header("Accept", SCRAPE_ACCEPT).timeout(Duration.ofSeconds(5)).GET().build()).body());
        } catch (RuntimeException e) {
            System.err.println("No Prometheus figures from the hub: " + e.getMessage());
            metrics = Map.of();
        }
        return new Snapshot(System.nanoTime(), mockRequests("rating"), mockRequests("quote-engine"), metrics,
                machineJiffies(), clientCpuNanos());
    }

    /**
     * The hub's timers that tell where a quote's time goes, summed over their other labels: the HTTP server
     * ({@code http:POST /api/quotes}), each route ({@code route:<id>}, nanosecond timers) and each endpoint the
     * request's exchange is sent to ({@code send:<endpoint>}; Camel's event notifier, whole milliseconds).
     */
    static Map<String, Double> prometheus(String text) {
        Map<String, Double> values = new java.util.TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            double value;
            try {
                value = Double.parseDouble(line.substring(space + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
            String suffix = name.endsWith("_sum") ? ".sum" : name.endsWith("_count") ? ".count" : null;
            String key = null;
            if (name.startsWith("http_server_requests_seconds_") && suffix != null
                    && "/api/quotes".equals(label(series, "uri")) && "POST".equals(label(series, "method"))) {
                key = "http:POST /api/quotes";
            } else if (name.startsWith("camel_route_policy_seconds_") && suffix != null
                    && "route".equals(label(series, "eventType"))) {
                key = "route:" + label(series, "routeId");
            } else if (name.startsWith("camel_exchange_event_notifier_seconds_") && suffix != null
                    && "ExchangeSentEvent".equals(label(series, "eventType"))
                    && "post-quote-api".equals(label(series, "routeId"))) {
                key = "send:" + label(series, "endpointName")
                        + ("true".equals(label(series, "failed")) ? " (failed)" : "");
            } else if (name.equals("process_cpu_time_ns_total")) {
                key = "stackJvmCpuNanos";
                suffix = "";
            } else if (name.startsWith("jvm_gc_pause_seconds_") && suffix != null) {
                key = "gcPause";
            }
            if (key != null) {
                values.merge(key + suffix, value, Double::sum);
            }
        }
        return values;
    }

    private static String label(String series, String name) {
        int at = series.indexOf(name + "=\"");
        if (at < 0) {
            return null;
        }
        int from = at + name.length() + 2;
        return series.substring(from, series.indexOf('"', from));
    }

    private static Map<String, Object> hubMeans(Map<String, Double> start, Map<String, Double> end) {
        Map<String, Object> means = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : end.entrySet()) {
            if (!e.getKey().endsWith(".count") || e.getKey().startsWith("gcPause")) {
                continue;
            }
            String key = e.getKey().substring(0, e.getKey().length() - ".count".length());
            double count = e.getValue() - start.getOrDefault(e.getKey(), 0.0);
            double sum = end.getOrDefault(key + ".sum", 0.0) - start.getOrDefault(key + ".sum", 0.0);
            if (count > 0) {
                means.put(key, Map.of("count", (long) count, "meanMs", Math.round(sum / count * 1e6) / 1e3));
            }
        }
        return means;
    }

    private static Map<String, Object> cpu(Snapshot start, Snapshot end, long requests) {
        Map<String, Object> cpu = new LinkedHashMap<>();
        double seconds = (end.nanos - start.nanos) / 1e9;
        cpu.put("windowSeconds", Math.round(seconds * 10) / 10.0);
        if (start.machineJiffies != null && end.machineJiffies != null) {
            long total = end.machineJiffies[0] - start.machineJiffies[0];
            long idle = end.machineJiffies[1] - start.machineJiffies[1];
            cpu.put("machineBusyPercent", total > 0 ? Math.round(1000.0 * (total - idle) / total) / 10.0 : "unknown");
            cpu.put("machineCores", Runtime.getRuntime().availableProcessors());
        }
        Double stackStart = start.hubMetrics.get("stackJvmCpuNanos");
        Double stackEnd = end.hubMetrics.get("stackJvmCpuNanos");
        if (stackStart != null && stackEnd != null && requests > 0) {
            double ms = (stackEnd - stackStart) / 1e6;
            cpu.put("stackJvmCpuCoresUsed", Math.round(ms / 1000 / seconds * 100) / 100.0);
            cpu.put("stackJvmCpuMsPerRequest", Math.round(ms / requests * 100) / 100.0);
        }
        if (start.clientCpuNanos >= 0 && end.clientCpuNanos >= 0 && requests > 0) {
            double ms = (end.clientCpuNanos - start.clientCpuNanos) / 1e6;
            cpu.put("gatlingCpuCoresUsed", Math.round(ms / 1000 / seconds * 100) / 100.0);
            cpu.put("gatlingCpuMsPerRequest", Math.round(ms / requests * 100) / 100.0);
        }
        double gcCount = end.hubMetrics.getOrDefault("gcPause.count", 0.0) - start.hubMetrics.getOrDefault("gcPause.count", 0.0);
        double gcSum = end.hubMetrics.getOrDefault("gcPause.sum", 0.0) - start.hubMetrics.getOrDefault("gcPause.sum", 0.0);
        cpu.put("stackJvmGcPauses", (long) gcCount);
        cpu.put("stackJvmGcPauseMsTotal", Math.round(gcSum * 1000));
        return cpu;
    }

    /** Linux /proc/stat, first line: {all jiffies, idle + iowait jiffies}; null elsewhere. */
    private static long[] machineJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long clientCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    private void resetMocks() {
        adminPost("rating", "reset");
        adminPost("quote-engine", "reset");
    }

    /** After an earlier open-breaker run the breaker may still be open (30 s): wait until rating is EXTERNAL again. */
    private void awaitBreakerClosed() {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        String source;
        int attempts = 0;
        do {
            source = ratingSourceOf(postQuote(NEXT_INSURED_VALUE.getAndIncrement()));
            attempts++;
            if ("EXTERNAL".equals(source)) {
                preparation.put("breakerClosedAfterRequests", attempts);
                return;
            }
            sleep(1000);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("External Rating still not used after 45 s (last ratingSource " + source + ")");
    }

    /**
     * With External Rating down, new risks until the breaker opens (5 consecutive failures), then proof that it
     * is open: two more quotes, both FALLBACK, and External Rating not called for them.
     */
    private void openBreaker() {
        for (int i = 0; i < 20; i++) {
            long before = mockRequests("rating");
            String first = ratingSourceOf(postQuote(NEXT_INSURED_VALUE.getAndIncrement()));
            String second = ratingSourceOf(postQuote(NEXT_INSURED_VALUE.getAndIncrement()));
            long after = mockRequests("rating");
            if (after == before && "FALLBACK".equals(first) && "FALLBACK".equals(second)) {
                preparation.put("breakerOpenAfterRatingCalls", after);
                return;
            }
        }
        throw new IllegalStateException("the rating circuit breaker did not open (External Rating still called)");
    }

    private JsonNode postQuote(long insuredValue) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(hubUrl + "/api/quotes"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Authorization", token.bearer())
                .POST(HttpRequest.BodyPublishers.ofString(quoteRequest(insuredValue)))
                .build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST /api/quotes answered " + response.statusCode() + ": " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ratingSourceOf(JsonNode quote) {
        return quote.path("ratingSource").asText();
    }

    private long mockRequests(String base) {
        try {
            return JSON.readTree(adminGet(base)).path("requests").asLong();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void setFaults(String base, int latencyMs, double errorRate, boolean down) {
        String body = String.format(Locale.ROOT, "{\"latencyMs\":%d,\"errorRate\":%s,\"down\":%s}", latencyMs,
                errorRate, down);
        expect2xx(send(HttpRequest.newBuilder(URI.create(mocksUrl + "/" + base + "/_admin/faults"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build()));
    }

    private String adminGet(String base) {
        return expect2xx(send(HttpRequest.newBuilder(URI.create(mocksUrl + "/" + base + "/_admin/stats"))
                .timeout(Duration.ofSeconds(5)).GET().build())).body();
    }

    private void adminPost(String base, String action) {
        expect2xx(send(HttpRequest.newBuilder(URI.create(mocksUrl + "/" + base + "/_admin/" + action))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    private static HttpResponse<String> expect2xx(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri()
                    + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return admin.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
