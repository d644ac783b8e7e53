package com.insurancehub.hub.platform.apidocs;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.openapi.BeanConfig;
import org.apache.camel.openapi.RestOpenApiReader;
import org.apache.camel.openapi.RestOpenApiSupport;
import org.springframework.util.AntPathMatcher;

/**
 * The hub's OpenAPI 3.1 document: what camel-openapi-java reads from the REST DSL (paths, verbs, parameters,
 * descriptions), completed with what the REST DSL cannot say - each operation's request schema (the JSON Schema its
 * route validates the body against, {@code json-validator:...schemas/api/...}), the problem+json error answer, and
 * the edge's security (EdgeSecurityConfiguration: OAuth2 bearer tokens, the scope each path needs). Built once:
 * the routes do not change after the start. Why not Camel's own {@code apiContextPath} endpoint: its document cannot
 * be completed so.
 */
public final class ApiDocumentation {

    /** A rule of the edge: the method (null: any) and Ant path it matches, the scope alternatives (empty: public). */
    record Access(String method, String path, List<String> scopes) {
    }

    /**
     * The edge's rules in its order, first match wins (EdgeSecurityConfiguration#api; ApiDocumentationIntegrationTest
     * checks every operation against the edge). A path no rule names needs a token of any scope.
     */
    static final List<Access> EDGE = List.of(
            new Access("POST", "/api/quotes", List.of()),
            new Access("GET", "/api/quotes/*", List.of()),
            new Access("POST", "/api/quotes/*/subscribe", List.of("policies")),
            new Access(null, "/api/customers", List.of("customers")),
            new Access(null, "/api/customers/**", List.of("customers")),
            new Access(null, "/api/policies/**", List.of("policies")),
            new Access(null, "/api/claims", List.of("claims")),
            new Access(null, "/api/claims/**", List.of("claims")),
            new Access(null, "/api/payments", List.of("payments")),
            new Access(null, "/api/payments/**", List.of("payments")),
            new Access(null, "/api/bff/**", List.of("policies")),
            new Access(null, "/api/admin/**", List.of("admin")),
            new Access(null, "/api/dead-letters", List.of("admin")),
            new Access(null, "/api/dead-letters/**", List.of("admin")),
            new Access(null, "/api/reports/**", List.of("reports", "admin")),
            new Access(null, "/api/audit-trail", List.of("audit", "admin")),
            new Access(null, "/lra-participant/**", List.of()));

    static final Map<String, String> SCOPES = new LinkedHashMap<>();

    static {
        SCOPES.put("policies", "Subscriptions, policy changes and history, the portal's and app's screens");
        SCOPES.put("customers", "Customers and the customer 360 view");
        SCOPES.put("claims", "Claims: declare, assess, settle");
        SCOPES.put("payments", "Premium payments");
        SCOPES.put("reports", "Real-time reports");
        SCOPES.put("audit", "The audit trail");
        SCOPES.put("admin", "Operations: dead letters, parked events, projections, warehouse loads, every report");
    }

    private static final AntPathMatcher PATHS = new AntPathMatcher();
    private static final String SCHEMAS = "schemas/api/";

    private final CamelContext camelContext;
    private final ObjectMapper mapper;
    private final String title;
    private final String version;
    private final String tokenUrl;
    private volatile String document;

    public ApiDocumentation(CamelContext camelContext, ObjectMapper mapper, String title, String version, String tokenUrl) {
        this.camelContext = camelContext;
        this.mapper = mapper;
        this.title = title;
        this.version = version;
        this.tokenUrl = tokenUrl;
    }

    /** The document as JSON. */
    public String json() throws Exception {
        String built = document;
        if (built == null) {
            built = mapper.writeValueAsString(build());
            document = built;
        }
        return built;
    }

    /** The scope alternatives of a path and method (empty: public, null: any token). */
    static List<String> access(String method, String path) {
        String concrete = path.replaceAll("\\{[^}]+}", "x");
        for (Access access : EDGE) {
            if ((access.method() == null || access.method().equalsIgnoreCase(method)) && PATHS.match(access.path(), concrete)) {
                return access.scopes();
            }
        }
        return null;
    }

