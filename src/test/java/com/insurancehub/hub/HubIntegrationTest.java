package com.insurancehub.hub;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import com.insurancehub.dev.DevServicesInitializer;
import com.insurancehub.hub.support.RecordedSpans;

/**
 * The whole hub, on a random port, against the real broker, database and mocks shared by every test class.
 * JMX (Hawtio's view) and metrics export stay on, as in production (hence plain {@code @SpringBootTest}:
 * {@code @CamelSpringBootTest} would switch Camel's JMX off).
 * Classes with this annotation and no other configuration share one Spring context (Spring's test context cache).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@AutoConfigureObservability
@SpringBootTest(classes = HubApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = DevServicesInitializer.class)
@ActiveProfiles("test")
@Import(RecordedSpans.class)
public @interface HubIntegrationTest {
}
