package com.insurancehub.hub.platform.edge;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code hub.rate-limits.*} (application.yaml says why each value is what it is).
 *
 * @param clients requests per period by client id, overriding {@code defaultClient}; an id with dots or capitals is
 *                written in brackets in YAML ({@code "[Partner.Batch]": 5000}), as for any Spring map key
 */
@ConfigurationProperties("hub.rate-limits")
public record RateLimitProperties(
        boolean enabled,
        long defaultClient,
        long anonymous,
        Duration period,
        Map<String, Long> clients,
        List<String> urlPatterns,
        int filterOrder,
        Duration requestTimeout,
        boolean failOpen,
        Duration keepAfterRefill) {

    public RateLimitProperties {
        clients = clients == null ? Map.of() : Map.copyOf(clients);
    }

    /** Requests per period allowed to this caller. */
    public long limitOf(RateLimitKeyResolver.Caller caller) {
        return caller.authenticated() ? clients.getOrDefault(caller.id(), defaultClient) : anonymous;
    }
}
