package com.insurancehub.hub.platform.edge;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who a request counts against. The filter runs after Spring Security's chain, so an authenticated request already
 * carries its principal.
 *
 * <p>The default, {@link PrincipalOrAddressKeyResolver}, keys an authenticated caller by the principal's name and
 * anyone else by the remote address. A bean of this type replaces it: with the OAuth2 resource server the client id
 * of a JWT is its {@code azp} claim, else {@code client_id}, else the principal name ({@code sub}, which is the
 * client id for client-credentials tokens); that resolver reads the claims from the
 * {@code JwtAuthenticationToken} that {@code request.getUserPrincipal()} then returns.
 */
public interface RateLimitKeyResolver {

    Caller resolve(HttpServletRequest request);

    /**
     * @param id            the client id of an authenticated caller, the remote address of an anonymous one
     * @param authenticated whether the limit is a client's ({@code hub.rate-limits.clients.<id>}, default-client)
     *                      or the anonymous one
     */
    record Caller(String id, boolean authenticated) {

        public static Caller client(String clientId) {
            return new Caller(clientId, true);
        }

        public static Caller anonymous(String remoteAddress) {
            return new Caller(remoteAddress, false);
        }

        /** The bucket's name part: a client id can never pass for an address, nor the reverse. */
        String key() {
            return (authenticated ? "client:" : "anonymous:") + id;
        }
    }
}
