package com.insurancehub.dev;

import java.util.function.Supplier;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Points a hub context at running dev services, ahead of application.yaml: wherever the services really
 * listen wins over the configured defaults. Tests use the no-arg form (the services shared by the test JVM).
 */
public class DevServicesInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private final Supplier<DevServices> services;

    public DevServicesInitializer() {
        this(DevServices::shared);
    }

    public DevServicesInitializer(DevServices services) {
        this(() -> services);
    }

    private DevServicesInitializer(Supplier<DevServices> services) {
        this.services = services;
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        context.getEnvironment().getPropertySources()
                .addFirst(new MapPropertySource("dev-services", services.get().hubProperties()));
    }
}
