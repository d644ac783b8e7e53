package com.insurancehub.hub.platform.edge;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;

/** The default caller key: the principal (client id) when Spring Security set one, else the TCP peer's address. */
class RateLimitKeyResolverTest {

    private final RateLimitKeyResolver resolver = new PrincipalOrAddressKeyResolver();

    @Test
    void anAuthenticatedCallerIsKeyedByItsPrincipalsName() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/quotes/Q-1");
        request.setUserPrincipal(() -> "partner-batch");
        request.setRemoteAddr("10.1.2.3");

        assertThat(resolver.resolve(request)).isEqualTo(RateLimitKeyResolver.Caller.client("partner-batch"));
    }

    @Test
    void aTokensClientIsItsAzpElseItsClientIdElseItsSubject() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/quotes/Q-1");
        request.setUserPrincipal(token(Map.of("sub", "ada", "azp", "web-portal", "client_id", "ignored")));
        assertThat(resolver.resolve(request)).isEqualTo(RateLimitKeyResolver.Caller.client("web-portal"));
        request.setUserPrincipal(token(Map.of("sub", "ada", "client_id", "mobile-app")));
        assertThat(resolver.resolve(request)).isEqualTo(RateLimitKeyResolver.Caller.client("mobile-app"));
        request.setUserPrincipal(token(Map.of("sub", "partner-broker")));
        assertThat(resolver.resolve(request)).isEqualTo(RateLimitKeyResolver.Caller.client("partner-broker"));
    }

    private static JwtAuthenticationToken token(Map<String, Object> claims) {
        return new JwtAuthenticationToken(new Jwt("t", Instant.now(), Instant.now().plusSeconds(60),
                Map.of("alg", "RS256"), claims));
    }

    @Test
    void anAnonymousCallerIsKeyedByItsAddressAndNotByWhatItSaysInXForwardedFor() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/quotes/Q-1");
        request.setRemoteAddr("10.1.2.3");
        request.addHeader("X-Forwarded-For", "203.0.113.9");

        assertThat(resolver.resolve(request)).isEqualTo(RateLimitKeyResolver.Caller.anonymous("10.1.2.3"));
    }

    @Test
    void aClientIdCannotShareABucketWithAnAddress() {
        assertThat(RateLimitKeyResolver.Caller.client("10.1.2.3").key())
                .isNotEqualTo(RateLimitKeyResolver.Caller.anonymous("10.1.2.3").key());
    }

    @Test
    void aListedClientHasItsOwnLimitOthersTheDefaultAndAnonymousCallersTheAnonymousOne() {
        RateLimitProperties properties = new RateLimitProperties(true, 1000, 100, Duration.ofMinutes(1),
                Map.of("partner-batch", 5000L), List.of("/api/*"), 0, Duration.ofSeconds(2),
                true, Duration.ofMinutes(1));

        assertThat(properties.limitOf(RateLimitKeyResolver.Caller.client("partner-batch"))).isEqualTo(5000);
        assertThat(properties.limitOf(RateLimitKeyResolver.Caller.client("portal"))).isEqualTo(1000);
        assertThat(properties.limitOf(RateLimitKeyResolver.Caller.anonymous("partner-batch"))).isEqualTo(100);
    }
}
