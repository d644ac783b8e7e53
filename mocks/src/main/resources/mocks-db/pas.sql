-- PAS (Policy Administration): the system of record for policies, with its transactional outbox
-- (written in the same transaction as the policy, relayed by Debezium).
CREATE SCHEMA IF NOT EXISTS pas;
CREATE SEQUENCE IF NOT EXISTS pas.policy_numbers;
CREATE TABLE IF NOT EXISTS pas.policies (
    policy_id           varchar(40)    PRIMARY KEY,
    policy_number       varchar(16)    NOT NULL UNIQUE,
    quote_id            varchar(64)    NOT NULL,
    customer_id         varchar(64)    NOT NULL,
    product             varchar(32)    NOT NULL,
    premium             numeric(12, 2) NOT NULL,
    currency            varchar(3)     NOT NULL,
    status              varchar(16)    NOT NULL,
    version             integer        NOT NULL,
    cancellation_reason text,
    created_at          timestamptz    NOT NULL DEFAULT now(),
    updated_at          timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS policies_by_customer ON pas.policies (customer_id);
-- One live policy per quote; a policy cancelled by a compensated saga does not block a new subscription
CREATE UNIQUE INDEX IF NOT EXISTS policies_live_per_quote ON pas.policies (quote_id) WHERE status <> 'CANCELLED';
CREATE TABLE IF NOT EXISTS pas.outbox (
    id                uuid         PRIMARY KEY,
    aggregate_type    varchar(64)  NOT NULL,
    aggregate_id      varchar(64)  NOT NULL,
    aggregate_version integer      NOT NULL,
    event_type        varchar(64)  NOT NULL,
    payload           jsonb        NOT NULL,
    traceparent       varchar(128),
    created_at        timestamptz  NOT NULL DEFAULT now()
);
ALTER TABLE pas.outbox REPLICA IDENTITY DEFAULT;
