package com.insurancehub.bench;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.stopLoadGeneratorIf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;

/**
 * A stepped open-model load for the saturation runs (bench/run-saturation.sh, docs/performance.md "Saturation"):
 * arrival rates {@code steps} (comma-separated, per second), each held {@code stepDuration} seconds, one after the
 * other without a pause, after the simulation's own warm-up. A simulation wraps its measured call with
 * {@link #sent(Session)} and {@link #answered(Session)}; each request belongs to the step during which it was sent.
 *
 * <p>A monitor checks each step {@value #GRACE_SECONDS} s after it ended and stops the load generator once the p99
 * of {@code stopAfterMisses} steps (default 2) reached {@code p99Target} ms, or once a step failed more than
 * {@code maxKoPercent} (default 1) % of its requests (KO answers and users that failed before the call): beyond
 * that point a step only measures a growing queue. A
 * request still unanswered when its step is judged counts as slower than every answered one (it is, by at least
 * the grace). {@code stopAfterMisses=0} never stops (the sustained run).
 *
 * <p>{@link #writeReport()} writes {@code stepsFile} (JSON): per step its offered rate, window (epoch ms), requests
 * sent, OK, KO, unanswered at the end, failed before the call (a call it needs first failed), p50/p95/p99/max/mean of the answers (ms; KO answers included), achieved rate
 * (OK answers that arrived within the step's window, per second), and the same figures over all steps.
 */
final class SteppedLoad {

    static final int GRACE_SECONDS = 2;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final double[] rates;
    private final int stepSeconds;
    private final int p99TargetMs;
    private final int stopAfterMisses;
    private final double maxKoPercent;
    private final Path stepsFile;

    private final AtomicLong startNanos = new AtomicLong();
    private volatile long startEpochMs;
    private final LongAdder[] sent;
    private final LongAdder[] failedBefore;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final List<Map<String, Object>> verdicts = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<String> stopReason = new AtomicReference<>();

    private record Answer(int step, long sentNanos, long latencyNanos, boolean ok) {
    }

    private SteppedLoad(double[] rates, int stepSeconds, int p99TargetMs, int stopAfterMisses, double maxKoPercent,
                        Path stepsFile) {
        if (rates.length == 0 || Arrays.stream(rates).anyMatch(r -> r <= 0) || stepSeconds <= 0 || stepSeconds > 3600) {
            throw new IllegalArgumentException("steps: rates > 0, please; stepDuration: 1 to 3600 s");
        }
        this.rates = rates;
        this.stepSeconds = stepSeconds;
        this.p99TargetMs = p99TargetMs;
        this.stopAfterMisses = stopAfterMisses;
        this.maxKoPercent = maxKoPercent;
        this.stepsFile = stepsFile;
        this.sent = new LongAdder[rates.length];
        this.failedBefore = new LongAdder[rates.length];
        for (int i = 0; i < rates.length; i++) {
            sent[i] = new LongAdder();
            failedBefore[i] = new LongAdder();
        }
    }

    /**
     * From the system properties {@code steps}, {@code stepDuration} (s, default 30), {@code p99Target} (ms, default
     * the simulation's), {@code stopAfterMisses}, {@code maxKoPercent}, {@code stepsFile}; null without {@code steps}.
     */
    static SteppedLoad fromSystemProperties(int defaultP99TargetMs, String name) {
        String steps = System.getProperty("steps", "").trim();
        if (steps.isEmpty()) {
            return null;
        }
        double[] rates = Arrays.stream(steps.split("[,\\s]+")).mapToDouble(Double::parseDouble).toArray();
        return new SteppedLoad(rates, Integer.getInteger("stepDuration", 30),
                Integer.getInteger("p99Target", defaultP99TargetMs), Integer.getInteger("stopAfterMisses", 2),
                Double.parseDouble(System.getProperty("maxKoPercent", "1")),
                Path.of(System.getProperty("stepsFile", "bench/target/steps-" + name + ".json")));
    }

    double firstRate() {
        return rates[0];
    }

    int totalSeconds() {
        return rates.length * stepSeconds;
    }

    String describe() {
        return String.format(Locale.ROOT, "steps %s/s, %d s each, p99 target %d ms", Arrays.toString(rates), stepSeconds,
                p99TargetMs);
    }

    /** The measured population's arrivals: one constant rate per step. */
    OpenInjectionStep[] injection() {
        return Arrays.stream(rates).mapToObj(r -> constantUsersPerSec(r).during(stepSeconds)).toArray(OpenInjectionStep[]::new);
    }

