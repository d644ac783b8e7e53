package com.insurancehub.hub.platform.correlation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every HTTP request to the hub gets its correlation id here, first of all filters (registered at the highest
 * precedence, before Spring Security's chain): the caller's {@value CorrelationId#HEADER} when well formed, else a
 * new one.
 *
 * <ul>
 *   <li>The response carries it before anything else runs, so every answer has it: the routes' answers and
 *       problems, but also what Spring, the servlet container or a security filter answer on their own (404 of an
 *       unknown path, 401). Nothing downstream can replace it or add a second value (the raw header is never
 *       echoed).</li>
 *   <li>Downstream, the request shows only the accepted id under that header, so platform-http hands the routes a
 *       clean value ({@link CorrelationIdUnitOfWorkFactory} takes it from there).</li>
 *   <li>The servlet thread logs with it (MDC) while the request is in the filter chain.</li>
 * </ul>
 */
public class CorrelationIdFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = CorrelationId.validOrNew(request.getHeader(CorrelationId.HEADER));
        response.setHeader(CorrelationId.HEADER, id);
        try (CorrelationId.Scope ignored = CorrelationId.inMdc(id)) {
            chain.doFilter(new CorrelatedRequest(request, id), new CorrelatedResponse(response, id));
        }
    }

    private static boolean isCorrelationHeader(String name) {
        return CorrelationId.HEADER.equalsIgnoreCase(name);
    }

    private static final class CorrelatedRequest extends HttpServletRequestWrapper {
        private final String id;

        CorrelatedRequest(HttpServletRequest request, String id) {
            super(request);
            this.id = id;
        }

        @Override
        public String getHeader(String name) {
            return isCorrelationHeader(name) ? id : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return isCorrelationHeader(name) ? Collections.enumeration(List.of(id)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> all = super.getHeaderNames(); all.hasMoreElements(); ) {
                String name = all.nextElement();
                if (!isCorrelationHeader(name)) {
                    names.add(name);
                }
            }
            names.add(CorrelationId.HEADER);
            return Collections.enumeration(names);
        }
    }

    /** The id is set once, by the filter: later writes of the header (a route's leftover header) are ignored. */
    private static final class CorrelatedResponse extends HttpServletResponseWrapper {
        private final String id;

        CorrelatedResponse(HttpServletResponse response, String id) {
            super(response);
            this.id = id;
        }

        @Override
        public void setHeader(String name, String value) {
            if (!isCorrelationHeader(name)) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (!isCorrelationHeader(name)) {
                super.addHeader(name, value);
            }
        }

        @Override
        public void reset() {
            super.reset();
            super.setHeader(CorrelationId.HEADER, id);
        }
    }
}
