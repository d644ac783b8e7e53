package com.insurancehub.hub.platform.correlation;

import org.apache.camel.spi.UnitOfWorkFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** The correlation id's two entry points: HTTP requests (servlet filter) and Camel exchanges (unit of work). */
@Configuration(proxyBeanMethods = false)
public class CorrelationIdConfiguration {

    @Bean
    public CorrelationIdFilter correlationIdFilter() {
        return new CorrelationIdFilter();
    }

    /** First of all filters, before Spring Security's chain: even the answers that chain refuses carry the id. */
    @Bean
    public FilterRegistrationBean<CorrelationIdFilter> correlationIdFilterRegistration(CorrelationIdFilter filter) {
        FilterRegistrationBean<CorrelationIdFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/*");
        return registration;
    }

    /** Picked up by Camel's Spring Boot configuration as the context's unit of work factory. */
    @Bean
    public UnitOfWorkFactory correlationIdUnitOfWorkFactory() {
        return new CorrelationIdUnitOfWorkFactory();
    }
}
