package com.insurancehub.hub.platform.simulator;

/** The simulator's kinds of traffic (O04). */
public enum Scenario {
    /** A steady mix of quotes, subscriptions, claims and payments at hub.simulator.rate requests per second. */
    NORMAL,
    /** Ten times the NORMAL rate for the first hub.simulator.peak-duration (or the run's peakSeconds), then NORMAL. */
    PEAK,
    /** NORMAL, every tenth step invalid: a request answered 400 and a record that is not JSON on a domain topic (dead-lettered). */
    ERRORS,
    /** NORMAL while one consumer (hub.simulator.slow-consumer.route-id) is paused: its lag grows, then drains once resumed. */
    SLOW_CONSUMER
}
