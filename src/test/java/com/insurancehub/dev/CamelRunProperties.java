package com.insurancehub.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * The properties {@code camel run} reads (T02), made from the hub's own configuration so the two never drift:
 * application.yaml's value of every {@code {{hub.*}}} placeholder the YAML routes, kamelets and CLI beans use, the
 * Camel settings the hub gives its components, then what differs on the command line
 * ({@code src/main/resources/routes-yaml/camel-run.properties}: only keys application.yaml has no equivalent for,
 * or must not give, such as where the schemas are) and last the local stack's addresses and database role.
 *
 * <p>Written by the local stack ({@link LocalHub}) at every start, with that start's addresses and passwords, to
 * {@code target/dev-services/camel-run.properties} (only its owner reads it), and by {@code CamelRunTest} for its
 * own runs.
 */
public final class CamelRunProperties {

    /** What differs under camel run, by hand; a key application.yaml also sets is refused (CamelRunPropertiesTest). */
    public static final String CLI_ONLY = "src/main/resources/routes-yaml/camel-run.properties";
    /** Camel's settings of the hub that mean the same on the command line. */
    private static final Pattern CAMEL_KEYS = Pattern.compile(
            "camel\\.(rest\\..*|component\\.(kafka|http|json-validator)\\..*|component\\.kamelet\\.no-error-handler)");
    /**
     * A placeholder, {{key}} or {{key:default}}. Not an optional one, {{?key}}: those name what only the hub has
     * (e.g. the Kafka client's event type filter, a class of the hub).
     */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(hub\\.[A-Za-z0-9_.\\-]+)(?::[^}]*)?}}");

    private CamelRunProperties() {
    }

    /**
     * Every property camel run needs, resolved; {@code local} (the stack's addresses, its database role) wins over
     * everything.
     */
    public static Map<String, String> resolve(Path project, Map<String, String> local) {
        EnumerablePropertySource<?> yaml = applicationYaml(project);
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("local", Map.copyOf(local)));
        env.getPropertySources().addLast(yaml);
        Properties cliOnly = load(project.resolve(CLI_ONLY));

        Map<String, String> all = new TreeMap<>();
        for (String key : placeholders(project)) {
            String value = env.getProperty(key);
            if (value != null) {
                all.put(key, value);
            }
        }
        for (String key : yaml.getPropertyNames()) {
            if (CAMEL_KEYS.matcher(key).matches()) {
                all.put(key, env.getProperty(key));
            }
        }
        cliOnly.stringPropertyNames().forEach(key -> all.put(key, cliOnly.getProperty(key)));
        all.putAll(local);
        all.replaceAll((key, value) -> value.startsWith("file:") && !value.startsWith("file:/")
                ? "file:" + project.toAbsolutePath().resolve(value.substring("file:".length())).normalize()
                : value);
        return all;
    }

    /** Writes {@link #resolve} to {@code file}, readable by its owner only (it holds a password); answers the file. */
    public static Path write(Path project, Map<String, String> local, Path file) {
        StringBuilder text = new StringBuilder("""
                # Generated from application.yaml and %s by %s: do not edit.
                # bin/camel run <route files> src/main/resources/routes-yaml/camel-run-beans.yaml \\
                #   --local-kamelet-dir=kamelets --properties=%s
                """.formatted(CLI_ONLY, CamelRunProperties.class.getSimpleName(), project.toAbsolutePath().relativize(file.toAbsolutePath())));
        resolve(project, local).forEach((key, value) -> text.append(key).append('=')
                .append(value.replace("\\", "\\\\").replace("\n", "\\n")).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The keys of application.yaml (no profile), flattened as Spring reads them. */
    public static EnumerablePropertySource<?> applicationYaml(Path project) {
        try {
            return (EnumerablePropertySource<?>) new YamlPropertySourceLoader()
                    .load("application.yaml", new FileSystemResource(project.resolve("src/main/resources/application.yaml")))
                    .get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code hub.*} placeholder of the YAML routes, the kamelets, the CLI's beans and {@link #CLI_ONLY}. */
    public static TreeSet<String> placeholders(Path project) {
        TreeSet<String> keys = new TreeSet<>();
        for (Path dir : new Path[] {project.resolve("src/main/resources/routes-yaml"), project.resolve("kamelets")}) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml")
                        || f.endsWith(Path.of(CLI_ONLY).getFileName())).toList()) {
                    Matcher m = PLACEHOLDER.matcher(Files.readString(file));
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keys;
    }

    public static Properties load(Path file) {
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file)) {
            properties.load(reader);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
