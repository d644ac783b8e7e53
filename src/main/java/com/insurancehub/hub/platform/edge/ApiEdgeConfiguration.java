package com.insurancehub.hub.platform.edge;

import org.apache.catalina.core.StandardHost;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** The API edge (docs/architecture.md, "Edge: input"): input checks before any route, problem+json for every error. */
@Configuration(proxyBeanMethods = false)
public class ApiEdgeConfiguration {

    /** After Spring Security's filters (when there are some): an unauthenticated caller gets no body read. */
    private static final int AFTER_SECURITY = SecurityProperties.DEFAULT_FILTER_ORDER + 10;

    @Bean
    public FilterRegistrationBean<ApiInputFilter> apiInputFilter(@Value("${hub.api.max-body-size}") DataSize maxBodySize,
            @Value("${hub.api.max-json-depth}") int maxJsonDepth, @Value("${hub.api.paths}") String[] paths) {
        FilterRegistrationBean<ApiInputFilter> registration =
                new FilterRegistrationBean<>(new ApiInputFilter(maxBodySize.toBytes(), maxJsonDepth));
        registration.addUrlPatterns(paths);
        registration.setOrder(AFTER_SECURITY);
        return registration;
    }

    /** Tomcat's own error page (requests it refuses before any filter) becomes a problem. */
    @Bean
    public WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReportValve() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        });
    }
}
