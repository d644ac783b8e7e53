package com.insurancehub.hub.platform.apidocs;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The API's documentation, public like any API reference (EdgeSecurityConfiguration): the OpenAPI document at
 * {@code /api/openapi.json} ({@link ApiDocumentation}) and Swagger UI at {@code /api/docs}, from the swagger-ui
 * webjar Spring Boot serves under {@code /webjars/}: no internet needed.
 */
@RestController
public class ApiDocumentationController {

    private final ApiDocumentation documentation;
    private final String page;

    public ApiDocumentationController(CamelContext camelContext, ObjectMapper mapper,
                                      @Value("${spring.application.name}") String title,
                                      @Value("${hub.api-docs.version}") String version,
                                      @Value("${hub.api-docs.token-url}") String tokenUrl) throws IOException {
        this.documentation = new ApiDocumentation(camelContext, mapper, title, version, tokenUrl);
        String ui = "/webjars/swagger-ui/" + swaggerUiVersion();
        this.page = """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>Insurance hub API</title>
                  <link rel="stylesheet" href="%1$s/swagger-ui.css">
                </head>
                <body>
                  <div id="swagger-ui"></div>
                  <script src="%1$s/swagger-ui-bundle.js"></script>
                  <script>
                    window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
                  </script>
                </body>
                </html>
                """.formatted(ui);
    }

    @GetMapping(path = "/api/openapi.json", produces = MediaType.APPLICATION_JSON_VALUE)
    public String openApi() throws Exception {
        return documentation.json();
    }

    @GetMapping(path = "/api/docs", produces = MediaType.TEXT_HTML_VALUE)
    public ResponseEntity<String> docs() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(page);
    }

    /** The webjar's version, from its Maven metadata: the page's script URLs follow a dependency upgrade. */
    static String swaggerUiVersion() throws IOException {
        try (InputStream in = ApiDocumentationController.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IOException("org.webjars:swagger-ui is not on the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        }
    }
}
