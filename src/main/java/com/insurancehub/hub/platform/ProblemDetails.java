package com.insurancehub.hub.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.ValidationMessage;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.component.jsonvalidator.JsonValidationException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the exception caught by a REST route as an RFC 9457 problem ({@code application/problem+json}).
 * For a request that breaks its JSON Schema, {@code errors} lists each offending field as a JSON path
 * ({@code $.risk.insuredValue}) with the reason, and {@code detail} names them.
 *
 * <p>Plain Camel and JDK only, so {@code camel run} can load this file next to the YAML routes.
 */
@BindToRegistry("problemDetails")
public class ProblemDetails {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemDetails.class);
    /** Variables named {@code problem.<member>} become extension members of the problem, e.g. {@code reason}. */
    public static final String EXTENSION = "problem.";
    private static final Pattern REQUIRED_PROPERTY = Pattern.compile("required property '([^']+)'");
    private static final Pattern UPSTREAM_FIELD = Pattern.compile("\"(reason|field|detail)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Statuses of a system's refusal that a route may pass on to its caller (variable passUpstreamProblem). */
    private static final Set<Integer> PASSED_ON = Set.of(400, 404, 409, 422);

    public void render(Exchange exchange) {
        int status = exchange.getMessage().getHeader("problemStatus", 500, Integer.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause instanceof HttpOperationFailedException failed && failed.getStatusCode() == 409) {
            status = 409; // the system behind refused for the same reason: pass its conflict on
        }
        List<String[]> errors = new ArrayList<>();
        // A route that acts on the caller's behalf (variable passUpstreamProblem) passes a system's refusal on as it
        // is (400 with its field, 404, 409 with its reason) instead of a 502; a route may also state its own refusal
        // with the variables problemDetail, problemField and problemReason.
        String reason = exchange.getVariable("problemReason", String.class);
        String field = exchange.getVariable("problemField", String.class);
        String upstreamDetail = null;
        if (cause instanceof HttpOperationFailedException failed && PASSED_ON.contains(failed.getStatusCode())
                && Boolean.TRUE.equals(exchange.getVariable("passUpstreamProblem", Boolean.class))) {
            status = failed.getStatusCode();
            Matcher m = UPSTREAM_FIELD.matcher(failed.getResponseBody() == null ? "" : failed.getResponseBody());
            while (m.find()) {
                switch (m.group(1)) {
                    case "reason" -> reason = reason != null ? reason : m.group(2);
                    case "field" -> field = field != null ? field : "$." + m.group(2);
                    default -> upstreamDetail = m.group(2).replace("\\\"", "\"");
                }
            }
        }
        if (field != null && errors.isEmpty()) {
            String message = exchange.getVariable("problemDetail", String.class);
            errors.add(new String[] {field, message != null ? message : upstreamDetail != null ? upstreamDetail : "invalid"});
        }
        String detail;
        String givenDetail = exchange.getVariable("problemDetail", String.class);
        if (givenDetail != null) {
            detail = givenDetail; // the route said why (e.g. a 422 refusal, a system's 4xx passed on)
        } else if (upstreamDetail != null) {
            detail = upstreamDetail;
        } else if (cause instanceof JsonValidationException invalid && invalid.getNumberOfErrors() > 0) {
            for (ValidationMessage m : (Set<ValidationMessage>) invalid.getErrors()) {
                errors.add(new String[] {fieldOf(m), m.getMessage()});
            }
            detail = "invalid field(s): " + String.join(", ", errors.stream().map(e -> e[0]).toList());
        } else if (status == 400) {
            detail = "the request body is not valid JSON";
        } else if (status == 409 && exchange.getVariable("conflictReason") != null) {
            detail = exchange.getVariable("conflictReason", String.class);
        } else if (status == 404 || status == 409 || status == 502) {
            detail = cause instanceof HttpOperationFailedException failed
                    ? failed.getUri() + " answered " + failed.getStatusCode() + ": " + failed.getResponseBody()
                    : cause != null ? cause.getMessage() : "not found";
        } else {
            detail = "unexpected error, see the hub's log for the exchange " + exchange.getExchangeId();
            LOG.error("Unexpected error answered 500 on exchange {} (route {})", exchange.getExchangeId(),
                    exchange.getProperty(Exchange.FAILURE_ROUTE_ID), cause);
        }

        // A failed saga says which step failed; the steps done before it are compensated
        String sagaStep = exchange.getVariable("sagaStep", String.class);
        if (sagaStep != null && status >= 500) {
            detail = "subscription failed at step '" + sagaStep + "', earlier steps are compensated: " + detail;
        }

        StringBuilder json = new StringBuilder(256)
                .append("{\"type\":\"about:blank\",\"title\":").append(quote(title(status)))
                .append(",\"status\":").append(status)
                .append(",\"detail\":").append(quote(detail));
        if (sagaStep != null && status >= 500) {
            json.append(",\"failedStep\":").append(quote(sagaStep));
        }
        if (reason != null && status < 500) {
            json.append(",\"reason\":").append(quote(reason));
        }
        String path = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (path != null) {
            json.append(",\"instance\":").append(quote(path));
        }
        // Extension members the route set as variables "problem.<member>" (e.g. reason, field, coverageSource)
        exchange.getVariables().forEach((name, value) -> {
            if (name.startsWith(EXTENSION) && value != null && !value.toString().isEmpty()) {
                json.append(',').append(quote(name.substring(EXTENSION.length()))).append(':').append(quote(value.toString()));
            }
        });
        if (!errors.isEmpty()) {
            json.append(",\"errors\":[");
            for (int i = 0; i < errors.size(); i++) {
                json.append(i == 0 ? "" : ",").append("{\"field\":").append(quote(errors.get(i)[0]))
                        .append(",\"message\":").append(quote(errors.get(i)[1])).append('}');
            }
            json.append(']');
        }
        exchange.getMessage().setBody(json.append('}').toString());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
    }

    /** The JSON path of the offending field; for a missing property, the path of that property. */
    static String fieldOf(ValidationMessage message) {
        String location = message.getInstanceLocation() != null ? message.getInstanceLocation().toString() : "$";
        Matcher required = REQUIRED_PROPERTY.matcher(message.getMessage());
        if (required.find()) {
            return location + "." + required.group(1);
        }
        if (message.getProperty() != null && "additionalProperties".equals(message.getType())) {
            return location + "." + message.getProperty();
        }
        return location;
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 422 -> "Unprocessable Content";
            case 503 -> "Service Unavailable";
            case 502 -> "Bad Gateway";
            default -> "Internal Server Error";
        };
    }

    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
