package com.insurancehub.hub.platform.live;

/**
 * One event moving along an edge of the live view's diagram (O04): {@code from} and {@code to} are nodes of the
 * diagram ({@code client}, {@code hub}, {@code topic:<name>}, {@code system:<name>}), {@code flow} the flow ID of the
 * route that moved it (or its route id when its description names none), {@code failed} when the exchange failed.
 */
public record LiveEvent(long at, String flow, String route, String from, String to, boolean failed) {
}
