package com.insurancehub.hub.platform.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Records a batch of captured changes (D06) in one transaction of the hub's own database: each change in
 * {@code hub.audit_trail} unless it is there already (a batch replayed after a crash: the WAL position, table and
 * key identify it), which feeds the reports' read models (D05, V14's trigger) exactly once, and the capture's
 * position (its last change or heartbeat). The batch's offsets are stored only after this commit
 * ({@code OutboxRelayConsumer}): a crash between the two replays the batch, which then writes nothing.
 */
final class BusinessChangeRecorder implements Processor {

    private static final String INSERT = """
            INSERT INTO hub.audit_trail (source_table, row_key, operation, before, after, changed_columns, transaction_id,
                                         lsn, commit_time, changed_by)
            VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?::pg_lsn, ?, ?)
            ON CONFLICT ON CONSTRAINT audit_trail_once DO NOTHING""";
    private static final String POSITION = """
            INSERT INTO hub.change_capture_position AS p (capture, lsn, committed_at, applied_at)
            VALUES (?, ?::pg_lsn, ?, clock_timestamp())
            ON CONFLICT (capture) DO UPDATE SET lsn = greatest(p.lsn, EXCLUDED.lsn),
                committed_at = greatest(p.committed_at, EXCLUDED.committed_at), applied_at = EXCLUDED.applied_at""";

    private final DataSource dataSource;
    private final String capture;

    BusinessChangeRecorder(DataSource dataSource, String capture) {
        this.dataSource = dataSource;
        this.capture = capture;
    }

    @Override
    public void process(Exchange exchange) throws SQLException {
        @SuppressWarnings("unchecked")
        List<BusinessChange> changes = exchange.getMessage().getBody(List.class);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int recorded = record(connection, changes);
                exchange.getMessage().setHeader("recordedChanges", recorded);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private int record(Connection connection, List<BusinessChange> changes) throws SQLException {
        BusinessChange last = null;
        int rows = 0;
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (BusinessChange change : changes) {
                if (change.lsn() != null) {
                    last = change;
                }
                if (change.heartbeat()) {
                    continue;
                }
                insert.setString(1, change.table());
                insert.setString(2, change.key());
                insert.setString(3, change.operation());
                insert.setString(4, change.before());
                insert.setString(5, change.after());
                insert.setArray(6, connection.createArrayOf("text", change.changedColumns().toArray()));
                if (change.transactionId() == null) {
                    insert.setNull(7, Types.BIGINT);
                } else {
                    insert.setLong(7, change.transactionId());
                }
                insert.setString(8, change.lsn());
                insert.setTimestamp(9, Timestamp.from(change.commitTime()));
                insert.setString(10, change.changedBy());
                insert.addBatch();
                rows++;
            }
            if (rows > 0) {
                rows = 0;
                for (int count : insert.executeBatch()) {
                    rows += Math.max(count, 0);
                }
            }
        }
        if (last != null) {
            try (PreparedStatement position = connection.prepareStatement(POSITION)) {
                position.setString(1, capture);
                position.setString(2, last.lsn());
                position.setTimestamp(3, Timestamp.from(last.commitTime()));
                position.executeUpdate();
            }
        }
        return rows;
    }
}
