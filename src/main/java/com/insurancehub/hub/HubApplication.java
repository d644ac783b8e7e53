package com.insurancehub.hub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The insurance integration hub: Camel routes between the insurer's systems. Routes live in {@code routes/}
 * (Java DSL, one RouteBuilder per flow) and {@code src/main/resources/routes-yaml/} (YAML DSL).
 * The hub keeps no state between requests: it is in PostgreSQL and Kafka, so instances can be added.
 */
@SpringBootApplication
public class HubApplication {

    public static void main(String[] args) {
        SpringApplication.run(HubApplication.class, args);
    }
}
