package com.insurancehub.dev;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.Profiles;

/**
 * Points a hub context at running dev services, ahead of application.yaml: wherever the services really
 * listen wins over the configured defaults. Tests use the no-arg form (the services shared by the test JVM).
 *
 * <p>With the {@code lra} profile it also starts the LRA coordinator (once per JVM) and points camel-lra at it; a hub
 * of a split stack ({@link #external}) gets the coordinator of the infrastructure's properties instead.
 * The coordinator calls the hub back on {@code hub.lra.local-participant-url}, which must be known before the
 * hub starts: a hub asked for a random port ({@code server.port=0}, as in the tests) gets a free port chosen
 * here instead.
 */
public class DevServicesInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    public static final String LRA_PROFILE = "lra";

    /** The hub's properties, given whether the lra profile is active */
    private final Function<Boolean, Map<String, Object>> hubProperties;

    public DevServicesInitializer() {
        this(DevServices::shared);
    }

    public DevServicesInitializer(DevServices services) {
        this(() -> services);
    }

    private DevServicesInitializer(Supplier<DevServices> services) {
        this(lra -> {
            DevServices devServices = services.get();
            Map<String, Object> props = new LinkedHashMap<>(devServices.hubProperties());
            if (lra) {
                props.put("hub.lra.coordinator-url", devServices.lraCoordinator().url());
            }
            return props;
        });
    }

    private DevServicesInitializer(Function<Boolean, Map<String, Object>> hubProperties) {
        this.hubProperties = hubProperties;
    }

    /** Points the hub at services other processes run: these properties (the {@code hub.*} ones of their file). */
    public static DevServicesInitializer external(Map<String, ?> hubProperties) {
        return new DevServicesInitializer(lra -> new LinkedHashMap<>(hubProperties));
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment env = context.getEnvironment();
        boolean lra = env.acceptsProfiles(Profiles.of(LRA_PROFILE));
        Map<String, Object> props = hubProperties.apply(lra);
        if (lra) {
            if (env.getProperty("server.port", Integer.class, 8080) == 0) {
                props.put("server.port", FreePorts.find());
            }
        }
        env.getPropertySources().addFirst(new MapPropertySource("dev-services", props));
    }
}
