package com.insurancehub.hub.platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.ValidationMessage;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.component.jsonvalidator.JsonValidationException;
import org.apache.camel.component.jsonvalidator.NoJsonBodyValidationException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders a REST route's failure or refusal as an RFC 9457 problem ({@code application/problem+json}) from the
 * exchange variables named after its members (the convention of rest-problem-details.camel.yaml):
 * {@code problem.status}, {@code problem.detail}, {@code problem.errors.field} (the offending field that {@code errors}
 * names, with the detail as its message) and any other {@code problem.<member>}, e.g. {@code problem.reason}.
 * Without a detail of the route, the caught exception gives it: for a request that breaks its JSON Schema,
 * {@code errors} lists each offending field as a JSON path ({@code $.risk.insuredValue}) with the reason; a failing
 * system is a 502 naming the {@code system}, a 500 names nothing; both carry a {@code reference} that the log holds
 * with the real cause. Every value reaches the caller only as plain words ({@link #plain}).
 *
 * <p>Plain Camel, JDK and Jackson only, so {@code camel run} can load this file next to the YAML routes.
 */
@BindToRegistry("problemDetails")
public class ProblemDetails {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemDetails.class);
    /** The prefix of the variables that hold the problem's members: {@code problem.status}, {@code problem.reason}... */
    public static final String MEMBER = "problem.";
    private static final String ERRORS_FIELD = "errors.field";
    /** Members the renderer writes itself; a variable problem.<one of them> is not copied as an extension member. */
    private static final Set<String> STANDARD = Set.of("type", "title", "status", "detail", "instance", "errors", ERRORS_FIELD);
    private static final Pattern REQUIRED_PROPERTY = Pattern.compile("required property '([^']+)'");
    private static final Pattern DUPLICATE_KEY = Pattern.compile("Duplicate field '([^']*)'");
    /** What a sentence passed to a caller must not hold: URLs, SQL, stack frames, class names, several lines. */
    private static final Pattern INTERNALS = Pattern.compile("(?i)://|jdbc:|\\bsql\\b|syntax error|\\b(select|insert|update"
            + "|delete)\\b.*\\b(from|into|set|where)\\b|\\bat [\\w$.]+\\(|\\w(exception|error)\\b|\\b(org|com|java|javax|jakarta)"
            + "\\.[a-z]|[\\x00-\\x1f]");
    private static final int MAX_PASSED_ON_LENGTH = 200;
    /** The systems behind the hub (hub.systems.<key>.url) and the name a problem gives them. */
    private static final Map<String, String> SYSTEMS = Map.of("quote-engine", "Quote Engine", "rating", "External Rating",
            "customers", "Customer Hub", "pas", "PAS", "billing", "Billing", "claims", "Claims", "documents", "DocMgmt",
            "notifications", "Notifications", "audit", "Audit");

    public void render(Exchange exchange) {
        int status = exchange.getVariable(MEMBER + "status", 500, Integer.class);
        Map<String, String> members = new LinkedHashMap<>();
        List<String[]> errors = new ArrayList<>();
        String detail = plain(exchange.getVariable(MEMBER + "detail", String.class));
        if (detail == null) {
            detail = detailOf(exchange, status, members, errors);
        }
        String field = plain(exchange.getVariable(MEMBER + ERRORS_FIELD, String.class));
        if (field != null) {
            errors.add(new String[] {field, detail});
        }
        // A failed saga says which step failed; the steps done before it are compensated
        String sagaStep = exchange.getVariable("sagaStep", String.class);
        if (sagaStep != null && status >= 500) {
            detail = "subscription failed at step '" + sagaStep + "', earlier steps are compensated: " + detail;
            members.put("failedStep", sagaStep);
        }
        exchange.getVariables().forEach((name, value) -> {
            String member = name.startsWith(MEMBER) ? name.substring(MEMBER.length()) : null;
            if (member != null && !STANDARD.contains(member) && value != null && plain(value.toString()) != null) {
                members.putIfAbsent(member, value.toString());
            }
        });
        String instance = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        exchange.getMessage().setBody(json(status, detail, instance, members, errors));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
    }

    /** The detail of a problem whose route said no why: from the exception it caught. */
    private static String detailOf(Exchange exchange, int status, Map<String, String> members, List<String[]> errors) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause instanceof HttpOperationFailedException refused && status < 500) {
            return systemOf(exchange, refused) + " refused the request"; // passed on, its own words not plain
        } else if (cause instanceof JsonValidationException invalid && invalid.getNumberOfErrors() > 0) {
            for (ValidationMessage m : (Set<ValidationMessage>) invalid.getErrors()) {
                errors.add(new String[] {fieldOf(m), m.getMessage()});
            }
            return "invalid field(s): " + String.join(", ", errors.stream().map(e -> e[0]).toList());
        } else if (cause instanceof NoJsonBodyValidationException) {
            return "The request body is empty";
        } else if (status == 400) {
            Matcher duplicate = DUPLICATE_KEY.matcher(String.valueOf(cause == null ? null : cause.getMessage()));
            return duplicate.find() ? "Duplicate key '" + duplicate.group(1) + "'" : "the request body is not valid JSON";
        } else if (status == 404) {
            String message = cause instanceof java.util.NoSuchElementException ? plain(cause.getMessage()) : null;
            return message != null ? message : "not found";
        }
        String reference = UUID.randomUUID().toString();
        if (status == 502) {
            String system = systemOf(exchange, cause instanceof HttpOperationFailedException failed ? failed : null);
            members.put("system", system);
            members.put("reference", reference);
            LOG.warn("Problem {}: {} failed on exchange {} (route {})", reference, system, exchange.getExchangeId(),
                    exchange.getProperty(Exchange.FAILURE_ROUTE_ID), cause);
            return system + " failed";
        }
        members.put("reference", reference);
        LOG.error("Problem {}: unexpected error answered {} on exchange {} (route {})", reference, status,
                exchange.getExchangeId(), exchange.getProperty(Exchange.FAILURE_ROUTE_ID), cause);
        return "unexpected error, see the hub's log for the reference " + reference;
    }

    private static String json(int status, String detail, String instance, Map<String, String> members, List<String[]> errors) {
        StringBuilder json = new StringBuilder(256)
                .append("{\"type\":\"about:blank\",\"title\":").append(quote(title(status)))
                .append(",\"status\":").append(status)
                .append(",\"detail\":").append(quote(detail));
        if (instance != null) {
            json.append(",\"instance\":").append(quote(instance));
        }
        members.forEach((name, value) -> json.append(',').append(quote(name)).append(':').append(quote(value)));
        if (!errors.isEmpty()) {
            json.append(",\"errors\":[");
            for (int i = 0; i < errors.size(); i++) {
                json.append(i == 0 ? "" : ",").append("{\"field\":").append(quote(errors.get(i)[0]))
                        .append(",\"message\":").append(quote(errors.get(i)[1])).append('}');
            }
            json.append(']');
        }
        return json.append('}').toString();
    }

    /** The text if it is a short plain sentence a caller may read, else {@code null}. */
    static String plain(String text) {
        return text == null || text.isBlank() || text.length() > MAX_PASSED_ON_LENGTH || INTERNALS.matcher(text).find()
                ? null : text;
    }

    /** The system that failed: the one whose configured URL was called. */
    static String systemOf(Exchange exchange, HttpOperationFailedException failed) {
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
