package com.insurancehub.bench;

import java.util.List;

/** Nearest-rank percentiles of latencies measured in nanoseconds, in milliseconds (2 decimals). */
final class Percentiles {

    private Percentiles() {
    }

    static Double ms(List<Long> sortedNanos, int p) {
        if (sortedNanos.isEmpty()) {
            return null;
        }
        int index = (int) Math.ceil(p / 100.0 * sortedNanos.size()) - 1;
        return Math.round(sortedNanos.get(Math.max(0, index)) / 1e4) / 100.0;
    }
}
