package com.insurancehub.hub.platform.edge;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Every error answered outside the Camel routes (Spring MVC's 404, 405, 415, an exception in a filter, a servlet
 * container's sendError) as problem+json instead of Spring Boot's JSON or whitelabel page. Exception messages stay in
 * the log under the problem's {@code reference}.
 */
@Controller
public class ProblemErrorController implements ErrorController {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping("${server.error.path:${error.path:/error}}")
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer given && given >= 400 ? given : 500;
        String instance = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        Map<String, String> members = Map.of();
        if (status >= 500) {
            String reference = UUID.randomUUID().toString();
            LOG.error("Problem {}: {} answered {}", reference, instance, status,
                    (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
            members = Map.of("reference", reference);
        }
        HttpProblems.write(response, status, HttpProblems.detailFor(status), instance, members);
    }
}
