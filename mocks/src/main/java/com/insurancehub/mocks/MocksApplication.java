package com.insurancehub.mocks;

import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The insurer's business systems, simulated: one web server (default port 8090), one base path per
 * system ({@code /quote-engine}, {@code /rating}, ...), one PostgreSQL schema per system.
 *
 * <p>Deliberately not a {@code @SpringBootApplication}: the mocks must not pick up Camel, Hawtio or the
 * actuator from the shared classpath. They are the systems the hub integrates, not part of it, and they
 * never call each other: every integration goes through the hub.
 */
@Configuration(proxyBeanMethods = false)
@ComponentScan
@ImportAutoConfiguration({
        PropertyPlaceholderAutoConfiguration.class,
        ServletWebServerFactoryAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class,
        DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
        JdbcTemplateAutoConfiguration.class})
public class MocksApplication {

    /** The transactions of the mocks: a change and its outbox rows commit together, or not at all. */
    @Bean
    TransactionTemplate transactionTemplate(PlatformTransactionManager transactionManager) {
        return new TransactionTemplate(transactionManager);
    }

    /**
     * The mocks on their own, as their container image runs them (T04, {@code ./mvnw -Pimages}): port and database
     * from the usual Spring Boot settings, e.g. {@code SERVER_PORT}, {@code SPRING_DATASOURCE_URL},
     * {@code SPRING_DATASOURCE_USERNAME}, {@code SPRING_DATASOURCE_PASSWORD} (docker-compose.yml).
     */
    public static void main(String[] args) {
        new SpringApplicationBuilder(MocksApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties(Map.of("spring.config.name", "mocks"))
                .run(args);
    }

    /**
     * Starts the mocks on the given port against the given PostgreSQL database. These settings go ahead of
     * every other property source, so that a {@code -Dserver.port} meant for the hub in the same JVM does not
     * move the mocks.
     */
    public static ConfigurableApplicationContext start(int port, String jdbcUrl, String user, String password,
                                                       Map<String, Object> extraProperties) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                "server.port", port,
                "spring.datasource.url", jdbcUrl,
                "spring.datasource.username", user,
                "spring.datasource.password", password));
        props.putAll(extraProperties);
        return new SpringApplicationBuilder(MocksApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties(Map.of("spring.config.name", "mocks"))
                .initializers(context -> context.getEnvironment().getPropertySources()
                        .addFirst(new MapPropertySource("mocks-runtime", props)))
                .logStartupInfo(false)
                // closed by DevServices, after the hub that calls them: never in parallel with it
                .registerShutdownHook(false)
                .run();
    }
}
