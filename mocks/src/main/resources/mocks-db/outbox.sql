-- The transactional outbox of a system that has one (MockSystem.hasOutbox()), in the system's schema ${schema}: one row
-- per event, written in the transaction of the change (platform/Outbox), relayed by Debezium. Run by
-- SchemaInitializer after the system's own script.
CREATE TABLE IF NOT EXISTS ${schema}.outbox (
    id                uuid         PRIMARY KEY,
    aggregate_type    varchar(64)  NOT NULL,
    aggregate_id      varchar(64)  NOT NULL,
    aggregate_version integer      NOT NULL,
    event_type        varchar(64)  NOT NULL,
    payload           jsonb        NOT NULL,
    traceparent       varchar(128),
    created_at        timestamptz  NOT NULL DEFAULT now()
);
ALTER TABLE ${schema}.outbox REPLICA IDENTITY DEFAULT;
-- The X-Correlation-Id of the request that wrote the row, when well formed: the relay makes it the record's header
ALTER TABLE ${schema}.outbox ADD COLUMN IF NOT EXISTS correlation_id varchar(64);