    private long start() {
        long now = System.nanoTime();
        if (startNanos.compareAndSet(0, now)) {
            startEpochMs = System.currentTimeMillis();
            return now;
        }
        return startNanos.get();
    }

    private int stepOf(long nanos) {
        long step = (nanos - start()) / Duration.ofSeconds(stepSeconds).toNanos();
        return (int) Math.max(0, Math.min(rates.length - 1, step));
    }

    /** Just before the measured call: its step and send time go into the session. */
    Session sent(Session session) {
        long now = System.nanoTime();
        int step = stepOf(now);
        sent[step].increment();
        return session.set("steppedSentAt", now).set("steppedStep", step);
    }

    /** True once the monitor stopped the load: Gatling may still run a user's next steps before it exits. */
    boolean stopped() {
        return stopReason.get() != null;
    }

    /** A user whose call could not be sent (a call it needs first failed): a failure of the current step. */
    Session failedBefore(Session session) {
        failedBefore[stepOf(System.nanoTime())].increment();
        return session;
    }

    /** Just after the measured call (failed or not). */
    Session answered(Session session) {
        long now = System.nanoTime();
        long sentAt = session.getLong("steppedSentAt");
        answers.add(new Answer(session.getInt("steppedStep"), sentAt, now - sentAt, !session.isFailed()));
        return session;
    }

    /**
     * One user that judges each step {@value #GRACE_SECONDS} s after its end and stops the load generator by the rule
     * of the class comment. Started together with the measured population (same {@code andThen}).
     */
    PopulationBuilder monitor() {
        ChainBuilder judge = exec(session -> session.set("stepToJudge", 0));
        for (int i = 0; i < rates.length; i++) {
            int step = i;
            judge = judge
                    .pause(session -> {
                        long due = start() + Duration.ofSeconds((long) (step + 1) * stepSeconds + GRACE_SECONDS).toNanos();
                        return Duration.ofNanos(Math.max(0, due - System.nanoTime()));
                    })
                    .exec(session -> {
                        judge(step);
                        return session;
                    })
                    .exec(stopLoadGeneratorIf(session -> stopReason.get(), session -> stopReason.get() != null));
        }
        return scenario("step monitor").exec(session -> {
            start();
            return session;
        }).exec(judge).injectOpen(atOnceUsers(1));
    }

    private void judge(int step) {
        Stats s = stats(step, Long.MAX_VALUE);
        long misses;
        Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("step", step);
        verdict.put("rate", rates[step]);
        verdict.put("p99Ms", s.p99);
        verdict.put("koPercent", s.koPercent());
        verdict.put("unansweredWhenJudged", s.unanswered);
        verdict.put("failedBefore", s.failedBefore);
        boolean miss = s.p99 == null || s.p99 >= p99TargetMs;
        verdict.put("p99Missed", miss);
        verdicts.add(verdict);
        synchronized (verdicts) {
            misses = verdicts.stream().filter(v -> Boolean.TRUE.equals(v.get("p99Missed"))).count();
        }
        System.out.printf(Locale.ROOT, "%tT step %d (%s/s): sent %d, answered %d (KO %d), unanswered %d, p50 %s ms, p99 %s ms%n",
                System.currentTimeMillis(), step + 1, rates[step], s.sent, s.answered, s.ko, s.unanswered, s.p50, s.p99);
        if (stopAfterMisses <= 0) {
            return;
        }
        if (s.koPercent() > maxKoPercent) {
            stopReason.compareAndSet(null, String.format(Locale.ROOT, "step %d (%s/s): %.1f %% KO (> %s %%)",
                    step + 1, rates[step], s.koPercent(), maxKoPercent));
        } else if (misses >= stopAfterMisses) {
            stopReason.compareAndSet(null, String.format(Locale.ROOT, "step %d (%s/s): p99 %s, %d steps at or over %d ms",
                    step + 1, rates[step], s.p99 == null ? "beyond every answer (over 1 % unanswered)" : s.p99 + " ms",
                    misses, p99TargetMs));
        }
        if (stopReason.get() != null) {
            System.out.println("Stopping the load: " + stopReason.get());
        }
    }

