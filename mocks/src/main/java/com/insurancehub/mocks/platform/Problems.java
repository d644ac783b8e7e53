package com.insurancehub.mocks.platform;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The problem bodies of the mocks ({@code application/problem+json}): {@code {"status", "title", "detail"}}, plus
 * {@code field} on a 400 that names the offending request field and {@code reason} (an UPPER_SNAKE code) on a 409,
 * so that a caller can tell conflicts apart without parsing the detail.
 *
 * <p>Code inside a transaction throws a {@link Problem} ({@link #invalid}, {@link #conflict}, {@link #missing}):
 * the transaction rolls back and {@link ProblemAdvice} answers it.
 */
public final class Problems {

    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    private Problems() {
    }

    public static ResponseEntity<Map<String, Object>> problem(HttpStatus status, String detail) {
        return problem(status, body(status, detail));
    }

    public static ResponseEntity<Map<String, Object>> problem(HttpStatus status, Map<String, Object> body) {
        return ResponseEntity.status(status).contentType(PROBLEM_JSON).body(body);
    }

    public static Map<String, Object> body(HttpStatus status, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("status", status.value());
        problem.put("title", status.getReasonPhrase());
        problem.put("detail", detail);
        return problem;
    }

    public static ResponseEntity<Map<String, Object>> notFound(String what) {
        return problem(HttpStatus.NOT_FOUND, "no " + what);
    }

    /** 400 naming the offending field. */
    public static ResponseEntity<Map<String, Object>> badField(String field, String detail) {
        return invalid(field, detail).response();
    }

    public static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /** 400: the request field {@code field} is missing or invalid. */
    public static Problem invalid(String field, String detail) {
        Map<String, Object> body = body(HttpStatus.BAD_REQUEST, detail);
        body.put("field", field);
        return new Problem(HttpStatus.BAD_REQUEST, body);
    }

    /** 409: the request conflicts with the state of the resource; {@code reason} is a stable UPPER_SNAKE code. */
    public static Problem conflict(String reason, String detail) {
        Map<String, Object> body = body(HttpStatus.CONFLICT, detail);
        body.put("reason", reason);
        return new Problem(HttpStatus.CONFLICT, body);
    }

    /** 404: {@code what} does not exist. */
    public static Problem missing(String what) {
        return new Problem(HttpStatus.NOT_FOUND, body(HttpStatus.NOT_FOUND, "no " + what));
    }

    /** A problem thrown (typically inside a transaction, which then rolls back) and answered by {@link ProblemAdvice}. */
    public static final class Problem extends RuntimeException {

        private final HttpStatus status;
        private final Map<String, Object> body;

        Problem(HttpStatus status, Map<String, Object> body) {
            super(String.valueOf(body.get("detail")), null, false, false);
            this.status = status;
            this.body = body;
        }

        public HttpStatus status() {
            return status;
        }

        public Map<String, Object> body() {
            return body;
        }

        public ResponseEntity<Map<String, Object>> response() {
            return problem(status, body);
        }
    }
}
