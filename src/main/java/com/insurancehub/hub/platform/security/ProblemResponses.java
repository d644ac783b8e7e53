package com.insurancehub.hub.platform.security;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;

import com.insurancehub.hub.platform.edge.HttpProblems;

/**
 * 401 and 403 of the edge as the hub answers every error: application/problem+json, with the {@code WWW-Authenticate}
 * challenge of RFC 6750. The detail says what is missing, never why a token failed in depth (no key ids, no claims).
 */
@Component
public class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

    /** What Spring Security's firewall refuses before anything else (";", encoded slashes, "..", NUL in the path). */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
            throws IOException {
        write(response, 400, "The request's path is malformed");
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        boolean badToken = failure instanceof InvalidBearerTokenException
                || failure.getCause() instanceof org.springframework.security.oauth2.jwt.JwtException;
        response.setHeader("WWW-Authenticate", badToken
                ? "Bearer error=\"invalid_token\", error_description=\"The access token is not valid\""
                : "Bearer");
        write(response, 401, badToken
                ? "The access token is not valid (expired, not yet valid, or not signed by the hub's identity provider)"
                : "This API needs an access token (Authorization: Bearer ...)");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        if (request.getHeader("Authorization") != null && request.getHeader("Authorization").startsWith("Bearer ")) {
            response.setHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\"");
        }
        write(response, 403, "The caller may not use " + request.getMethod() + " "
                + request.getRequestURI().replaceAll("[^A-Za-z0-9/_.~-]", "?")
                + ": its token lacks the scope, the console session's CSRF token is missing, or the request comes from"
                + " another origin");
    }

    private static void write(HttpServletResponse response, int status, String detail) throws IOException {
        HttpProblems.write(response, status, detail, null, Map.of());
    }
}
