package com.insurancehub.hub.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/** The signature checked on a token's first use only; its expiry on every use. */
class VerifiedTokenCacheTest {

    private final AtomicInteger verifications = new AtomicInteger();
    private Instant expiresAt = Instant.now().plusSeconds(300);

    private final JwtDecoder verifier = token -> {
        verifications.incrementAndGet();
        return Jwt.withTokenValue(token).header("alg", "RS256").subject("partner-broker")
                .issuedAt(expiresAt.minusSeconds(600)).expiresAt(expiresAt).build();
    };
    private final VerifiedTokenCache decoder = new VerifiedTokenCache(verifier,
            new JwtTimestampValidator(Duration.ZERO), 100, Duration.ofMinutes(1));

    @Test
    void aTokenIsVerifiedOnceThenServedFromTheCache() {
        Jwt first = decoder.decode("token-a");
        Jwt again = decoder.decode("token-a");

        assertThat(again).isSameAs(first);
        assertThat(verifications).hasValue(1);
        decoder.decode("token-b");
        assertThat(verifications).hasValue(2);
    }

    @Test
    void aCachedTokenPastItsExpiryIsRefusedAndForgotten() {
        expiresAt = Instant.now().plusMillis(300);
        decoder.decode("short-lived");

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> Instant.now().isAfter(expiresAt.plusMillis(50)));

        assertThatThrownBy(() -> decoder.decode("short-lived")).isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("expired");
        expiresAt = Instant.now().plusSeconds(300);
        decoder.decode("short-lived"); // verified anew, not served from the cache
        assertThat(verifications).hasValue(2);
    }
}
