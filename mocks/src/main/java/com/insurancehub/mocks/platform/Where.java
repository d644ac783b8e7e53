package com.insurancehub.mocks.platform;

import java.util.ArrayList;
import java.util.List;

/**
 * The filters of a listing ({@code GET ...?policyId=&customerId=}): {@code WHERE true AND column = ?} for each filter
 * given a value, none for a filter left out.
 */
public final class Where {

    private final StringBuilder sql = new StringBuilder(" WHERE true");
    private final List<Object> args = new ArrayList<>();

    public static Where filters() {
        return new Where();
    }

    /** {@code AND column = value}, when value is not null. */
    public Where and(String column, Object value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
        return this;
    }

    /** True when no filter has a value. */
    public boolean none() {
        return args.isEmpty();
    }

    public String sql() {
        return sql.toString();
    }

    public Object[] args() {
        return args.toArray();
    }
}
