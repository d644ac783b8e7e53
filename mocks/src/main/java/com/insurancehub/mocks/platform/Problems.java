package com.insurancehub.mocks.platform;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** The problem-style error bodies of the mocks: {@code {"status":..,"detail":..}}. */
public final class Problems {

    private Problems() {
    }

    public static ResponseEntity<Map<String, Object>> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(body(status, detail));
    }

    public static Map<String, Object> body(HttpStatus status, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("status", status.value());
        problem.put("detail", detail);
        return problem;
    }

    public static ResponseEntity<Map<String, Object>> notFound(String what) {
        return problem(HttpStatus.NOT_FOUND, "no " + what);
    }

    public static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
