package com.insurancehub.mocks.platform;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.stereotype.Component;

/** Values kept in {@code jsonb} columns, as the JSON text the SQL casts ({@code ?::jsonb}, {@code column::text}). */
@Component
public class JsonColumns {

    private final ObjectMapper json;

    public JsonColumns(ObjectMapper json) {
        this.json = json;
    }

    /** The JSON of the value, as the mocks answer it. */
    public String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON object, its decimals read as BigDecimal (so that an amount is answered as it was written). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> readObject(String text) {
        try {
            return json.readerFor(LinkedHashMap.class).with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .readValue(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