    /** A step's figures from the answers so far; step -1: all steps. */
    private Stats stats(int step, long untilNanos) {
        long sentCount = 0;
        long notSent = 0;
        for (int i = 0; i < rates.length; i++) {
            if (step < 0 || step == i) {
                sentCount += sent[i].sum();
                notSent += failedBefore[i].sum();
            }
        }
        List<Long> latencies = new ArrayList<>();
        long ok = 0;
        long ko = 0;
        long okInWindow = 0;
        long windowStart = startNanos.get() + Duration.ofSeconds((long) Math.max(step, 0) * stepSeconds).toNanos();
        long windowEnd = startNanos.get() + Duration.ofSeconds((long) (step < 0 ? rates.length : step + 1) * stepSeconds).toNanos();
        for (Answer a : answers) {
            boolean mine = step < 0 || a.step == step;
            if (mine && a.sentNanos + a.latencyNanos <= untilNanos) {
                latencies.add(a.latencyNanos);
                if (a.ok) {
                    ok++;
                } else {
                    ko++;
                }
            }
            long answeredAt = a.sentNanos + a.latencyNanos;
            if (a.ok && answeredAt >= windowStart && answeredAt < windowEnd) {
                okInWindow++;
            }
        }
        latencies.sort(null);
        long unanswered = Math.max(0, sentCount - latencies.size());
        return new Stats(sentCount, notSent, latencies.size(), ok, ko, unanswered, percentile(latencies, unanswered, 50),
                percentile(latencies, unanswered, 95), percentile(latencies, unanswered, 99),
                latencies.isEmpty() ? null : latencies.get(latencies.size() - 1) / 1e6,
                latencies.isEmpty() ? null : latencies.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6,
                okInWindow);
    }

    /** Nearest rank over answered + unanswered, the unanswered slower than any answer: null when the rank falls on one. */
    private static Double percentile(List<Long> sorted, long unanswered, int p) {
        long n = sorted.size() + unanswered;
        if (n == 0) {
            return null;
        }
        long index = (long) Math.ceil(p / 100.0 * n) - 1;
        if (index >= sorted.size()) {
            return null;
        }
        return Math.round(sorted.get((int) Math.max(0, index)) / 1e4) / 100.0;
    }

    private record Stats(long sent, long failedBefore, long answered, long ok, long ko, long unanswered, Double p50, Double p95, Double p99,
                         Double max, Double mean, long okInWindow) {
        double koPercent() {
            return sent + failedBefore == 0 ? 0 : 100.0 * (ko + failedBefore) / (sent + failedBefore);
        }
    }

    /** After the simulation: the steps file (see the class comment). */
    void writeReport(Map<String, Object> extra) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("startEpochMs", startEpochMs);
        report.put("stepSeconds", stepSeconds);
        report.put("p99TargetMs", p99TargetMs);
        report.put("stopAfterMisses", stopAfterMisses);
        report.put("maxKoPercent", maxKoPercent);
        report.put("plannedRates", rates);
        report.put("stopReason", stopReason.get());
        report.putAll(extra);
        List<Map<String, Object>> steps = new ArrayList<>();
        long lastSent = -1;
        for (int i = 0; i < rates.length; i++) {
            if (sent[i].sum() + failedBefore[i].sum() > 0) {
                lastSent = i;
            }
        }
        for (int i = 0; i <= lastSent; i++) {
            int step = i;
            Stats s = stats(i, Long.MAX_VALUE);
            Map<String, Object> m = figures(s, stepSeconds);
            m.put("step", i + 1);
            m.put("offeredRate", rates[i]);
            m.put("startEpochMs", startEpochMs + (long) i * stepSeconds * 1000);
            m.put("endEpochMs", startEpochMs + (long) (i + 1) * stepSeconds * 1000);
            // a step that began before the load was stopped, but was not held to its end, is not judged
            m.put("judged", verdicts.stream().filter(v -> v.get("step").equals(step)).findFirst().orElse(null));
            steps.add(m);
        }
        report.put("steps", steps);
        report.put("all", lastSent < 0 ? null : figures(stats(-1, Long.MAX_VALUE), (int) (lastSent + 1) * stepSeconds));
        try {
            Files.createDirectories(stepsFile.toAbsolutePath().getParent());
            Files.writeString(stepsFile, JSON.writeValueAsString(report));
            System.out.println("Steps: " + stepsFile.toAbsolutePath());
        } catch (IOException e) {
            System.err.println("Could not write " + stepsFile + ": " + e);
        }
    }

    private static Map<String, Object> figures(Stats s, int seconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sent", s.sent);
        m.put("ok", s.ok);
        m.put("ko", s.ko);
        m.put("unanswered", s.unanswered);
        m.put("failedBefore", s.failedBefore);
        m.put("koPercent", Math.round(s.koPercent() * 100) / 100.0);
        m.put("p50Ms", s.p50);
        m.put("p95Ms", s.p95);
        m.put("p99Ms", s.p99);
        m.put("maxMs", s.max);
        m.put("meanMs", s.mean == null ? null : Math.round(s.mean * 100) / 100.0);
        m.put("achievedOkPerSecond", Math.round(s.okInWindow * 100.0 / seconds) / 100.0);
        return m;
    }
}
