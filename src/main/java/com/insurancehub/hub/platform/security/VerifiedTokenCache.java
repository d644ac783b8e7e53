package com.insurancehub.hub.platform.security;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * A client sends the same token with every request for its whole lifetime, and checking it anew each time (parse
 * the header and the claims, select and convert the signing key, verify the RSA signature, map the claims) was
 * ~7 % of the hub's CPU on the quote path (docs/performance.md). This decoder verifies a token once and keeps the
 * result, keyed by the whole token text (signature included, so only that exact token ever hits), for at most
 * {@code ttl}; the validators (expiry, not-before, issuer) still run on every request. A token signed with a key the
 * provider then withdraws stays accepted for at most {@code ttl} after its first use, as with the provider's key set,
 * which the decoder keeps for five minutes too; a token that fails validation leaves the cache.
 */
class VerifiedTokenCache implements JwtDecoder {

    private final JwtDecoder verifier;
    private final OAuth2TokenValidator<Jwt> validator;
    private final Cache<String, Jwt> verified;

    /**
     * @param verifier  checks the signature and runs {@code validator} (the first use of a token)
     * @param validator the checks that depend on the time, run again on every later use
     */
    VerifiedTokenCache(JwtDecoder verifier, OAuth2TokenValidator<Jwt> validator, long maxSize, Duration ttl) {
        this.verifier = verifier;
        this.validator = validator;
        this.verified = Caffeine.newBuilder().maximumSize(maxSize).expireAfterWrite(ttl).build();
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Jwt jwt = verified.getIfPresent(token);
        if (jwt == null) {
            jwt = verifier.decode(token);
            verified.put(token, jwt);
            return jwt;
        }
        OAuth2TokenValidatorResult result = validator.validate(jwt);
        if (result.hasErrors()) {
            verified.invalidate(token);
            throw new JwtValidationException("An error occurred while attempting to decode the Jwt: "
                    + result.getErrors().iterator().next().getDescription(), result.getErrors());
        }
        return jwt;
    }
}
