package com.insurancehub.mocks.platform;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.stereotype.Component;

/** Fault switches and request counters of every mock, by base path. */
@Component
public class MockState {

    private final Map<String, PerSystem> systems = new ConcurrentHashMap<>();

    public MockState(java.util.List<MockSystem> mocks) {
        mocks.forEach(m -> systems.put(m.base(), new PerSystem()));
    }

    public boolean knows(String base) {
        return systems.containsKey(base);
    }

    public PerSystem of(String base) {
        PerSystem state = systems.get(base);
        if (state == null) {
            throw new UnknownSystemException(base);
        }
        return state;
    }

    public static final class PerSystem {
        final AtomicReference<Faults> faults = new AtomicReference<>(Faults.NONE);
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failures = new AtomicLong();

        public Faults faults() {
            return faults.get();
        }

        public void faults(Faults value) {
            faults.set(value);
        }

        public Map<String, Object> stats() {
            return Map.of("requests", requests.get(), "failures", failures.get(), "faults", faults.get());
        }

        public void reset() {
            faults.set(Faults.NONE);
            requests.set(0);
            failures.set(0);
        }
    }

    public static class UnknownSystemException extends RuntimeException {
        public UnknownSystemException(String base) {
            super("No mock at /" + base);
        }
    }
}
