-- Audit: the insurer's audit trail, one record per business event (idempotent by event id).
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.records (
    record_id    varchar(40)  PRIMARY KEY,
    source       varchar(100) NOT NULL,
    event_type   varchar(100) NOT NULL,
    aggregate_id varchar(128),
    event_id     varchar(128) NOT NULL UNIQUE,
    payload      jsonb,
    seq          bigserial,
    recorded_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS records_by_aggregate ON audit.records (aggregate_id);
