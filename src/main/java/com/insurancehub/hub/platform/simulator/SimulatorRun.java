package com.insurancehub.hub.platform.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulator run: its counts, per phase too (PEAK's first {@code peakSeconds}, then the normal rate), and whether it
 * still runs. {@code sent} counts requests and events started; {@code skipped} the scheduled ones that found every
 * worker busy (never queued: the simulator is open loop).
 */
public final class SimulatorRun {

    public enum State { RUNNING, COMPLETED, STOPPED }

    private final String id;
    private final Scenario scenario;
    private final Instant startedAt;
    private final Instant endsAt;
    private final Instant peakEndsAt;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    /** Of the failed, those refused by the edge's rate limit (429) */
    final AtomicLong rateLimited = new AtomicLong();
    /** Journeys started: quotes answered (their customer's e-mail starts with the run's id, lower case) */
    final AtomicLong journeys = new AtomicLong();
    /** Requests answered 400 problem+json as expected (ERRORS) */
    final AtomicLong invalidRequests = new AtomicLong();
    /** Records that are no event, sent to a domain topic (ERRORS) */
    final AtomicLong invalidEvents = new AtomicLong();
    private final AtomicLong sentDuringPeak = new AtomicLong();
    private final AtomicLong sentDuringNormal = new AtomicLong();
    private volatile State state = State.RUNNING;
    private volatile Instant endedAt;

    SimulatorRun(String id, Scenario scenario, Instant startedAt, Instant endsAt, Duration peak) {
        this.id = id;
        this.scenario = scenario;
        this.startedAt = startedAt;
        this.endsAt = endsAt;
        Instant peakEnd = startedAt.plus(peak);
        this.peakEndsAt = peakEnd.isAfter(endsAt) ? endsAt : peakEnd;
    }

    public String getId() { return id; }
    public Scenario getScenario() { return scenario; }
    public Instant getStartedAt() { return startedAt; }
    public Instant getEndsAt() { return endsAt; }
    public State getState() { return state; }
    public long getSent() { return sent.get(); }
    public long getOk() { return ok.get(); }
    public long getFailed() { return failed.get(); }
    public long getSkipped() { return skipped.get(); }
    public long getRateLimited() { return rateLimited.get(); }
    public long getJourneys() { return journeys.get(); }
    public long getInvalidRequests() { return invalidRequests.get(); }
    public long getInvalidEvents() { return invalidEvents.get(); }
    /** Both kinds of ERRORS' invalid traffic */
    public long getInvalid() { return invalidRequests.get() + invalidEvents.get(); }

    /** Sent per phase and the seconds it has lasted so far: peak (PEAK's first seconds; 0 s otherwise), then normal. */
    public Map<String, Map<String, Object>> getPhases() {
        // a completed run's schedule covered its whole duration, whenever its last answer came
        Instant end = state == State.COMPLETED ? endsAt : endedAt != null ? endedAt : Instant.now();
        if (end.isAfter(endsAt)) {
            end = endsAt;
        }
        Map<String, Map<String, Object>> phases = new LinkedHashMap<>();
        phases.put("peak", phase(sentDuringPeak.get(), startedAt, end.isBefore(peakEndsAt) ? end : peakEndsAt));
        phases.put("normal", phase(sentDuringNormal.get(), peakEndsAt, end));
        return phases;
    }

    private static Map<String, Object> phase(long sent, Instant from, Instant to) {
        double seconds = Math.max(0, Duration.between(from, to).toMillis()) / 1000.0;
        Map<String, Object> phase = new LinkedHashMap<>();
        phase.put("sent", sent);
        phase.put("seconds", seconds);
        phase.put("perSecond", seconds == 0 ? 0.0 : Math.round(sent / seconds * 100) / 100.0);
        return phase;
    }

    Instant getPeakEndsAt() { return peakEndsAt; }

    /** A request or event started, of a step scheduled in the peak phase or not (its phase, whenever a worker sends it). */
    void sending(boolean peakStep) {
        sent.incrementAndGet();
        (peakStep ? sentDuringPeak : sentDuringNormal).incrementAndGet();
    }

    void end(State end) {
        if (state == State.RUNNING) {
            endedAt = Instant.now();
            state = end;
        }
    }
}
