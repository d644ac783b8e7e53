package com.insurancehub.mocks.platform;

import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonMappingException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Problems thrown by the mocks, and the requests Spring cannot bind (malformed JSON, a value of the wrong type, a
 * missing or unparsable query parameter), answered as problem+json; a 400 names the offending field when known.
 */
@RestControllerAdvice(basePackages = "com.insurancehub.mocks")
public class ProblemAdvice {

    @ExceptionHandler(Problems.Problem.class)
    ResponseEntity<Map<String, Object>> problem(Problems.Problem e) {
        return e.response();
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        String cause = String.valueOf(e.getMostSpecificCause().getMessage());
        Map<String, Object> body = Problems.body(HttpStatus.BAD_REQUEST,
                "unreadable request body: " + cause.lines().findFirst().orElse(""));
        if (e.getCause() instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            body.put("field", mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()))
                    .collect(Collectors.joining(".")));
        }
        return Problems.problem(HttpStatus.BAD_REQUEST, body);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Map<String, Object>> missingParameter(MissingServletRequestParameterException e) {
        return Problems.badField(e.getParameterName(), "query parameter " + e.getParameterName() + " is required");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Map<String, Object>> typeMismatch(MethodArgumentTypeMismatchException e) {
        return Problems.badField(e.getName(), e.getName() + " cannot be read from " + e.getValue());
    }
}
