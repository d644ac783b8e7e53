package com.insurancehub.hub.yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * T03: every YAML route file and every Kamelet's template is valid against the Camel YAML DSL JSON Schema
 * shipped in camel-yaml-dsl of the Camel version in use - the schema Kaoto edits against.
 */
class YamlDslSchemaTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static JsonSchema camelYamlDsl;

    @BeforeAll
    static void loadSchema() throws IOException {
        try (InputStream in = YamlRoutesBuilderLoader.class.getClassLoader().getResourceAsStream("schema/camelYamlDsl.json")) {
            assertThat(in).as("schema/camelYamlDsl.json in camel-yaml-dsl").isNotNull();
            camelYamlDsl = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }

    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/resources/routes-yaml"))) {
            return files.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }

    static List<Path> kamelets() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("kamelets"))) {
            return files.filter(p -> p.toString().endsWith(".kamelet.yaml")).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void routeFileIsValidYamlDsl(Path file) throws IOException {
        assertValid(file, YAML.readTree(file.toFile()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kamelets")
    void kameletTemplateIsValidYamlDsl(Path file) throws IOException {
        JsonNode kamelet = YAML.readTree(file.toFile());
        assertThat(kamelet.path("kind").asText()).isEqualTo("Kamelet");
        assertThat(kamelet.at("/metadata/name").asText() + ".kamelet.yaml").isEqualTo(file.getFileName().toString());
        assertThat(kamelet.at("/spec/definition/title").asText()).isNotBlank();
        // A Kamelet's template is a route: check it as one
        ArrayNode asRoute = YAML.createArrayNode();
        asRoute.addObject().putObject("route").set("from", kamelet.at("/spec/template/from"));
        assertValid(file, asRoute);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void everyRouteHasAnIdAndAFlowIdInItsDescription(Path file) throws IOException {
        for (JsonNode node : YAML.readTree(file.toFile())) {
            JsonNode route = node.get("route");
            if (route != null) {
                assertThat(route.path("id").asText()).as("route id in " + file).isNotBlank();
                assertThat(route.path("description").asText()).as("flow id of " + route.path("id").asText())
                        .containsPattern("\\b([FEDRO][0-9]{2}|T0[0-9]|Platform)\\b");
            }
        }
    }

    private static void assertValid(Path file, JsonNode document) {
        Set<ValidationMessage> errors = camelYamlDsl.validate(document);
        assertThat(errors).as(file + " against the Camel YAML DSL schema").isEmpty();
    }
}
