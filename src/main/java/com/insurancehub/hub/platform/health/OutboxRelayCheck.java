package com.insurancehub.hub.platform.health;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.springframework.boot.actuate.health.Health;

/**
 * Component {@code outboxRelays}: whether each outbox relay runs on some instance and keeps up, read from PostgreSQL
 * (replication slots, the WAL position, the outbox rows) as the relays' role - the rules are in
 * docs/architecture.md#health. Here: samples older than ten times the stall threshold are dropped (a relay further
 * behind shows at least that age), and a row is dated by its {@code created_at}, its transaction's start (a
 * transaction longer than the age it would show is seen late). The outbox query reads the rows newer than the confirmed
 * position: cheap while the relay keeps up, and an outbox whose rows are kept long wants an index on created_at.
 */
final class OutboxRelayCheck {

    /**
     * A relay: the outbox's name in details and metrics (its schema, e.g. pas), its route, the replication slot it reads
     * and the outbox table ({@code schema.table}).
     */
    record Relay(String outbox, String routeId, String slot, String table) {
    }

    /** The state of one relay after an evaluation, for the metrics. */
    record RelayState(String outbox, boolean running, long unpublishedAgeSeconds) {
    }

    private record WalSample(Instant at, long lsn) {
    }

    private static final String SLOTS = """
            SELECT slot_name, active, (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint
            FROM pg_replication_slots WHERE slot_name = ANY (?)""";

    private final Duration notRunningAfter;
    private final Duration stalledAfter;
    private final Deque<WalSample> samples = new ArrayDeque<>();
    private final Map<String, Instant> noReaderSince = new HashMap<>();
    private volatile Map<String, RelayState> states = Map.of();

    OutboxRelayCheck(Duration notRunningAfter, Duration stalledAfter) {
        this.notRunningAfter = notRunningAfter;
        this.stalledAfter = stalledAfter;
    }

    Map<String, RelayState> states() {
        return states;
    }

    /**
     * One evaluation of these relays on a connection of the relays' role; {@code routeStatusHere} says what this
     * instance's route of a relay is doing (a detail: the relay may run elsewhere).
     */
    Health evaluate(Connection connection, List<Relay> relays, Function<String, String> routeStatusHere) throws SQLException {
        WalSample now = sample(connection);
        Map<String, Slot> slots = slots(connection, relays);
        Health.Builder health = Health.up();
        List<String> reasons = new ArrayList<>();
        Map<String, RelayState> evaluated = new LinkedHashMap<>();
        for (Relay relay : relays) {
            Slot slot = slots.get(relay.slot());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("route", relay.routeId());
            details.put("routeHere", routeStatusHere.apply(relay.routeId()));
            details.put("slot", relay.slot());

            boolean running = slot != null && slot.active();
            details.put("running", running);
            if (running) {
                noReaderSince.remove(relay.slot());
            } else {
                Instant since = noReaderSince.computeIfAbsent(relay.slot(), s -> now.at());
                long seconds = Duration.between(since, now.at()).toSeconds();
                details.put("noReaderForSeconds", seconds);
                if (Duration.between(since, now.at()).compareTo(notRunningAfter) > 0) {
                    reasons.add("outbox relay " + relay.routeId() + " is not running on any instance: replication slot "
                            + relay.slot() + (slot == null ? " does not exist" : " has had no reader") + " for " + seconds + " s");
                }
            }

            Unpublished unpublished = unpublished(connection, relay.table(), confirmedAt(slot == null ? null : slot.confirmedLsn()));
            long age = unpublished.oldest() == null ? 0 : Math.max(0, Duration.between(unpublished.oldest(), now.at()).toSeconds());
            details.put("unpublishedRows", unpublished.rows());
            details.put("oldestUnpublishedAgeSeconds", age);
            if (unpublished.oldest() != null
                    && Duration.between(unpublished.oldest(), now.at()).compareTo(stalledAfter) > 0) {
                reasons.add("outbox relay " + relay.routeId() + " is stalled: " + unpublished.rows() + " row(s) of "
                        + relay.table() + " not confirmed published, the oldest written " + age + " s ago");
            }
            evaluated.put(relay.outbox(), new RelayState(relay.outbox(), running, age));
            health.withDetail(relay.outbox(), details);
        }
        noReaderSince.keySet().retainAll(relays.stream().map(Relay::slot).toList());
        states = evaluated;
        if (!reasons.isEmpty()) {
            health.down().withDetail("reasons", reasons);
        }
        return health.build();
    }

    private WalSample sample(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(
                     "SELECT clock_timestamp(), (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
            result.next();
            WalSample sample = new WalSample(result.getObject(1, OffsetDateTime.class).toInstant(), result.getLong(2));
            samples.addLast(sample);
            Instant oldestKept = sample.at().minus(stalledAfter.multipliedBy(10));
            while (samples.size() > 1 && samples.peekFirst().at().isBefore(oldestKept)) {
                samples.removeFirst();
            }
            return sample;
        }
    }

    private record Slot(boolean active, Long confirmedLsn) {
    }

    private static Map<String, Slot> slots(Connection connection, List<Relay> relays) throws SQLException {
        Map<String, Slot> slots = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(SLOTS)) {
            statement.setArray(1, connection.createArrayOf("text", relays.stream().map(Relay::slot).toArray()));
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    long lsn = result.getLong(3);
                    slots.put(result.getString(1), new Slot(result.getBoolean(2), result.wasNull() ? null : lsn));
                }
            }
        }
        return slots;
    }

    /**
     * Up to when the relay has surely published: the time of the newest WAL sample at or below its confirmed position;
     * the oldest sample when none is (the relay is behind every sample kept, or never confirmed anything).
     */
    private Instant confirmedAt(Long confirmedLsn) {
        Instant at = samples.peekFirst().at();
        if (confirmedLsn != null) {
            for (WalSample sample : samples) {
                if (sample.lsn() <= confirmedLsn) {
                    at = sample.at();
                }
            }
        }
        return at;
    }

    private record Unpublished(long rows, Instant oldest) {
    }

    private static Unpublished unpublished(Connection connection, String table, Instant since) throws SQLException {
        // the table is the relay's own configuration (checked by the evaluator), never input; rows counted up to a
        // bound, not a whole backlog
        String sql = "SELECT (SELECT min(created_at) FROM " + table + " WHERE created_at >= ?),"
                + " (SELECT count(*) FROM (SELECT 1 FROM " + table + " WHERE created_at >= ? LIMIT 100000) newer)";
        OffsetDateTime from = OffsetDateTime.ofInstant(since, ZoneOffset.UTC);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, from);
            statement.setObject(2, from);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                OffsetDateTime oldest = result.getObject(1, OffsetDateTime.class);
                return new Unpublished(result.getLong(2), oldest == null ? null : oldest.toInstant());
            }
        }
    }
}
