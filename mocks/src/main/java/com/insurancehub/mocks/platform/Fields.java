package com.insurancehub.mocks.platform;

import java.util.LinkedHashMap;
import java.util.Map;

/** The fields of an event's data or of an answer, in the order given; a field without a value is left out. */
public final class Fields {

    private Fields() {
    }

    /** From alternating names and values. */
    public static Map<String, Object> of(Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return fields;
    }
}
