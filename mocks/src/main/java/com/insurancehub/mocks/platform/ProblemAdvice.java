package com.insurancehub.mocks.platform;

import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** An unreadable request body (malformed JSON, wrong type) answers a problem-style 400, like the mocks' own checks. */
@RestControllerAdvice(basePackages = "com.insurancehub.mocks")
public class ProblemAdvice {

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        String cause = String.valueOf(e.getMostSpecificCause().getMessage());
        return Problems.problem(HttpStatus.BAD_REQUEST, "unreadable request body: " + cause.lines().findFirst().orElse(""));
    }
}
