package com.insurancehub.hub.platform.apidocs;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.insurancehub.hub.HubIntegrationTest;
import com.insurancehub.hub.support.HubApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenAPI: /api/openapi.json is a valid OpenAPI document (swagger-parser) naming every REST operation of the hub - as
 * Camel's model holds them - with its request schema where its route validates one and the edge's security: the
 * scopes documented are what the edge asks (a protected operation refuses an anonymous call with 401). Swagger UI
 * at /api/docs loads from the webjar. Both public.
 */
@HubIntegrationTest
class ApiDocumentationIntegrationTest {

    @LocalServerPort
    int port;
    @Autowired
    CamelContext camelContext;

    @Test
    void theDocumentNamesEveryRestOperationWithItsSecurityAsTheEdgeAsksIt() throws Exception {
        HttpResponse<String> document = get("/api/openapi.json");
        assertThat(document.statusCode()).isEqualTo(200);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document.body());
        assertThat(parsed.getMessages()).as("parser messages").isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        assertThat(api.getOpenapi()).startsWith("3.1");
        assertThat(api.getComponents().getSecuritySchemes().get("oauth2").getFlows().getClientCredentials().getScopes())
                .containsKeys("policies", "customers", "claims", "payments", "reports", "audit", "admin");

        List<RestDefinition> rests = camelContext.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions();
        HubApi anonymous = HubApi.anonymous(port);
        List<String> checked = new ArrayList<>();
        for (RestDefinition rest : rests) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = ApiDocumentation.join(rest.getPath(), verb.getPath());
                String method = verb.asVerb().toUpperCase();
                PathItem item = api.getPaths().get(path);
                assertThat(item).as("path %s", path).isNotNull();
                Operation operation = item.readOperationsMap().get(PathItem.HttpMethod.valueOf(method));
                assertThat(operation).as("%s %s", method, path).isNotNull();
                List<SecurityRequirement> security = operation.getSecurity();
                assertThat(security).as("security of %s %s", method, path).isNotNull();
                if (!security.isEmpty()) {
                    assertThat(security).allSatisfy(requirement -> assertThat(requirement).containsOnlyKeys("oauth2"));
                    String concrete = path.replaceAll("\\{[^}]+}", "doc-check");
                    assertThat(anonymous.send(method, concrete, method.equals("GET") || method.equals("DELETE") ? null : "{}").status())
                            .as("anonymous %s %s, documented %s", method, concrete, security).isEqualTo(401);
                }
                checked.add(method + " " + path);
            }
        }
        System.out.printf("ApiDocumentationIntegrationTest: %d operations documented and checked%n", checked.size());
        assertThat(checked).contains("POST /api/claims", "GET /api/dead-letters", "POST /api/quotes");

        // a request schema from schemas/api, where the route validates the body against it
        Operation claim = api.getPaths().get("/api/claims").getPost();
        assertThat(claim.getSecurity()).extracting(r -> r.get("oauth2")).containsExactly(List.of("claims"));
        String ref = claim.getRequestBody().getContent().get("application/json").getSchema().get$ref();
        Schema<?> claimRequest = api.getComponents().getSchemas().get(ref.substring(ref.lastIndexOf('/') + 1));
        assertThat(claimRequest.getRequired()).contains("policyNumber", "claimedAmount");
        assertThat(api.getPaths().get("/api/quotes").getPost().getSecurity()).isEmpty(); // a portal visitor's quote
        assertThat(api.getPaths().get("/api/reports/open-claims").getGet().getSecurity())
                .extracting(r -> r.get("oauth2")).containsExactly(List.of("reports"), List.of("admin"));
    }

    @Test
    void swaggerUiShowsTheDocumentFromTheWebjar() throws Exception {
        HttpResponse<String> page = get("/api/docs");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("url: \"/api/openapi.json\"");
        String bundle = page.body().replaceAll("(?s).*<script src=\"([^\"]+swagger-ui-bundle\\.js)\".*", "$1");
        HttpResponse<String> script = get(bundle);
        assertThat(script.statusCode()).as(bundle).isEqualTo(200);
        assertThat(script.body()).contains("SwaggerUIBundle");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
