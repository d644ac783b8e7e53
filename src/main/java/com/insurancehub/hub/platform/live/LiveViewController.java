package com.insurancehub.hub.platform.live;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.view.RedirectView;

/**
 * The live view's page ({@code /live}, static resources under {@code static/live/}) and its feed
 * ({@code /api/live/events}, server-sent events). Operator only (EdgeSecurityConfiguration).
 */
@RestController
public class LiveViewController {

    private final LiveEventStream stream;
    private final long streamTimeout;

    public LiveViewController(LiveEventStream stream, @Value("${hub.live.stream-timeout}") long streamTimeout) {
        this.stream = stream;
        this.streamTimeout = streamTimeout;
    }

    @GetMapping("/live")
    RedirectView page() {
        RedirectView view = new RedirectView("/live/index.html", true);
        view.setHttp10Compatible(false);
        return view;
    }

    @GetMapping(path = "/api/live/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events() {
        SseEmitter emitter = stream.open(streamTimeout);
        if (emitter == null) {
            throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "Too many live viewers");
        }
        return emitter;
    }

    /** The browser session's CSRF token, for the page's simulator button (a same-origin read: CORS refuses others). */
    @GetMapping("/api/live/session")
    Map<String, String> session(HttpServletRequest request) {
        CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        return token == null ? Map.of() : Map.of("header", token.getHeaderName(), "token", token.getToken());
    }
}
