package com.insurancehub.hub.platform.simulator;

import java.net.URI;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The traffic simulator's API (O04): operator only (EdgeSecurityConfiguration), and its runs started or stopped only by
 * callers of {@code hub.simulator.allowed-callers} (the hub's own machine by default; docker-compose's network in the
 * compose profile, where a browser on the host arrives through the bridge): it generates load, so nobody else on the
 * network may start it.
 */
@RestController
@RequestMapping("/api/simulator/runs")
public class SimulatorController {

    private final TrafficSimulator simulator;
    private final SimulatorSettings settings;
    private final AllowedCallers allowedCallers;

    public SimulatorController(TrafficSimulator simulator, SimulatorSettings settings, AllowedCallers allowedCallers) {
        this.simulator = simulator;
        this.settings = settings;
        this.allowedCallers = allowedCallers;
    }

    /** A run to start; peakSeconds (optional, PEAK only) shortens PEAK's ten-times phase below hub.simulator.peak-duration. */
    public record NewRun(String scenario, Integer durationSeconds, Integer peakSeconds) {
    }

    @PostMapping
    ResponseEntity<?> start(@RequestBody(required = false) NewRun request, HttpServletRequest http) {
        if (!allowedCallers.allows(http.getRemoteAddr())) {
            return problem(HttpStatus.FORBIDDEN, "The simulator takes requests from hub.simulator.allowed-callers only", null);
        }
        Scenario scenario;
        try {
            scenario = Scenario.valueOf(request == null || request.scenario() == null ? "" : request.scenario());
        } catch (IllegalArgumentException e) {
            return problem(HttpStatus.BAD_REQUEST, "scenario must be one of NORMAL, PEAK, ERRORS, SLOW_CONSUMER", "scenario");
        }
        int duration = request.durationSeconds() == null ? 60 : request.durationSeconds();
        if (duration < 1 || duration > settings.maxDurationSeconds()) {
            return problem(HttpStatus.BAD_REQUEST, "durationSeconds must be between 1 and " + settings.maxDurationSeconds(), "durationSeconds");
        }
        long maxPeak = settings.peakDuration().toSeconds();
        if (request.peakSeconds() != null && (request.peakSeconds() < 1 || request.peakSeconds() > maxPeak)) {
            return problem(HttpStatus.BAD_REQUEST, "peakSeconds must be between 1 and " + maxPeak, "peakSeconds");
        }
        SimulatorRun run = simulator.start(scenario, duration, request.peakSeconds());
        if (run == null) {
            return problem(HttpStatus.CONFLICT, "A simulator run is already running: stop it or wait for its end", null);
        }
        return ResponseEntity.created(URI.create("/api/simulator/runs/" + run.getId())).body(run);
    }

    @GetMapping("/{id}")
    ResponseEntity<?> run(@PathVariable String id) {
        SimulatorRun run = simulator.find(id);
        return run == null ? problem(HttpStatus.NOT_FOUND, "No simulator run " + id, null) : ResponseEntity.ok(run);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<?> stop(@PathVariable String id, HttpServletRequest http) {
        if (!allowedCallers.allows(http.getRemoteAddr())) {
            return problem(HttpStatus.FORBIDDEN, "The simulator takes requests from hub.simulator.allowed-callers only", null);
        }
        SimulatorRun run = simulator.stop(id);
        return run == null ? problem(HttpStatus.NOT_FOUND, "No simulator run " + id, null) : ResponseEntity.ok(run);
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail, String field) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        if (field != null) {
            problem.setProperty("errors", java.util.List.of(Map.of("field", field, "message", detail)));
        }
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
