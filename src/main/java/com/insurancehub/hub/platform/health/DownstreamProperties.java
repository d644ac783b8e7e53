package com.insurancehub.hub.platform.health;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code hub.health.downstream.*}: the systems behind the hub, as the health group {@code downstream} shows them
 * (application.yaml says why each value is what it is).
 *
 * @param enabled          whether {@link DownstreamCheck} probes them; off, their components say UNKNOWN
 * @param interval         pause between two probes of every system: the cache a scrape storm reads
 * @param timeout          bound of one probe (connect and answer)
 * @param systems          the insurer's systems by component name: a cheap GET, 2xx is UP
 * @param identityProvider the identity provider's key set (JWKS): the edge cannot check a new token without it
 * @param lraCoordinator   the LRA coordinator (profile lra), empty where the sagas do not use one
 */
@ConfigurationProperties("hub.health.downstream")
public record DownstreamProperties(
        boolean enabled,
        Duration interval,
        Duration timeout,
        Map<String, URI> systems,
        URI identityProvider,
        URI lraCoordinator) {

    public DownstreamProperties {
        systems = systems == null ? Map.of() : systems;
        lraCoordinator = lraCoordinator == null || lraCoordinator.toString().isBlank() ? null : lraCoordinator;
    }
}
