-- D06: the audit trail of the systems' business tables, one row per committed row change captured by Debezium
-- (slot and publication hub_business_changes). Idempotent: a change is identified by its WAL position, table and row
-- key, so a batch replayed after a crash (offsets are stored after the batch is committed here) inserts nothing twice.
CREATE TABLE hub.audit_trail (
    entry_id        bigserial    PRIMARY KEY,
    source_table    varchar(128) NOT NULL,                -- schema.table, e.g. pas.policies
    row_key         text         NOT NULL,                -- the row's primary key (columns joined by '|')
    operation       char(1)      NOT NULL CHECK (operation IN ('c', 'u', 'd', 'r')), -- r: the first snapshot's read
    before          jsonb,                                 -- the whole old row (REPLICA IDENTITY FULL): u, d
    after           jsonb,                                 -- the new row: c, u, r
    changed_columns text[]       NOT NULL,
    transaction_id  bigint,
    lsn             pg_lsn       NOT NULL,
    commit_time     timestamptz  NOT NULL,
    changed_by      varchar(128),                          -- the row's changed_by as the system recorded it
    recorded_at     timestamptz  NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT audit_trail_once UNIQUE (lsn, source_table, row_key)
);
-- GET /api/audit-trail?table=&key=: one row's history in WAL order
CREATE INDEX audit_trail_by_row ON hub.audit_trail (source_table, row_key, lsn);

-- How far the capture has applied the WAL (audit trail and reports, in the same transaction as the changes): the
-- freshness every report answers with. Heartbeats move it while the tables are idle.
CREATE TABLE hub.change_capture_position (
    capture      varchar(64) PRIMARY KEY,
    lsn          pg_lsn      NOT NULL,
    committed_at timestamptz NOT NULL,                    -- commit time of the last applied change or heartbeat
    applied_at   timestamptz NOT NULL
);
