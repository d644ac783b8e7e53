package com.insurancehub.mocks.platform;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.jdbc.core.DataClassRowMapper;
import org.springframework.jdbc.core.RowMapper;

/**
 * The row mappers of the mocks' row records: each component is read from the column of its name in snake_case
 * ({@code createdAt} from {@code created_at}) by Spring's {@link DataClassRowMapper}, a {@code timestamptz} as an
 * {@code Instant}, a {@code date} as a {@code LocalDate}, a {@code jsonb} as a {@link JsonNode}. A component without a
 * column fails the mapping, so a value computed from the columns is a method of the record, not a component.
 */
public final class Rows {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DefaultConversionService CONVERSIONS = new DefaultConversionService();
    private static final Map<Class<?>, RowMapper<?>> MAPPERS = new ConcurrentHashMap<>();

    static {
        // the driver hands a jsonb value over as an object of its own, whose text is the JSON
        CONVERSIONS.addConverter(Object.class, JsonNode.class, value -> readTree(value.toString()));
    }

    private Rows() {
    }

    @SuppressWarnings("unchecked")
    public static <T> RowMapper<T> of(Class<T> type) {
        return (RowMapper<T>) MAPPERS.computeIfAbsent(type, Rows::mapper);
    }

    /** The first row, if any: the answer of a query by key. */
    public static <T> Optional<T> first(List<T> rows) {
        return rows.stream().findFirst();
    }

    private static <T> RowMapper<T> mapper(Class<T> type) {
        DataClassRowMapper<T> mapper = new DataClassRowMapper<>(type);
        mapper.setConversionService(CONVERSIONS);
        return mapper;
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
