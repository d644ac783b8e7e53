package com.insurancehub.hub.platform.edge;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Rate limits on the API: every answer carries {@code RateLimit-Limit}, {@code RateLimit-Remaining} and
 * {@code RateLimit-Reset} (seconds until the bucket is full again; IETF httpapi-ratelimit-headers draft); past the
 * limit the caller gets 429 {@code application/problem+json} (RFC 9457) with {@code Retry-After}, and the request
 * goes no further. Registered on {@code hub.rate-limits.url-patterns} after Spring Security's chain
 * ({@link RateLimitConfiguration}).
 */
public class RateLimitFilter extends OncePerRequestFilter {

    static final String LIMIT = "RateLimit-Limit";
    static final String REMAINING = "RateLimit-Remaining";
    static final String RESET = "RateLimit-Reset";
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitFilter.class);

    private final RateLimitKeyResolver resolver;
    private final RateLimiter limiter;
    private final boolean failOpen;
    /** Logs the first failure of a run of failures and the recovery, not every request of an outage. */
    private final AtomicBoolean failing = new AtomicBoolean();

    public RateLimitFilter(RateLimitKeyResolver resolver, RateLimiter limiter, boolean failOpen) {
        this.resolver = resolver;
        this.limiter = limiter;
        this.failOpen = failOpen;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        RateLimitKeyResolver.Caller caller = resolver.resolve(request);
        RateLimiter.Decision decision;
        try {
            decision = limiter.check(caller);
            if (failing.compareAndSet(true, false)) {
                LOG.info("Rate limit checks work again");
            }
        } catch (RuntimeException e) {
            if (failing.compareAndSet(false, true)) {
                LOG.warn("Rate limit check failed ({}): requests are {} until the buckets can be read again",
                        e.toString(), failOpen ? "served unlimited" : "refused with 503");
            }
            if (failOpen) {
                chain.doFilter(request, response);
            } else {
                problem(request, response, HttpStatus.SERVICE_UNAVAILABLE, "the rate limits cannot be checked");
            }
            return;
        }
        response.setHeader(LIMIT, Long.toString(decision.limit()));
        response.setHeader(REMAINING, Long.toString(decision.remaining()));
        response.setHeader(RESET, Long.toString(decision.resetSeconds()));
        if (decision.allowed()) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(decision.retryAfterSeconds()));
        problem(request, response, HttpStatus.TOO_MANY_REQUESTS, "rate limit of %d requests per %s exceeded for %s; retry in %d s"
                .formatted(decision.limit(), describe(decision.period()), describe(caller), decision.retryAfterSeconds()));
    }

    private static void problem(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String detail)
            throws IOException {
        HttpProblems.write(response, status.value(), detail, request.getRequestURI(), Map.of());
    }

    private static String describe(Duration period) {
        if (period.toMillis() % Duration.ofMinutes(1).toMillis() == 0) {
            return period.toMinutes() + " min";
        }
        return period.toMillis() % Duration.ofSeconds(1).toMillis() == 0 ? period.toSeconds() + " s" : period.toMillis() + " ms";
    }

    private static String describe(RateLimitKeyResolver.Caller caller) {
        return caller.authenticated() ? "client " + caller.id() : "anonymous caller " + caller.id();
    }
}
