package com.insurancehub.hub.platform;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConverter;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.TypeConverterSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The SQL component looks every named parameter of a statement up in the body first, by converting the body to a
 * {@link Map} ({@code SqlHelper.hasParameter} and {@code lookupParameter}: twice per parameter, per statement). The
 * hub's SQL endpoints see the event's JSON text as their body, which Camel cannot convert to a Map, and Camel keeps
 * no record of a failed <em>try</em> conversion: each of those lookups walked the whole converter registry and the
 * interfaces of both types again. At 100 quotes/s that was a fifth of the hub's CPU samples, most of the two
 * QuoteGenerated consumers' time (docs/performance.md, issue 11).
 * <p>
 * This registers the answer once: String to Map converts to nothing, found with one hash lookup. Only when Camel
 * has no such conversion at start (a JSON-to-Map fallback converter, such as camel-jackson's when enabled, keeps
 * its say). A conversion that must succeed still fails as before ({@code NoTypeConversionAvailableException}).
 */
@Configuration(proxyBeanMethods = false)
public class SqlParameterLookup {

    /** What a converter returns for "no conversion": the registry then answers null, or throws for a mandatory one. */
    static final TypeConverter NO_CONVERSION = new TypeConverterSupport() {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T convertTo(Class<T> type, Exchange exchange, Object value) {
            return (T) MISS_VALUE;
        }
    };

    @Bean
    CamelContextConfiguration textIsNoSqlParameterMap() {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                registerTextIsNoMap(context);
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
            }
        };
    }

    static void registerTextIsNoMap(CamelContext context) {
        if (context.getTypeConverter().tryConvertTo(Map.class, "{\"a\":1}") == null) {
            context.getTypeConverterRegistry().addTypeConverter(Map.class, String.class, NO_CONVERSION);
        }
    }
}
