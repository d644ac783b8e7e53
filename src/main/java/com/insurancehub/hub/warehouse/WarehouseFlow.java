package com.insurancehub.hub.warehouse;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One warehouse load (D02 policies, D03 claims, D04 billing): which source rows it reads, in which order, and how a
 * row becomes dimension and fact rows. The source query answers every row changed after a watermark - the change time
 * and the business key of the last row loaded, compared together so that rows sharing a change time are neither
 * skipped nor loaded twice - and settled (its change time older than hub.warehouse.settle-time), ordered by
 * (changed_at, source_key); its parameters: the watermark's time, its key, the settle time.
 */
public abstract class WarehouseFlow {

    /** The dates dim_date holds (V1__star_schema.sql): a date outside makes the row a reject */
    static final LocalDate FIRST_DATE = LocalDate.of(2000, 1, 1);
    static final LocalDate LAST_DATE = LocalDate.of(2060, 12, 31);
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    /** The flow's name in the API and in load_runs. */
    public abstract String name();

    /** The flow ID of the catalogue (docs/flows.md). */
    public abstract String flowId();

    /** The streamed source query: columns source_key, changed_at and the flow's own. */
    abstract String sourceQuery();

    /** Why this row cannot be loaded, or null. */
    abstract String rejection(Map<String, Object> row);

    /** Writes the accepted rows' dimensions and facts; answers how many fact rows were inserted or changed. */
    abstract int write(Connection warehouse, List<Map<String, Object>> rows, long runId) throws SQLException;

    /** The rows mapped to a table's column values, as text. */
    static List<String[]> values(List<Map<String, Object>> rows, java.util.function.Function<Map<String, Object>, Object[]> mapping) {
        List<String[]> values = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Object[] mapped = mapping.apply(row);
            String[] text = new String[mapped.length];
            for (int i = 0; i < mapped.length; i++) {
                text[i] = mapped[i] == null ? null : mapped[i].toString();
            }
            values.add(text);
        }
        return values;
    }

    /** dim_date's key of a date: yyyymmdd. */
    static Integer dateKey(Object date) {
        LocalDate d = localDate(date);
        return d == null ? null : d.getYear() * 10_000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }

    static LocalDate localDate(Object value) {
        if (value instanceof OffsetDateTime t) {
            return t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
        }
        return (LocalDate) value;
    }

    // The mapping's rules, each answering the reason or null

    static String currency(Map<String, Object> row) {
        Object currency = row.get("currency");
        return currency != null && CURRENCY.matcher(currency.toString()).matches() ? null
                : "currency '" + currency + "' is not an ISO 4217 code";
    }

    static String notNegative(Map<String, Object> row, String column) {
        Object amount = row.get(column);
        return amount instanceof BigDecimal a && a.signum() >= 0 ? null : column + " " + amount + " is not an amount >= 0";
    }

    static String present(Map<String, Object> row, String column) {
        Object value = row.get(column);
        return value != null && !value.toString().isBlank() ? null : column + " is missing";
    }

    static String inCalendar(Map<String, Object> row, String column) {
        LocalDate d = localDate(row.get(column));
        return d != null && !d.isBefore(FIRST_DATE) && !d.isAfter(LAST_DATE) ? null
                : column + " " + d + " is outside the warehouse calendar (" + FIRST_DATE + " to " + LAST_DATE + ")";
    }

    /** The first reason of several rules, or null. */
    static String firstOf(String... reasons) {
        for (String reason : reasons) {
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }
}
