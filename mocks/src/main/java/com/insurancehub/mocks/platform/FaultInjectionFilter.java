package com.insurancehub.mocks.platform;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts every business request of a mock and applies its fault switches before the mock sees it:
 * down answers 503 at once, latency delays the answer, errorRate answers that share with 500.
 * Admin calls ({@code /_admin/...}) are neither counted nor faulted; a health probe ({@code {base}/health}) is not
 * counted and only answers 503 while the system is down.
 */
@Component
public class FaultInjectionFilter extends OncePerRequestFilter {

    private final MockState state;

    public FaultInjectionFilter(MockState state) {
        this.state = state;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String[] segments = request.getRequestURI().split("/", 4);
        String base = segments.length > 1 ? segments[1] : "";
        boolean admin = segments.length > 2 && "_admin".equals(segments[2]);
        if (admin || !state.knows(base)) {
            chain.doFilter(request, response);
            return;
        }
        MockState.PerSystem system = state.of(base);
        if (segments.length == 3 && "health".equals(segments[2])) {
            // a monitor's probe: down when the system is, but not a business request (stats and latency untouched)
            if (system.faults().down()) {
                problem(response, 503, base + " is down (fault switch)");
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        system.requests.incrementAndGet();
        Faults faults = system.faults();
        if (faults.down()) {
            system.failures.incrementAndGet();
            problem(response, 503, base + " is down (fault switch)");
            return;
        }
        if (faults.latencyMs() > 0) {
            try {
                Thread.sleep(faults.latencyMs()); // the simulated slowness of the system itself
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (faults.errorRate() > 0 && ThreadLocalRandom.current().nextDouble() < faults.errorRate()) {
            system.failures.incrementAndGet();
            problem(response, 500, base + " failed (fault switch, errorRate " + faults.errorRate() + ")");
            return;
        }
        chain.doFilter(request, response);
        if (response.getStatus() >= 500) {
            system.failures.incrementAndGet();
        }
    }

    private static void problem(HttpServletResponse response, int status, String detail) throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.getWriter().write("{\"status\":" + status + ",\"title\":\"Injected fault\",\"detail\":\"" + detail + "\"}");
    }
}
