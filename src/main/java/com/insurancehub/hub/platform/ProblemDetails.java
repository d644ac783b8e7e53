package com.insurancehub.hub.platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.ValidationMessage;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.component.jsonvalidator.JsonValidationException;
import org.apache.camel.component.jsonvalidator.NoJsonBodyValidationException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the exception caught by a REST route as an RFC 9457 problem ({@code application/problem+json}).
 * For a request that breaks its JSON Schema, {@code errors} lists each offending field as a JSON path
 * ({@code $.risk.insuredValue}) with the reason, and {@code detail} names them. A failing system is a 502 naming
 * the {@code system}, a 500 names nothing; both carry a {@code reference} that the log holds with the real cause.
 * A system's own words reach the caller only as an allowed member (detail, reason, field) holding plain words.
 *
 * <p>Plain Camel, JDK and Jackson only, so {@code camel run} can load this file next to the YAML routes.
 */
@BindToRegistry("problemDetails")
public class ProblemDetails {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemDetails.class);
    /** Variables named {@code problem.<member>} become extension members of the problem, e.g. {@code reason}. */
    public static final String EXTENSION = "problem.";
    private static final Pattern REQUIRED_PROPERTY = Pattern.compile("required property '([^']+)'");
    private static final Pattern DUPLICATE_KEY = Pattern.compile("Duplicate field '([^']*)'");
    /** Statuses of a system's refusal that a route may pass on to its caller (variable passUpstreamProblem). */
    private static final Set<Integer> PASSED_ON = Set.of(400, 404, 409, 422);
    /** What a sentence passed to a caller must not hold: URLs, SQL, stack frames, class names, several lines. */
    private static final Pattern INTERNALS = Pattern.compile("(?i)://|jdbc:|\\bsql\\b|syntax error|\\b(select|insert|update"
            + "|delete)\\b.*\\b(from|into|set|where)\\b|\\bat [\\w$.]+\\(|\\w(exception|error)\\b|\\b(org|com|java|javax|jakarta)"
            + "\\.[a-z]|[\\x00-\\x1f]");
    private static final int MAX_PASSED_ON_LENGTH = 200;
    /** The systems behind the hub (hub.systems.<key>.url) and the name a problem gives them. */
    private static final Map<String, String> SYSTEMS = Map.of("quote-engine", "Quote Engine", "rating", "External Rating",
            "customers", "Customer Hub", "pas", "PAS", "billing", "Billing", "claims", "Claims", "documents", "DocMgmt",
            "notifications", "Notifications", "audit", "Audit");
    private static final ObjectMapper JSON = new ObjectMapper();

    public void render(Exchange exchange) {
        int status = exchange.getMessage().getHeader("problemStatus", 500, Integer.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        HttpOperationFailedException failed = cause instanceof HttpOperationFailedException f ? f : null;
        if (failed != null && failed.getStatusCode() == 409) {
            status = 409; // the system behind refused for the same reason: pass its conflict on
        }
        // A route that acts on the caller's behalf (variable passUpstreamProblem) passes a system's refusal on (400 with
        // its field, 404, 409 with its reason) instead of a 502; a route may also state its own refusal with the
        // variables problemDetail, problemField and problemReason. Only those members pass, and only as plain words.
        String reason = exchange.getVariable("problemReason", String.class);
        String field = exchange.getVariable("problemField", String.class);
        String upstreamDetail = null;
        if (failed != null && PASSED_ON.contains(failed.getStatusCode()) && (status == 409
                || Boolean.TRUE.equals(exchange.getVariable("passUpstreamProblem", Boolean.class)))) {
            status = failed.getStatusCode();
            JsonNode upstream = readProblem(failed.getResponseBody());
            reason = reason != null ? reason : upstream.path("reason").textValue();
            field = field != null ? field : upstream.hasNonNull("field") ? "$." + upstream.path("field").asText() : null;
            upstreamDetail = plain(upstream.path("detail").textValue());
            if (upstreamDetail == null) {
                upstreamDetail = systemOf(exchange, failed) + " refused the request";
            }
        }
        List<String[]> errors = new ArrayList<>();
        String givenDetail = plain(exchange.getVariable("problemDetail", String.class));
        if (field != null && plain(field) != null) {
            errors.add(new String[] {field, givenDetail != null ? givenDetail : upstreamDetail != null ? upstreamDetail : "invalid"});
        }
        Map<String, String> members = new LinkedHashMap<>();
        String detail;
        if (givenDetail != null) {
            detail = givenDetail; // the route said why (e.g. a 422 refusal, a system's 4xx passed on)
        } else if (upstreamDetail != null) {
            detail = upstreamDetail;
        } else if (cause instanceof JsonValidationException invalid && invalid.getNumberOfErrors() > 0) {
            for (ValidationMessage m : (Set<ValidationMessage>) invalid.getErrors()) {
                errors.add(new String[] {fieldOf(m), m.getMessage()});
            }
            detail = "invalid field(s): " + String.join(", ", errors.stream().map(e -> e[0]).toList());
        } else if (cause instanceof NoJsonBodyValidationException) {
            detail = "The request body is empty";
        } else if (status == 400) {
            Matcher duplicate = DUPLICATE_KEY.matcher(String.valueOf(cause == null ? null : cause.getMessage()));
            detail = duplicate.find() ? "Duplicate key '" + duplicate.group(1) + "'" : "the request body is not valid JSON";
        } else if (status == 409 && exchange.getVariable("conflictReason") != null) {
            detail = exchange.getVariable("conflictReason", String.class);
        } else if (status == 404) {
            String message = cause instanceof java.util.NoSuchElementException ? plain(cause.getMessage()) : null;
            detail = message != null ? message : "not found";
        } else if (status == 502) {
            String system = systemOf(exchange, failed);
            String reference = UUID.randomUUID().toString();
            members.put("system", system);
            members.put("reference", reference);
            detail = system + " failed";
            LOG.warn("Problem {}: {} failed on exchange {} (route {})", reference, system, exchange.getExchangeId(),
                    exchange.getProperty(Exchange.FAILURE_ROUTE_ID), cause);
        } else {
            status = status < 500 ? status : 500;
            String reference = UUID.randomUUID().toString();
            members.put("reference", reference);
            detail = "unexpected error, see the hub's log for the reference " + reference;
            LOG.error("Problem {}: unexpected error answered {} on exchange {} (route {})", reference, status,
                    exchange.getExchangeId(), exchange.getProperty(Exchange.FAILURE_ROUTE_ID), cause);
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
        if (reason != null && status < 500 && plain(reason) != null) {
            json.append(",\"reason\":").append(quote(reason));
        }
        String path = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (path != null) {
            json.append(",\"instance\":").append(quote(path));
        }
        // Extension members the route set as variables "problem.<member>" (e.g. reason, field, coverageSource)
        exchange.getVariables().forEach((name, value) -> {
            if (name.startsWith(EXTENSION) && value != null && plain(value.toString()) != null) {
                members.putIfAbsent(name.substring(EXTENSION.length()), value.toString());
            }
        });
        members.forEach((name, value) -> json.append(',').append(quote(name)).append(':').append(quote(value)));
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

    /** The text if it is a short plain sentence a caller may read, else {@code null}. */
    static String plain(String text) {
        return text == null || text.isBlank() || text.length() > MAX_PASSED_ON_LENGTH || INTERNALS.matcher(text).find()
                ? null : text;
    }

    private static JsonNode readProblem(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode(); // not JSON: nothing to pass on
        }
    }

    /** The system that failed: the route's variable problemSystem, else the one whose configured URL was called. */
    static String systemOf(Exchange exchange, HttpOperationFailedException failed) {
        String named = exchange.getVariable("problemSystem", String.class);
        if (named != null) {
            return named;
        }
        String called = failed != null ? failed.getUri() : exchange.getProperty(Exchange.FAILURE_ENDPOINT, String.class);
        if (called == null) {
            called = exchange.getProperty(Exchange.TO_ENDPOINT, String.class);
        }
        String best = null;
        int bestLength = 0;
        for (Map.Entry<String, String> system : SYSTEMS.entrySet()) {
            String url = exchange.getContext().getPropertiesComponent()
                    .resolveProperty("hub.systems." + system.getKey() + ".url").orElse(null);
            if (called != null && url != null && called.startsWith(url) && url.length() > bestLength) {
                best = system.getValue();
                bestLength = url.length();
            }
        }
        return best != null ? best : "A system behind the hub";
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
