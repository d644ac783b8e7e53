package com.insurancehub.hub.platform.edge;

import java.security.Principal;
import java.util.stream.Stream;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The client id of an authenticated request, else the remote address. A JWT's client is its {@code azp} claim, else
 * {@code client_id} (the hub's identity provider sets it), else its subject (the client itself for client-credentials
 * tokens): a portal's customers share their client's limit, whoever logged in. The address is the TCP peer's unless
 * Tomcat was told to trust a proxy's X-Forwarded-For ({@code server.forward-headers-strategy}): a header any caller
 * can write never picks the bucket by itself.
 */
public class PrincipalOrAddressKeyResolver implements RateLimitKeyResolver {

    @Override
    public Caller resolve(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        if (principal instanceof JwtAuthenticationToken token) {
            return Caller.client(Stream.of(token.getToken().getClaimAsString("azp"),
                            token.getToken().getClaimAsString("client_id"), token.getName())
                    .filter(id -> id != null && !id.isBlank()).findFirst().orElseThrow());
        }
        if (principal != null && principal.getName() != null && !principal.getName().isBlank()) {
            return Caller.client(principal.getName());
        }
        return Caller.anonymous(request.getRemoteAddr());
    }
}
