package com.insurancehub.hub.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * The YAML routes a {@link RouteTestSupport} class loads: those of its domains' folders (routes-yaml/&lt;domain&gt;/)
 * and of platform/, which every flow relies on (dead letters, problem responses, notify-customer). A class without
 * it loads every domain. Folders, not files: a flow split into files, or moved from Java to YAML, stays loaded.
 * The Java RouteBuilders are Spring beans and load in every context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface RouteDomains {

    /** The folders under routes-yaml/, e.g. "billing"; "platform" alone for a test of the platform's routes. */
    String[] value();

    /** Sets camel.main.routes-include-pattern from the test class's {@link RouteDomains}, above every other source. */
    final class Factory implements ContextCustomizerFactory {

        static final String FOLDER = "routes-yaml/";

        @Override
        public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> attributes) {
            RouteDomains domains = TestContextAnnotationUtils.findMergedAnnotation(testClass, RouteDomains.class);
            return domains == null ? null : new Customizer(pattern(testClass, domains.value()));
        }

        private static String pattern(Class<?> testClass, String[] domains) {
            return Stream.concat(Stream.of("platform"), Arrays.stream(domains)).distinct().map(domain -> {
                if (!new ClassPathResource(FOLDER + domain).exists()) {
                    throw new IllegalArgumentException(testClass.getSimpleName() + ": no routes folder " + FOLDER + domain);
                }
                return "classpath:" + FOLDER + domain + "/**/*.camel.yaml";
            }).collect(Collectors.joining(","));
        }
    }

    /** A record: equal patterns, equal contexts (Spring's context cache key). */
    record Customizer(String routesIncludePattern) implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("routeDomains",
                    Map.of("camel.main.routes-include-pattern", routesIncludePattern)));
        }
    }
}
