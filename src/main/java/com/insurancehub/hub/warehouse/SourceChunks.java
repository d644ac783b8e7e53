package com.insurancehub.hub.warehouse;

import java.io.Closeable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import javax.sql.DataSource;

/**
 * A flow's source rows after a watermark, streamed: one query in a read-only transaction whose cursor fetches
 * chunk-size rows at a time (PostgreSQL streams only outside auto-commit), handed out a chunk at a time, so the hub
 * holds one chunk whatever the volume. Closed by the splitter that iterates it, and again (harmlessly) at the run's end.
 */
final class SourceChunks implements Iterator<List<Map<String, Object>>>, Closeable {

    private final Connection connection;
    private final PreparedStatement statement;
    private final ResultSet rows;
    private final int chunkSize;
    private final String[] names;
    private final int[] kinds;
    private Boolean hasRow;
    private boolean closed;

    SourceChunks(DataSource source, String query, OffsetDateTime fromChangedAt, String fromKey, String settleTime,
                 int chunkSize) throws SQLException {
        this.chunkSize = chunkSize;
        this.connection = source.getConnection();
        try {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            statement = connection.prepareStatement(query, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            statement.setFetchSize(chunkSize);
            if (fromChangedAt == null) {
                statement.setString(1, "-infinity");
                statement.setString(2, "");
            } else {
                statement.setObject(1, fromChangedAt);
                statement.setString(2, fromKey);
            }
            statement.setString(3, settleTime);
            rows = statement.executeQuery();
            ResultSetMetaData meta = rows.getMetaData();
            names = new String[meta.getColumnCount()];
            kinds = new int[names.length];
            for (int i = 0; i < names.length; i++) {
                names[i] = meta.getColumnLabel(i + 1);
                kinds[i] = meta.getColumnType(i + 1);
                if ("timestamptz".equals(meta.getColumnTypeName(i + 1))) {
                    kinds[i] = Types.TIMESTAMP_WITH_TIMEZONE;
                }
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public boolean hasNext() {
        if (hasRow == null) {
            try {
                hasRow = !closed && rows.next();
            } catch (SQLException e) {
                throw new IllegalStateException("reading the source failed: " + e.getMessage(), e);
            }
            if (!hasRow) {
                close();
            }
        }
        return hasRow;
    }

    @Override
    public List<Map<String, Object>> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<Map<String, Object>> chunk = new ArrayList<>(chunkSize);
        try {
            do {
                Map<String, Object> row = new HashMap<>(names.length * 2);
                for (int i = 0; i < names.length; i++) {
                    row.put(names[i], switch (kinds[i]) {
                        case Types.TIMESTAMP_WITH_TIMEZONE -> rows.getObject(i + 1, OffsetDateTime.class);
                        case Types.DATE -> rows.getObject(i + 1, LocalDate.class);
                        default -> rows.getObject(i + 1);
                    });
                }
                chunk.add(row);
            } while (chunk.size() < chunkSize && rows.next());
            hasRow = null;
            if (chunk.size() < chunkSize) {
                hasRow = false; // the result set ended inside this chunk
                close();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the source failed: " + e.getMessage(), e);
        }
        return chunk;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.rollback(); // read only: nothing to keep, and the cursor's snapshot goes
        } catch (SQLException ignored) {
            // closing anyway
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the pool discards a broken connection
        }
    }
}
