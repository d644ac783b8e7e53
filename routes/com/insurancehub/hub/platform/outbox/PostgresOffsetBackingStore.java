package com.insurancehub.hub.platform.outbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's offsets of one outbox relay, in a table of the database the relay reads ({@link #TABLE}, one row per
 * relay and Debezium key), written as the relay's own role. Every hub instance reads the same rows, so the instance
 * that takes the relays over (OutboxRelayLeadership) starts where the last leader stopped, on whatever machine.
 *
 * <p>Debezium only stores offsets of records the relay marked processed, and it marks a batch only once Kafka has
 * acknowledged it ({@link OutboxRelayConsumer}): a stored offset never covers an event not published. Debezium writes
 * offsets on its own schedule ({@code offsetFlushIntervalMs}) and when the relay stops.
 *
 * <p>Debezium creates the store by class name with no arguments and configures it with the relay's whole
 * configuration: the database and role come from the relay's own {@code database.*} settings, the table from
 * {@link #TABLE}, the relay's name from {@code name}. A write that fails (the database restarting) fails Debezium's
 * flush, which keeps the offsets for its next one.
 */
public class PostgresOffsetBackingStore extends MemoryOffsetBackingStore {

    /** The relay setting that names the table (relay.outbox_offsets: db/provisioning/1-roles.sql). */
    public static final String TABLE = "offset.storage.postgres.table";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresOffsetBackingStore.class);

    private String relay;
    private String table;
    private String url;
    private String user;
    private String password;
    private Connection connection;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, String> settings = config.originalsStrings();
        relay = required(settings, "name");
        table = required(settings, TABLE);
        url = "jdbc:postgresql://" + required(settings, "database.hostname") + ":" + required(settings, "database.port")
                + "/" + required(settings, "database.dbname") + "?ApplicationName=hub-outbox-relay-offsets";
        user = required(settings, "database.user");
        password = settings.getOrDefault("database.password", "");
    }

    private static String required(Map<String, String> settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            throw new ConnectException("The outbox relay's offset store needs " + key);
        }
        return value;
    }

    @Override
    public synchronized void start() {
        super.start();
        try {
            load();
        } catch (SQLException e) {
            closeConnection();
            throw new ConnectException("Reading the offsets of relay " + relay + " from " + table + " failed", e);
        }
    }

    private void load() throws SQLException {
        try (PreparedStatement select = connection().prepareStatement(
                "SELECT offset_key, offset_value FROM " + table + " WHERE relay = ?")) {
            select.setString(1, relay);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    data.put(bytes(rows.getString(1)), bytes(rows.getString(2)));
                }
            }
        }
        LOG.info("Relay {} starts from {} stored offset(s)", relay, data.size());
    }

    /** On the store's executor, after {@link #set} has put the values in {@code data}. */
    @Override
    protected void save() {
        try {
            write();
        } catch (SQLException first) {
            closeConnection(); // a connection the database dropped (restart, failover): one more try on a new one
            try {
                write();
            } catch (SQLException e) {
                closeConnection();
                throw new ConnectException("Storing the offsets of relay " + relay + " in " + table + " failed", e);
            }
        }
    }

    private void write() throws SQLException {
        try (PreparedStatement upsert = connection().prepareStatement("INSERT INTO " + table
                + " (relay, offset_key, offset_value, stored_at) VALUES (?, ?, ?, now())"
                + " ON CONFLICT (relay, offset_key) DO UPDATE SET offset_value = EXCLUDED.offset_value,"
                + " stored_at = EXCLUDED.stored_at")) {
            for (Map.Entry<ByteBuffer, ByteBuffer> entry : data.entrySet()) {
                upsert.setString(1, relay);
                upsert.setString(2, text(entry.getKey()));
                upsert.setString(3, text(entry.getValue()));
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    @Override
    public synchronized void stop() {
        super.stop(); // lets the executor finish a write in progress
        closeConnection();
    }

    /** Not needed by Debezium's embedded engine (Kafka Connect's REST API lists them). */
    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(url, user, password);
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the offset store's connection of relay {}: {}", relay, e.getMessage());
            }
            connection = null;
        }
    }

    private static ByteBuffer bytes(String text) {
        return text == null ? null : ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer bytes) {
        return bytes == null ? null : StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
    }
}
