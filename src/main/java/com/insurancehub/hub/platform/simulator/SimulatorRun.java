package com.insurancehub.hub.platform.simulator;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** One simulator run: its counts, and whether it still runs. */
public final class SimulatorRun {

    public enum State { RUNNING, COMPLETED, STOPPED }

    private final String id;
    private final Scenario scenario;
    private final Instant startedAt;
    private final Instant endsAt;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    /** Invalid requests refused as expected (400) and invalid events sent (ERRORS) */
    final AtomicLong invalid = new AtomicLong();
    private volatile State state = State.RUNNING;

    SimulatorRun(String id, Scenario scenario, Instant startedAt, Instant endsAt) {
        this.id = id;
        this.scenario = scenario;
        this.startedAt = startedAt;
        this.endsAt = endsAt;
    }

    public String getId() { return id; }
    public Scenario getScenario() { return scenario; }
    public Instant getStartedAt() { return startedAt; }
    public Instant getEndsAt() { return endsAt; }
    public State getState() { return state; }
    public long getSent() { return sent.get(); }
    public long getOk() { return ok.get(); }
    public long getFailed() { return failed.get(); }
    public long getInvalid() { return invalid.get(); }

    void end(State end) {
        if (state == State.RUNNING) {
            state = end;
        }
    }
}
