-- R03/R04: every dead letter of every <topic>.dlq topic, for the DLQ API (list, replay). One row per DLQ record
-- (its own coordinates are the natural key, so a redelivered DLQ record is stored once).
CREATE TABLE hub.dead_letters (
    id                 bigserial     PRIMARY KEY,
    dlq_topic          varchar(249)  NOT NULL,
    dlq_partition      integer       NOT NULL,
    dlq_offset         bigint        NOT NULL,
    topic              varchar(249)  NOT NULL,
    original_partition integer,
    original_offset    bigint,
    record_key         text,
    event_type         varchar(128),
    event_id           varchar(128),
    headers            jsonb         NOT NULL DEFAULT '{}'::jsonb,
    value              text,
    reason             text,
    exception          varchar(512),
    failed_route       varchar(128),
    failed_at          timestamptz,
    status             varchar(16)   NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'REPLAYED')),
    received_at        timestamptz   NOT NULL DEFAULT now(),
    replayed_at        timestamptz,
    UNIQUE (dlq_topic, dlq_partition, dlq_offset)
);
CREATE INDEX dead_letters_status_topic ON hub.dead_letters (status, topic);
