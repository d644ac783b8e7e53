-- D01: the outbox relays' heartbeat. Each relay's replication slot also follows this table and Debezium
-- writes to it every hub.outbox.heartbeat-interval, so that a slot whose outbox is idle still moves on
-- and does not hold WAL back.
CREATE TABLE hub.outbox_heartbeat (
    source  varchar(32) PRIMARY KEY,
    beat_at timestamptz NOT NULL
);
