package com.insurancehub.hub.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * T04: docker-compose.yml, checked without a Docker engine (none is reachable where the suite runs): Compose's own
 * validation ({@code docker-compose config}, the Debian package: its bundled Compose schema and interpolation), then
 * what Compose cannot know - pinned images, the build's image names, healthchecks and start order, loopback ports,
 * every mounted file in the repository, the {@code compose} profile covering every address and password the hub reads,
 * and the provisioning scripts all run. No Spring context: plain files.
 */
class ComposeStackTest {

    private static final Path COMPOSE_FILE = Path.of("docker-compose.yml");
    private static final Path COMPOSE_PROFILE = Path.of("src/main/resources/application-compose.yaml");
    /** Services that run once and exit (restart "no"): started after by service_completed_successfully */
    private static final String ONE_SHOT_RESTART = "no";
    /** The files that the observe part (O02/R06) owns: mounted here, checked once their folder exists */
    private static final List<String> PROMETHEUS_FILES = List.of("docker/prometheus/prometheus.yml", "docker/prometheus/alerts.yml");
    /** The dashboards of the issue (O02): Kafka and consumers, route health, business events, simulation */
    private static final List<String> DASHBOARDS = List.of("kafka-and-consumers.json", "route-health.json",
            "business-events.json", "simulation.json");
    private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+):\\?[^}]*}");
    private static final Pattern DEFAULTED_VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+):-[^}]*}");

    private static Map<String, Object> compose;
    private static Map<String, Map<String, Object>> services;
    private static String composeText;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        composeText = Files.readString(COMPOSE_FILE);
        compose = new Yaml().load(composeText);
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void composeItselfAcceptsTheFileAndRefusesToStartWithoutThePasswords() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean installed = Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "docker-compose")));
        if (ci) {
            assertThat(installed).as("docker-compose on the PATH (.ci/run installs the Debian package)").isTrue();
        }
        Assumptions.assumeTrue(installed, "docker-compose is not installed (apt-get install docker-compose): Compose's own validation skipped");

        Map<String, String> every = new LinkedHashMap<>();
        requiredVariables().forEach(name -> every.put(name, "not-a-secret"));
        Map<String, String> oneMissing = new LinkedHashMap<>(every);
        oneMissing.remove("HUB_POSTGRES_PASSWORD");
        // side by side: each run is mostly the Python interpreter starting
        Check validCheck = dockerComposeConfig(every);
        Check refusedCheck = dockerComposeConfig(oneMissing);
        Result valid = validCheck.result();
        Result refused = refusedCheck.result();
        assertThat(valid.exitCode()).as("docker-compose config -q: %s", valid.output()).isZero();
        assertThat(refused.exitCode()).as("a password left unset stops the stack").isNotZero();
        assertThat(refused.output()).contains("set it in .env");
    }

    @Test
    void everyImageIsPinnedAndTheBuildMakesTheStacksOwn() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>insurance-hub</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(version.find()).isTrue();
        Set<String> built = new TreeSet<>();
        Matcher to = Pattern.compile("<to><image>([^<]+)</image></to>").matcher(pom);
        while (to.find()) {
            built.add(to.group(1).replace("${project.version}", version.group(1)));
        }
        assertThat(built).as("the images profile's Jib executions").containsExactlyInAnyOrder(
                "insurance-hub:" + version.group(1), "insurance-mocks:" + version.group(1));

        services.forEach((name, service) -> {
            String image = (String) service.get("image");
            assertThat(image).as("%s: an image, no build", name).isNotBlank();
            assertThat(service).as("%s: built by the build (Jib), not by Compose", name).doesNotContainKey("build");
            String reference = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
            String tag = reference.lastIndexOf(':') > reference.lastIndexOf('/') ? reference.substring(reference.lastIndexOf(':') + 1) : null;
            assertThat(image.contains("@sha256:") || (tag != null && !tag.isBlank() && !tag.equals("latest")))
                    .as("%s: image %s pinned to a version", name, image).isTrue();
            if (image.startsWith("insurance-")) {
                assertThat(built).as("%s: the image the build makes", name).contains(image);
            }
        });
        assertThat(services.values().stream().map(s -> (String) s.get("image")))
                .as("the hub and the mocks run from the build's images").containsAll(built);
    }

    @Test
    void everyLongRunningServiceHasAHealthcheckAndStartsAfterWhatItNeeds() {
        services.forEach((name, service) -> {
            if (isOneShot(service)) {
                return;
            }
            assertThat(service).as("%s: a healthcheck", name).containsKey("healthcheck");
            Map<?, ?> healthcheck = (Map<?, ?>) service.get("healthcheck");
            assertThat(healthcheck.get("test")).as("%s: healthcheck test", name).isNotNull();
            assertThat(healthcheck.get("start_period")).as("%s: a start_period (slow starters are not failures)", name).isNotNull();
        });
        services.forEach((name, service) -> dependencies(service).forEach((dependency, condition) -> {
            assertThat(services).as("%s depends on %s", name, dependency).containsKey(dependency);
            Map<String, Object> target = services.get(dependency);
            assertThat(condition).as("%s -> %s: a condition", name, dependency).isEqualTo(
                    isOneShot(target) ? "service_completed_successfully" : "service_healthy");
        }));
        assertThat(dependencies(services.get("hub")).keySet()).as("the hub starts after its infrastructure")
                .contains("postgres", "kafka", "mocks", "db-provisioning", "lra-coordinator", "keycloak", "jaeger");
        assertThat(dependencies(services.get("db-provisioning")).keySet())
                .as("publications need the systems' tables: after the mocks").contains("postgres", "mocks");
        assertThat(dependencies(services.get("grafana")).keySet()).contains("prometheus");
    }

    @Test
    void everyPortIsPublishedOnLoopbackOnly() {
        services.forEach((name, service) -> {
            for (Object port : list(service.get("ports"))) {
                assertThat(String.valueOf(port)).as("%s: port %s", name, port).startsWith("127.0.0.1:");
            }
        });
    }

    @Test
    void everyMountedFileIsInTheRepository() throws IOException {
        boolean prometheusMerged = Files.isDirectory(Path.of("docker/prometheus"));
        Set<String> mounted = new TreeSet<>();
        services.forEach((name, service) -> {
            for (Object volume : list(service.get("volumes"))) {
                String source = String.valueOf(volume).split(":")[0];
                if (source.startsWith("./")) {
                    mounted.add(source.substring(2));
                }
            }
        });
        for (String source : mounted) {
            if (!prometheusMerged && PROMETHEUS_FILES.contains(source)) {
                continue; // the observe part's files, not merged yet: checked below once their folder is there
            }
            assertThat(Path.of(source)).as("mounted %s", source).exists();
        }
        assertThat(mounted).as("what the stack must mount").contains(
                "src/main/resources/db/provisioning", "docker/postgres/provision.sh", "docker/postgres/initdb-roles.sh",
                "docker/keycloak/insurance-realm.json", "docker/grafana/provisioning", "docker/grafana/dashboards",
                "docker/prometheus/prometheus.yml", "docker/prometheus/alerts.yml");
        if (prometheusMerged) {
            assertPrometheusConfigFitsTheStack();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaIsProvisionedWithThePrometheusOfTheStackAndTheRepositorysDashboards() throws IOException {
        Map<String, String> mounts = mounts("grafana");
        assertThat(mounts).containsEntry("./docker/grafana/provisioning", "/etc/grafana/provisioning");
        Map<String, Object> datasources = yaml(Path.of("docker/grafana/provisioning/datasources/prometheus.yml"));
        List<Map<String, Object>> sources = (List<Map<String, Object>>) datasources.get("datasources");
        assertThat(sources).singleElement().satisfies(source -> {
            assertThat(source).containsEntry("type", "prometheus").containsEntry("uid", "prometheus");
            URI url = URI.create((String) source.get("url"));
            assertThat(services).as("the datasource's host is a service").containsKey(url.getHost());
            assertThat(url.getPort()).isEqualTo(9090);
        });
        Map<String, Object> dashboards = yaml(Path.of("docker/grafana/provisioning/dashboards/insurance-hub.yml"));
        Map<String, Object> provider = ((List<Map<String, Object>>) dashboards.get("providers")).get(0);
        String path = (String) ((Map<String, Object>) provider.get("options")).get("path");
        assertThat(mounts).as("the provider reads the repository's dashboards").containsEntry("./docker/grafana/dashboards", path);

        // the dashboards (observe part): once there, the four of the issue, valid, on the provisioned datasource
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(Path.of("docker/grafana/dashboards"))) {
            List<Path> dashboardFiles = files.filter(f -> f.toString().endsWith(".json")).toList();
            if (!dashboardFiles.isEmpty()) {
                assertThat(dashboardFiles.stream().map(f -> f.getFileName().toString())).containsAll(DASHBOARDS);
            }
            for (Path file : dashboardFiles) {
                JsonNode dashboard = json.readTree(file.toFile());
                assertThat(dashboard.path("title").asText()).as("%s: a title", file).isNotBlank();
                assertThat(dashboard.path("panels").isArray()).as("%s: panels", file).isTrue();
                for (JsonNode uid : dashboard.findValues("datasource")) {
                    String named = uid.isObject() ? uid.path("uid").asText() : uid.asText();
                    assertThat(named.isEmpty() || named.equals("prometheus") || named.startsWith("$") || named.equals("-- Grafana --"))
                            .as("%s: datasource %s is the provisioned one", file, uid).isTrue();
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theComposeProfileNamesTheStacksServicesForEveryAddressTheHubReads() throws IOException {
        Map<String, Object> hub = services.get("hub");
        Map<String, Object> environment = (Map<String, Object>) hub.get("environment");
        List<String> profiles = List.of(String.valueOf(environment.get("SPRING_PROFILES_ACTIVE")).split(","));
        assertThat(profiles).as("compose last: it overrides application-lra.yaml's localhost").endsWith("compose").contains("lra");

        Map<String, String> defaults = flatten(yaml(Path.of("src/main/resources/application.yaml")));
        defaults.putAll(flatten(yaml(Path.of("src/main/resources/application-lra.yaml"))));
        Map<String, String> profile = flatten(yaml(COMPOSE_PROFILE));

        // every default that points at this machine is replaced, by the profile or the hub's environment
        for (Map.Entry<String, String> setting : defaults.entrySet()) {
            String key = setting.getKey();
            boolean local = setting.getValue().contains("localhost") || setting.getValue().contains("127.0.0.1")
                    || (key.startsWith("hub.") && key.endsWith(".port"));
            if (local) {
                assertThat(profile.containsKey(key) || environment.containsKey(environmentName(key)))
                        .as("%s (%s) set for the stack", key, setting.getValue()).isTrue();
            }
        }
        assertThat(profile).as("traces go to the stack's backend").containsKey("management.otlp.tracing.endpoint")
                .containsEntry("server.address", "0.0.0.0");

        // every address of the profile is a service, on a port that service listens on
        for (Map.Entry<String, String> setting : profile.entrySet()) {
            for (Matcher m = Pattern.compile("(?:https?://)?([a-z][a-z0-9-]*):(\\d+)").matcher(setting.getValue()); m.find(); ) {
                String host = m.group(1);
                if (host.equals("http") || host.equals("https") || host.equals("localhost")) {
                    continue;
                }
                assertThat(services).as("%s names service %s", setting.getKey(), host).containsKey(host);
                assertThat(listensOn(host)).as("%s: %s listens on %s", setting.getKey(), host, m.group(2)).contains(m.group(2));
            }
        }
        assertThat(services).containsKey(profile.get("hub.postgres.host"));
        assertThat(listensOn(profile.get("hub.postgres.host"))).contains(profile.get("hub.postgres.port"));
        // the issuer is the URL the tokens carry (a browser's view: localhost), set from the Keycloak port variable
        assertThat(String.valueOf(environment.get("HUB_SECURITY_ISSUER")))
                .isEqualTo(keycloakHostname() + "/realms/insurance");

        // every password the hub reads (empty by default) comes from the environment
        for (String key : defaults.keySet()) {
            if (key.endsWith("password") && defaults.get(key).isEmpty()) {
                String variable = environmentName(key);
                assertThat(environment).as("%s from %s", key, variable).containsKey(variable);
                assertThat(String.valueOf(environment.get(variable))).as("%s: from .env, never a value in the file", variable)
                        .startsWith("${" + variable + ":?");
            }
        }
    }

    /** O04: a browser on the host reaches the hub through the bridge's gateway, which may drive the simulator. */
    @Test
    @SuppressWarnings("unchecked")
    void theSimulatorTakesCallersOfTheStacksPinnedNetwork() throws IOException {
        Map<String, Object> network = (Map<String, Object>) ((Map<String, Object>) compose.get("networks")).get("default");
        List<?> pools = list(((Map<String, Object>) network.get("ipam")).get("config"));
        assertThat(pools).as("one pinned subnet").hasSize(1);
        String subnet = String.valueOf(((Map<String, Object>) pools.get(0)).get("subnet"));
        String allowed = flatten(yaml(COMPOSE_PROFILE)).get("hub.simulator.allowed-callers");
        assertThat(allowed).as("hub.simulator.allowed-callers of the compose profile").isNotNull();
        List<String> cidrs = List.of(allowed.split(","));
        assertThat(cidrs).map(String::trim).contains(subnet, "127.0.0.0/8", "::1");
        String gateway = subnet.substring(0, subnet.lastIndexOf('.')) + ".1";
        assertThat(com.insurancehub.hub.platform.simulator.AllowedCallers.of(cidrs).allows(gateway)).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theMocksGetTheirDatabaseAndPortFromTheEnvironment() {
        Map<String, Object> environment = (Map<String, Object>) services.get("mocks").get("environment");
        URI jdbc = URI.create(String.valueOf(environment.get("SPRING_DATASOURCE_URL")).substring("jdbc:".length()));
        assertThat(services).containsKey(jdbc.getHost());
        assertThat(listensOn(jdbc.getHost())).contains(String.valueOf(jdbc.getPort()));
        assertThat(environment).containsEntry("SPRING_DATASOURCE_USERNAME", "insurance_mocks");
        String port = String.valueOf(environment.get("SERVER_PORT"));
        assertThat(list(services.get("mocks").get("ports"))).anySatisfy(p -> assertThat(String.valueOf(p)).endsWith(":" + port));
    }

    @Test
    void secretsComeFromAnEnvFileThatIsNeitherCommittedNorPrefilled() throws IOException {
        Set<String> documented = new LinkedHashSet<>();
        Set<String> prefilled = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of(".env.example"))) {
            String setting = line.startsWith("# ") ? line.substring(2) : line;
            Matcher m = Pattern.compile("^([A-Z0-9_]+)=(.*)$").matcher(setting);
            if (m.matches()) {
                documented.add(m.group(1));
                if (!line.startsWith("#") && !m.group(2).isEmpty()) {
                    prefilled.add(m.group(1));
                }
            }
        }
        assertThat(documented).as(".env.example documents every variable of docker-compose.yml")
                .containsAll(requiredVariables()).containsAll(defaultedVariables());
        assertThat(prefilled).as("no value in .env.example").isEmpty();
        assertThat(Files.readAllLines(Path.of(".gitignore"))).as(".env is never committed").contains(".env");
    }

    @Test
    void theDatabaseIsProvisionedByEveryScriptWithEveryPlaceholderFilled() throws IOException {
        String provision = Files.readString(Path.of("docker/postgres/provision.sh"));
        Set<String> placeholders = new TreeSet<>();
        try (Stream<Path> scripts = Files.list(Path.of("src/main/resources/db/provisioning"))) {
            for (Path script : scripts.filter(s -> s.toString().endsWith(".sql")).sorted().toList()) {
                assertThat(provision).as("provision.sh runs %s", script.getFileName()).contains(script.getFileName().toString());
                Matcher m = Pattern.compile("\\$\\{([A-Za-z]+)}").matcher(Files.readString(script));
                while (m.find()) {
                    placeholders.add(m.group(1));
                }
            }
        }
        for (String placeholder : placeholders) {
            assertThat(provision).as("provision.sh fills ${%s}", placeholder).contains("-v " + placeholder + "=");
        }
        Map<String, String> mounts = mounts("postgres");
        assertThat(mounts).containsEntry("./docker/postgres/initdb-roles.sh", "/docker-entrypoint-initdb.d/10-roles.sh");
        String postgres = services.get("postgres").toString();
        assertThat(postgres).contains("wal_level=logical").contains("max_slot_wal_keep_size=");
    }

    private static void assertPrometheusConfigFitsTheStack() throws IOException {
        Map<String, Object> prometheus = yaml(Path.of(PROMETHEUS_FILES.get(0)));
        Map<String, String> mounts = mounts("prometheus");
        String configDir = "/etc/prometheus/";
        assertThat(mounts).containsEntry("./" + PROMETHEUS_FILES.get(0), configDir + "prometheus.yml");
        for (Object rules : list(prometheus.get("rule_files"))) {
            String inContainer = rules.toString().startsWith("/") ? rules.toString() : configDir + rules;
            assertThat(mounts.values()).as("rule file %s mounted", rules).contains(inContainer);
        }
        String text = Files.readString(Path.of(PROMETHEUS_FILES.get(0)));
        assertThat(text).as("Prometheus scrapes the stack's hub").contains("hub:" + listensOn("hub").iterator().next());
    }

    private static boolean isOneShot(Map<String, Object> service) {
        return ONE_SHOT_RESTART.equals(String.valueOf(service.get("restart")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> dependencies(Map<String, Object> service) {
        Object dependsOn = service.get("depends_on");
        if (dependsOn == null) {
            return Map.of();
        }
        assertThat(dependsOn).as("depends_on with conditions, not a plain list").isInstanceOf(Map.class);
        Map<String, String> conditions = new LinkedHashMap<>();
        ((Map<String, Map<String, Object>>) dependsOn).forEach((name, c) -> conditions.put(name, c == null ? null : (String) c.get("condition")));
        return conditions;
    }

    /** The container ports a service listens on: the container side of its port mappings, and what it declares. */
    private static Set<String> listensOn(String name) {
        Map<String, Object> service = services.get(name);
        Set<String> ports = new LinkedHashSet<>();
        for (Object port : list(service.get("ports"))) {
            String[] parts = String.valueOf(port).split(":");
            ports.add(parts[parts.length - 1]);
        }
        for (Object port : list(service.get("expose"))) {
            ports.add(String.valueOf(port));
        }
        Object environment = service.get("environment");
        if (environment instanceof Map<?, ?> env && env.get("KAFKA_ADVERTISED_LISTENERS") != null) {
            Matcher m = Pattern.compile("//" + name + ":(\\d+)").matcher(env.get("KAFKA_ADVERTISED_LISTENERS").toString());
            while (m.find()) {
                ports.add(m.group(1));
            }
        }
        return ports;
    }

    private static Map<String, String> mounts(String service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object volume : list(services.get(service).get("volumes"))) {
            String[] parts = String.valueOf(volume).split(":");
            mounts.put(parts[0], parts[1]);
        }
        return mounts;
    }

    @SuppressWarnings("unchecked")
    private static String keycloakHostname() {
        return String.valueOf(((Map<String, Object>) services.get("keycloak").get("environment")).get("KC_HOSTNAME"));
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }

    private static Set<String> requiredVariables() {
        return variables(REQUIRED_VARIABLE);
    }

    private static Set<String> defaultedVariables() {
        return variables(DEFAULTED_VARIABLE);
    }

    private static Set<String> variables(Pattern pattern) {
        Set<String> names = new TreeSet<>();
        Matcher m = pattern.matcher(composeText);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Spring's relaxed binding the other way round: hub.outbox.password -> HUB_OUTBOX_PASSWORD. */
    private static String environmentName(String key) {
        return key.replace("-", "").replace('.', '_').toUpperCase();
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Map<String, Object> document = new Yaml().load(in);
            return document == null ? Map.of() : document;
        }
    }

    /** Dotted keys, as Spring reads them. */
    private static Map<String, String> flatten(Map<String, Object> tree) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", tree, flat);
        return flat;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> tree, Map<String, String> flat) {
        tree.forEach((key, value) -> {
            String name = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?> map) {
                flatten(name, (Map<String, Object>) map, flat);
            } else {
                flat.put(name, value == null ? "" : String.valueOf(value));
            }
        });
    }

    private record Result(int exitCode, String output) {
    }

    /** A docker-compose config -q running, with only these variables and no .env file. */
    private record Check(Process process, Path noEnvFile) {

        Result result() throws IOException, InterruptedException {
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Files.delete(noEnvFile);
            return new Result(process.exitValue(), output);
        }
    }

    private static Check dockerComposeConfig(Map<String, String> variables) throws IOException {
        // only these variables: a developer's own .env or shell must not make the check pass
        Path noEnvFile = Files.createTempFile("compose-check", ".env");
        ProcessBuilder builder = new ProcessBuilder("docker-compose", "--env-file", noEnvFile.toString(),
                "-f", COMPOSE_FILE.toString(), "config", "-q").redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.matches("[A-Z0-9_]+_PASSWORD|.*_PORT"));
        builder.environment().putAll(variables);
        builder.environment().put("COMPOSE_PROJECT_NAME", "insurance-hub-check");
        return new Check(builder.start(), noEnvFile);
    }
}
