package com.insurancehub.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.NoTypeConversionAvailableException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class SqlParameterLookupTest {

    @Test
    void textIsNoMapAndSaysSoFromTheRegistry() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            SqlParameterLookup.registerTextIsNoMap(context);
            context.start();

            assertThat(context.getTypeConverterRegistry().lookup(Map.class, String.class))
                    .isSameAs(SqlParameterLookup.NO_CONVERSION);
            assertThat(context.getTypeConverter().tryConvertTo(Map.class, "{\"eventId\":\"e-1\"}")).isNull();
            assertThat(context.getTypeConverter().convertTo(Map.class, "{\"eventId\":\"e-1\"}")).isNull();
            assertThatThrownBy(() -> context.getTypeConverter().mandatoryConvertTo(Map.class, "{}"))
                    .isInstanceOf(NoTypeConversionAvailableException.class);
            // other conversions of text are untouched
            assertThat(context.getTypeConverter().convertTo(Integer.class, "42")).isEqualTo(42);
            assertThat(context.getTypeConverter().convertTo(Map.class, Map.of("k", "v"))).containsEntry("k", "v");
        }
    }

    @Test
    void aConversionThatExistsKeepsItsSay() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.getTypeConverterRegistry().addTypeConverter(Map.class, String.class,
                    new org.apache.camel.support.TypeConverterSupport() {
                        @Override
                        @SuppressWarnings("unchecked")
                        public <T> T convertTo(Class<T> type, org.apache.camel.Exchange exchange, Object value) {
                            return (T) Map.of("text", value);
                        }
                    });
            SqlParameterLookup.registerTextIsNoMap(context);
            context.start();

            assertThat(context.getTypeConverter().convertTo(Map.class, "x")).isEqualTo(Map.of("text", "x"));
        }
    }

    @Test
    void aSimpleExpressionParameterStillReadsTheTextBody() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            SqlParameterLookup.registerTextIsNoMap(context);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").routeId("t").setHeader("seen").simple("${bodyAs(String)}");
                }
            });
            context.start();
            var exchange = new DefaultExchange(context);
            exchange.getMessage().setBody("{\"eventId\":\"e-1\"}");
            context.createProducerTemplate().send("direct:in", exchange);
            assertThat(exchange.getMessage().getHeader("seen")).isEqualTo("{\"eventId\":\"e-1\"}");
        }
    }
}
