package com.insurancehub.mocks.platform;

import java.util.regex.Pattern;

import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The {@code X-Correlation-Id} of the request being served, as a real system would keep it: with the outbox row the
 * request writes (the hub relays it as the event's header) and with a message Notifications sends. Read from the
 * request bound to the thread, so no mock has to pass it through its methods; outside a request, or malformed, none.
 */
public final class CorrelationIds {

    public static final String HEADER = "X-Correlation-Id";
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private CorrelationIds() {
    }

    public static String ofCurrentRequest() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            String id = attributes.getRequest().getHeader(HEADER);
            return id != null && WELL_FORMED.matcher(id).matches() ? id : null;
        }
        return null;
    }
}
