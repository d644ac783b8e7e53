package com.insurancehub.hub.platform.edge;

import java.io.IOException;
import java.util.Map;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's error report for what it refuses before the application sees it (an encoded slash or a NUL in the path,
 * a malformed request): problem+json, never Tomcat's HTML page with its version.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorReportValve.class);

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        try {
            HttpProblems.write(response, status, HttpProblems.detailFor(status), null, Map.of());
        } catch (IOException | IllegalStateException e) {
            LOG.debug("Could not write the problem of a {} answer", status, e);
        }
    }
}
