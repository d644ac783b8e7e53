package com.insurancehub.hub.platform.live;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The live view's gauges, read from the MeterRegistry by the names the metrics define (O02): consumer lag per group
 * ({@code hub.kafka.consumer.lag}), new dead letters per topic ({@code hub.dead-letters.new}), breaker states
 * (Resilience4j's {@code resilience4j.circuitbreaker.state}, else {@code hub.breaker.state}). A metric the registry
 * does not hold is answered as "n/a", never as 0.
 */
public class LiveMetrics {

    static final String NOT_AVAILABLE = "n/a";
    private final MeterRegistry registry;

    public LiveMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public Map<String, Object> snapshot(LiveEventTap tap) {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("flows", tap.flowCounts());
        snapshot.put("lag", sumBy("hub.kafka.consumer.lag", "group"));
        snapshot.put("deadLetters", sumBy("hub.dead-letters.new", "topic"));
        snapshot.put("breakers", breakers());
        snapshot.put("dropped", (long) tap.dropped());
        return snapshot;
    }

    private Object sumBy(String name, String tag) {
        var meters = registry.find(name).meters();
        if (meters.isEmpty()) {
            return NOT_AVAILABLE;
        }
        Map<String, Double> sums = new TreeMap<>();
        for (Meter meter : meters) {
            String key = meter.getId().getTag(tag);
            sums.merge(key == null ? "-" : key, value(meter), Double::sum);
        }
        return sums;
    }

    private Object breakers() {
        var resilience = registry.find("resilience4j.circuitbreaker.state").gauges();
        Map<String, String> states = new TreeMap<>();
        if (!resilience.isEmpty()) {
            // one gauge per breaker and state, 1 for the breaker's current state
            for (Gauge gauge : resilience) {
                if (gauge.value() >= 1) {
                    states.put(gauge.getId().getTag("name"), gauge.getId().getTag("state"));
                }
            }
            return states;
        }
        var hub = registry.find("hub.breaker.state").meters();
        if (hub.isEmpty()) {
            return NOT_AVAILABLE;
        }
        for (Meter meter : hub) {
            String state = meter.getId().getTag("state");
            states.put(meter.getId().getTag("name"), state != null ? (value(meter) >= 1 ? state : states.get(meter.getId().getTag("name")))
                    : String.valueOf(value(meter)));
        }
        states.values().removeIf(java.util.Objects::isNull);
        return states;
    }

    private static double value(Meter meter) {
        if (meter instanceof Gauge gauge) {
            return gauge.value();
        }
        if (meter instanceof Counter counter) {
            return counter.count();
        }
        if (meter instanceof FunctionCounter counter) {
            return counter.count();
        }
        double sum = 0;
        for (var measurement : meter.measure()) {
            sum += measurement.getValue();
        }
        return sum;
    }
}
