package com.insurancehub.hub.platform.edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;

/**
 * Problem answers written outside Camel (the input filter, the error controller, Tomcat's own rejections), in the
 * same shape as {@code ProblemDetails} writes them inside the routes.
 */
public final class HttpProblems {

    public static final String PROBLEM_JSON = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpProblems() {
    }

    public static void write(HttpServletResponse response, int status, String detail, String instance,
            Map<String, String> members) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        HttpStatus known = HttpStatus.resolve(status);
        problem.put("title", known != null ? known.getReasonPhrase() : "Error");
        problem.put("status", status);
        problem.put("detail", detail);
        if (instance != null) {
            problem.put("instance", instance);
        }
        problem.putAll(members);
        byte[] body = JSON.writeValueAsBytes(problem);
        response.resetBuffer();
        response.setStatus(status);
        secure(response);
        response.setContentType(PROBLEM_JSON);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /**
     * Headers every API answer carries: personal data is never cached, never sniffed into HTML, never framed. Set only
     * when absent, so another layer (Spring Security) setting the same ones does not double them.
     */
    public static void secure(HttpServletResponse response) {
        setIfAbsent(response, "X-Content-Type-Options", "nosniff");
        setIfAbsent(response, "Cache-Control", "no-store");
        setIfAbsent(response, "X-Frame-Options", "DENY");
    }

    private static void setIfAbsent(HttpServletResponse response, String name, String value) {
        if (!response.containsHeader(name)) {
            response.setHeader(name, value);
        }
    }

    /** A short sentence for the statuses the web server itself answers (no exception text ever). */
    public static String detailFor(int status) {
        return switch (status) {
            case 400 -> "The request is malformed (its path, query or headers)";
            case 404 -> "No resource at this path";
            case 405 -> "This method is not allowed on this resource";
            case 406 -> "This resource answers application/json only";
            case 413 -> "The request body is too large";
            case 415 -> "The request's Content-Type is not supported: send application/json";
            default -> status >= 500 ? "Unexpected error" : "The request was refused";
        };
    }
}
