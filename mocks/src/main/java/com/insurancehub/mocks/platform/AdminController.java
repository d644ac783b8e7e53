package com.insurancehub.mocks.platform;

import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The admin surface shared by every mock. */
@RestController
public class AdminController {

    private final MockState state;

    public AdminController(MockState state) {
        this.state = state;
    }

    /**
     * The system's health, as a monitor asks it ({@code GET {base}/health}): UP, or 503 from the fault filter while
     * the system is switched down. Not a business request: neither counted nor delayed.
     */
    @GetMapping("/{base}/health")
    public ResponseEntity<Map<String, Object>> health(@PathVariable String base) {
        if (!state.knows(base)) {
            return ResponseEntity.notFound().build();
        }
        return ResponseEntity.ok(Map.of("status", "UP"));
    }

    @PutMapping("/{base}/_admin/faults")
    public Faults faults(@PathVariable String base, @RequestBody Faults faults) {
        state.of(base).faults(faults);
        return faults;
    }

    @GetMapping("/{base}/_admin/stats")
    public Map<String, Object> stats(@PathVariable String base) {
        return state.of(base).stats();
    }

    @PostMapping("/{base}/_admin/reset")
    public Map<String, Object> reset(@PathVariable String base) {
        state.of(base).reset();
        return state.of(base).stats();
    }

    @ExceptionHandler(MockState.UnknownSystemException.class)
    ResponseEntity<Map<String, Object>> unknown(MockState.UnknownSystemException e) {
        return Problems.problem(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, Object>> invalid(IllegalArgumentException e) {
        return Problems.problem(HttpStatus.BAD_REQUEST, String.valueOf(e.getMessage()));
    }
}
