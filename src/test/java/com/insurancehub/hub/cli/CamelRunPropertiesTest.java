package com.insurancehub.hub.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.EnumerablePropertySource;

import com.insurancehub.dev.CamelRunProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * T02: camel run's configuration is application.yaml's (CamelRunProperties): the hand-written part holds only what
 * cannot come from it, and every placeholder of the YAML routes and kamelets gets a value.
 */
class CamelRunPropertiesTest {

    private static final Path PROJECT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    /** Keys the CLI must set differently: files read from the source tree instead of the classpath, its own name. */
    private static final Set<String> DIFFERENT_ON_PURPOSE = Set.of("hub.schemas.location", "hub.sql.location", "camel.main.name");
    private static final Map<String, String> LOCAL_STACK = Map.of(
            "hub.mocks.base-url", "http://localhost:18090",
            "hub.kafka.brokers", "localhost:19092",
            "hub.postgres.url", "jdbc:postgresql://localhost:25432/insurance",
            "hub.postgres.user", "insurance_hub",
            "hub.postgres.password", "secret");

    @Test
    void theHandWrittenPartSetsNothingApplicationYamlSets() {
        EnumerablePropertySource<?> yaml = CamelRunProperties.applicationYaml(PROJECT);
        Properties cliOnly = CamelRunProperties.load(PROJECT.resolve(CamelRunProperties.CLI_ONLY));

        assertThat(cliOnly.stringPropertyNames())
                .filteredOn(key -> !DIFFERENT_ON_PURPOSE.contains(key))
                .as("keys of %s that application.yaml already sets: take them from there", CamelRunProperties.CLI_ONLY)
                .noneMatch(key -> Arrays.asList(yaml.getPropertyNames()).contains(key));
    }

    @Test
    void everyPlaceholderOfTheRoutesHasApplicationYamlsValueOrTheLocalStacks() {
        Map<String, String> properties = CamelRunProperties.resolve(PROJECT, LOCAL_STACK);

        assertThat(properties).containsKeys(CamelRunProperties.placeholders(PROJECT).toArray(String[]::new));
        assertThat(properties)
                .containsEntry("hub.topics.policy", "insurance.policy.events")
                .containsEntry("hub.systems.billing.url", "http://localhost:18090/billing")
                .containsEntry("camel.component.kafka.brokers", "localhost:19092")
                .containsEntry("camel.rest.binding-mode", "off")
                .containsEntry("hub.schemas.location", "file:" + PROJECT.resolve("src/main/resources/schemas"))
                .doesNotContainKey("hub.consumer.event-type-filter")
                .doesNotContainKey("camel.component.kamelet.location");
    }
}
