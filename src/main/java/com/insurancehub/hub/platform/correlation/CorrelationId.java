package com.insurancehub.hub.platform.correlation;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.slf4j.MDC;

/**
 * The correlation id of a business interaction: one value from the caller's request (or the hub's schedule) to every
 * call, event, dead letter and log line it causes. docs/architecture.md, "Correlation id", says where it travels.
 *
 * <p>Well formed: 1 to 64 characters of {@code [A-Za-z0-9._:-]}. That covers UUIDs, ULIDs and most callers' trace or
 * request ids, and nothing a log line, an HTTP header or a SQL column could be abused with (no spaces, CR/LF, quotes,
 * angle brackets). Anything else is replaced by a new id, never passed on.
 */
public final class CorrelationId {

    /** The name everywhere: HTTP header (in and out), Camel message header and Kafka record header. */
    public static final String HEADER = "X-Correlation-Id";
    /** The logging MDC key ({@code %X{correlationId}}). */
    public static final String MDC_KEY = "correlationId";
    public static final int MAX_LENGTH = 64;

    private CorrelationId() {
    }

    /**
     * The value if it is a well-formed id, else null. Takes what a header can hold: a String, or the bytes of a Kafka
     * record header (UTF-8). A loop rather than a regular expression: it runs for every consumed record.
     */
    public static String valid(Object raw) {
        String value;
        if (raw instanceof String s) {
            value = s;
        } else if (raw instanceof byte[] bytes) {
            if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
                return null;
            }
            value = new String(bytes, StandardCharsets.UTF_8);
        } else {
            return null;
        }
        int length = value.length();
        if (length == 0 || length > MAX_LENGTH) {
            return null;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!allowed) {
                return null;
            }
        }
        return value;
    }

    public static String validOrNew(Object raw) {
        String id = valid(raw);
        return id != null ? id : newId();
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /**
     * Puts the id in the MDC until closed, then restores what was there: for log lines written outside any exchange
     * of the id (a servlet request in the filter chain, the outbox relay's failures).
     */
    public static Scope inMdc(Object raw) {
        String id = valid(raw);
        if (id == null) {
            return () -> { };
        }
        String previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, id);
        return () -> restore(previous);
    }

    static void restore(String previous) {
        if (previous != null) {
            MDC.put(MDC_KEY, previous);
        } else {
            MDC.remove(MDC_KEY);
        }
    }

    /** An MDC entry to close. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
