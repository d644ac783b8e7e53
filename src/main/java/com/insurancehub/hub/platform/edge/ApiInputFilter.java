package com.insurancehub.hub.platform.edge;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The hub's API edge, in front of every route: security headers on every answer; a request body must be JSON
 * (else 415), at most {@code hub.api.max-body-size} (else 413, refused from Content-Length before reading, and a
 * chunked body is read no further than the limit) and strict JSON ({@link StrictJson}, else 400). The routes then
 * get the body as read here. A request without a body passes: the routes decide whether they need one.
 */
public class ApiInputFilter extends OncePerRequestFilter {

    private final long maxBodySize;
    private final StrictJson strictJson;

    public ApiInputFilter(long maxBodySize, int maxJsonDepth) {
        this.maxBodySize = maxBodySize;
        this.strictJson = new StrictJson(maxJsonDepth);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        HttpProblems.secure(response);
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        if (request.getContentLengthLong() <= 0 && !chunked) {
            chain.doFilter(request, response);
            return;
        }
        if (!isJson(request.getContentType())) {
            refuse(request, response, 415, "The request's Content-Type must be application/json");
            return;
        }
        if (request.getContentLengthLong() > maxBodySize) {
            refuse(request, response, 413, "The request body is larger than " + maxBodySize + " bytes");
            return;
        }
        long length = request.getContentLengthLong();
        // a known length (checked above) is read into an array of that size; a chunked body grows up to the limit
        byte[] body = length >= 0 && !chunked ? request.getInputStream().readNBytes((int) length) : readAtMost(request.getInputStream());
        if (body == null) {
            refuse(request, response, 413, "The request body is larger than " + maxBodySize + " bytes");
            return;
        }
        String problem = strictJson.problemOf(body);
        if (problem != null) {
            refuse(request, response, 400, problem);
            return;
        }
        chain.doFilter(new ReadBody(request, body), response);
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON)
                    || ("application".equals(type.getType()) && type.getSubtype().endsWith("+json"));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    /** The body, or {@code null} as soon as it grows past the limit. */
    private byte[] readAtMost(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) != -1; ) {
            if (out.size() + n > maxBodySize) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String detail)
            throws IOException {
        if (status == 413) {
            // the rest of the body is never read: the connection cannot be reused for another request
            response.setHeader("Connection", "close");
        }
        HttpProblems.write(response, status, detail, request.getRequestURI(), Map.of());
    }

    /** The request with its body already read (and checked). */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already read");
                }
            };
        }

        /**
         * The body decoded at once, behind a buffer of its own size: the routes read it as a Reader (Camel's
         * platform-http), and an InputStreamReader behind a default BufferedReader took 24 KB (an 8 KB byte buffer,
         * 8,192 chars) for a body of about 1 KB, among the largest allocations of a quote (docs/performance.md, "The
         * quote path at 100 req/s").
         */
        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding() != null ? getCharacterEncoding() : "UTF-8";
            String text = new String(body, encoding);
            return new BufferedReader(new StringReader(text), Math.max(1, text.length()));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