    ObjectNode build() throws Exception {
        RestOpenApiSupport support = new RestOpenApiSupport();
        BeanConfig config = new BeanConfig();
        Map<String, Object> properties = new TreeMap<>();
        properties.put("openapi.version", "3.1.0");
        properties.put("api.title", title);
        properties.put("api.version", version);
        properties.put("api.description", "The insurance integration hub's API. Every error answer is problem+json. "
                + "Tokens: OAuth2 bearer JWTs of the identity provider, with the scopes each operation names.");
        support.initOpenApi(config, properties);
        List<RestDefinition> rests = support.getRestDefinitions(camelContext);
        String generated = RestOpenApiSupport.getJsonFromOpenAPIAsString(
                new RestOpenApiReader().read(camelContext, rests, config, camelContext.getName(), camelContext.getClassResolver()),
                config);
        ObjectNode api = (ObjectNode) mapper.readTree(generated);
        ObjectNode components = api.with("components");
        ObjectNode schemas = components.with("schemas");
        schemas.set("Problem", problem());
        components.set("securitySchemes", securitySchemes());

        Map<String, String> validated = validatedSchemas();
        for (RestDefinition rest : rests) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = join(rest.getPath(), verb.getPath());
                String method = verb.asVerb().toLowerCase();
                JsonNode found = api.path("paths").path(path).path(method);
                if (!(found instanceof ObjectNode operation)) {
                    continue; // the test names what is missing
                }
                String schemaFile = verb.getTo() == null ? null : validated.get(verb.getTo().getUri());
                if (schemaFile != null) {
                    String name = schema(schemas, schemaFile);
                    ObjectNode body = operation.putObject("requestBody").put("required", true);
                    body.putObject("content").putObject("application/json").putObject("schema")
                            .put("$ref", "#/components/schemas/" + name);
                }
                ObjectNode responses = operation.with("responses");
                responses.putObject("default").put("description", "An error: 400 naming the parameter, 401, 403, 404, 409, 422, 5xx")
                        .putObject("content").putObject("application/problem+json").putObject("schema")
                        .put("$ref", "#/components/schemas/Problem");
                operation.set("security", security(access(method, path)));
            }
        }
        return api;
    }

    private ArrayNode security(List<String> scopes) {
        ArrayNode security = mapper.createArrayNode();
        if (scopes == null) {
            security.addObject().putArray("oauth2");
        } else {
            for (String scope : scopes) {
                security.addObject().putArray("oauth2").add(scope);
            }
        }
        return security; // empty: public
    }

    private ObjectNode securitySchemes() {
        ObjectNode schemes = mapper.createObjectNode();
        ObjectNode oauth2 = schemes.putObject("oauth2").put("type", "oauth2")
                .put("description", "A bearer JWT of the identity provider (Authorization: Bearer ...), with the operation's scope");
        ObjectNode scopes = oauth2.putObject("flows").putObject("clientCredentials").put("tokenUrl", tokenUrl).putObject("scopes");
        SCOPES.forEach(scopes::put);
        return schemes;
    }

    private ObjectNode problem() {
        ObjectNode problem = mapper.createObjectNode().put("type", "object")
                .put("description", "RFC 9457 problem details: never SQL, stack traces or internal URLs");
        ObjectNode fields = problem.putObject("properties");
        fields.putObject("type").put("type", "string");
        fields.putObject("title").put("type", "string");
        fields.putObject("status").put("type", "integer");
        fields.putObject("detail").put("type", "string");
        fields.putObject("field").put("type", "string").put("description", "The request member a 400 refuses");
        fields.putObject("reason").put("type", "string").put("description", "The business reason of a 409 or 422");
        return problem;
    }

    /** A JSON Schema of schemas/api as a component, named by its title (or file): the component's name. */
    private String schema(ObjectNode schemas, String file) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(SCHEMAS + file)) {
            if (in == null) {
                throw new IOException("no " + SCHEMAS + file + " on the classpath");
            }
            ObjectNode schema = (ObjectNode) mapper.readTree(in);
            schema.remove("$schema"); // draft-07's keywords the hub uses are JSON Schema 2020-12's too (OpenAPI 3.1)
            String name = schema.path("title").asText(file.replace(".schema.json", ""));
            schemas.set(name, schema);
            return name;
        }
    }

    /** The direct: endpoints of the API routes and the schema file each validates its body against. */
    private Map<String, String> validatedSchemas() {
        Map<String, String> validated = new TreeMap<>();
        for (RouteDefinition route : camelContext.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions()) {
            FromDefinition from = route.getInput();
            if (from == null || !from.getEndpointUri().startsWith("direct:")) {
                continue;
            }
            List<ProcessorDefinition<?>> outputs = new ArrayList<>(route.getOutputs());
            for (ToDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, ToDefinition.class)) {
                String uri = to.getEndpointUri();
                int at = uri == null ? -1 : uri.indexOf("/" + SCHEMAS.substring("schemas/".length()));
                if (uri != null && uri.startsWith("json-validator:") && at >= 0) {
                    String file = uri.substring(at + "/api/".length());
                    validated.put(from.getEndpointUri(), file.contains("?") ? file.substring(0, file.indexOf('?')) : file);
                    break;
                }
            }
        }
        return validated;
    }

    static String join(String base, String path) {
        String joined = (base == null ? "" : base) + (path == null || path.isEmpty() ? "" : (path.startsWith("/") ? "" : "/") + path);
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    static Set<String> scopes() {
        return SCOPES.keySet();
    }
}
