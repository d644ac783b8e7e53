package com.insurancehub.hub.platform.health;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The business-change capture's replication slot (D05/D06) as the detail {@code businessChanges} of
 * {@code outboxRelays}: whether a capture reads it, how far behind the WAL it is (lag in bytes: the WAL the slot holds
 * back), and PostgreSQL's wal_status. {@code lost} - the server dropped WAL the slot still needed because it grew past
 * max_slot_wal_keep_size while no hub read it - makes the component DOWN: the audit trail has a gap
 * (docs/architecture.md, "Real-time reports and the audit trail").
 */
final class ChangeCaptureSlotCheck {

    private static final String SLOT = """
            SELECT active, (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint, wal_status, safe_wal_size
            FROM pg_replication_slots WHERE slot_name = ?""";

    private ChangeCaptureSlotCheck() {
    }

    /** The slot's state, or null when the capture is off here ({@code slot} empty). */
    static Map<String, Object> evaluate(Connection connection, String slot) throws SQLException {
        if (slot == null || slot.isBlank()) {
            return null;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("slot", slot);
        try (PreparedStatement statement = connection.prepareStatement(SLOT)) {
            statement.setString(1, slot);
            try (ResultSet result = statement.executeQuery()) {
                if (!result.next()) {
                    details.put("exists", false);
                    return details;
                }
                details.put("running", result.getBoolean(1));
                long lag = result.getLong(2);
                details.put("lagBytes", result.wasNull() ? null : lag);
                details.put("walStatus", result.getString(3));
                long safe = result.getLong(4);
                details.put("safeWalSizeBytes", result.wasNull() ? null : safe);
            }
        }
        return details;
    }

    static boolean lost(Map<String, Object> details) {
        return details != null && "lost".equals(details.get("walStatus"));
    }
}
