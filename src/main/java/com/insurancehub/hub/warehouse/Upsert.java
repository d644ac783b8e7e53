package com.insurancehub.hub.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One chunk's rows written to a warehouse table in one statement: every column sent as a text array, zipped by
 * {@code unnest} and cast to its type, inserted or, for a business key already there, updated when the row changed
 * (so the update count is what the chunk really wrote: a row loaded again unchanged counts 0).
 *
 * @param table     the warehouse table
 * @param columns   its columns as {@code name:type}, in the order of each row's values
 * @param key       the business key (the conflict target)
 * @param changedIf the column whose difference makes an existing row updated, or null to keep existing rows as they are
 */
record Upsert(String table, List<String> columns, List<String> key, String changedIf, boolean withRun) {

    int write(Connection warehouse, List<String[]> rows, long runId) throws SQLException {
        if (rows.isEmpty()) {
            return 0;
        }
        try (PreparedStatement s = warehouse.prepareStatement(sql())) {
            int first = withRun ? 2 : 1; // the run id comes first in the statement (its SELECT list)
            if (withRun) {
                s.setLong(1, runId);
            }
            for (int c = 0; c < columns.size(); c++) {
                String[] values = new String[rows.size()];
                for (int r = 0; r < rows.size(); r++) {
                    values[r] = rows.get(r)[c];
                }
                s.setArray(first + c, warehouse.createArrayOf("text", values));
            }
            return s.executeUpdate();
        }
    }

    private String sql() {
        List<String> names = columns.stream().map(c -> c.substring(0, c.indexOf(':'))).toList();
        String insertColumns = String.join(", ", names) + (withRun ? ", run_id" : "");
        String select = columns.stream().map(c -> "u." + c.replace(":", "::")).collect(Collectors.joining(", "))
                + (withRun ? ", ?::bigint" : "");
        String arrays = IntStream.range(0, columns.size()).mapToObj(i -> "?::text[]").collect(Collectors.joining(", "));
        String conflict = changedIf == null ? "DO NOTHING"
                : "DO UPDATE SET " + names.stream().filter(n -> !key.contains(n)).map(n -> n + " = EXCLUDED." + n)
                        .collect(Collectors.joining(", "))
                        + (withRun ? ", run_id = EXCLUDED.run_id, loaded_at = now()" : ", loaded_at = now()")
                        + " WHERE t." + changedIf + " IS DISTINCT FROM EXCLUDED." + changedIf;
        return "INSERT INTO " + table + " AS t (" + insertColumns + ") SELECT " + select + " FROM unnest(" + arrays
                + ") AS u(" + String.join(", ", names) + ") ON CONFLICT (" + String.join(", ", key) + ") " + conflict;
    }
}
