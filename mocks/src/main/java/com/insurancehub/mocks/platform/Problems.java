package com.insurancehub.mocks.platform;

import java.math.BigDecimal;
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

    /** The value, unless it is blank: then a 400 naming the field ("{@code field} is required"). */
    public static String required(String value, String field) {
        if (blank(value)) {
            throw invalid(field, field + " is required");
        }
        return value;
    }

    /** The value, unless it is missing or not above 0: then a 400 naming the field. */
    public static BigDecimal positive(BigDecimal value, String field) {
        if (value == null || value.signum() <= 0) {
            throw invalid(field, field + " is required and must be > 0");
        }
        return value;
    }

    /** The currency, unless it is not an ISO 4217 code: then a 400 naming the field {@code currency}. */
    public static String currencyCode(String currency) {
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw invalid("currency", "currency must be an ISO 4217 code, not " + currency);
        }
        return currency;
    }

    /** 400: the request is invalid, with no one field to name. */
    public static Problem invalid(String detail) {
        return new Problem(HttpStatus.BAD_REQUEST, body(HttpStatus.BAD_REQUEST, detail));
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

        /** The problem, with one more field in its body. */
        public Problem with(String field, Object value) {
            body.put(field, value);
            return this;
        }
    }
}
