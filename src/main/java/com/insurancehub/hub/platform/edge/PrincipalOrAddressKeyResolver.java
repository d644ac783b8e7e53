package com.insurancehub.hub.platform.edge;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The principal's name for an authenticated request (the client id), else the remote address. The address is the
 * TCP peer's unless Tomcat was told to trust a proxy's X-Forwarded-For ({@code server.forward-headers-strategy}):
 * a header any caller can write never picks the bucket by itself.
 */
public class PrincipalOrAddressKeyResolver implements RateLimitKeyResolver {

    @Override
    public Caller resolve(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        if (principal != null && principal.getName() != null && !principal.getName().isBlank()) {
            return Caller.client(principal.getName());
        }
        return Caller.anonymous(request.getRemoteAddr());
    }
}
