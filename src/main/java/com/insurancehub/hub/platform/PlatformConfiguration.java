package com.insurancehub.hub.platform;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans the YAML routes refer to by name. */
@Configuration(proxyBeanMethods = false)
public class PlatformConfiguration {

    @Bean
    public ProblemDetails problemDetails() {
        return new ProblemDetails();
    }
}
