-- Billing: one account per policy, invoices, and its transactional outbox (same shape as pas.outbox).
CREATE SCHEMA IF NOT EXISTS billing;
CREATE TABLE IF NOT EXISTS billing.accounts (
    account_id     varchar(40)  PRIMARY KEY,
    customer_id    varchar(64)  NOT NULL,
    policy_id      varchar(64)  NOT NULL UNIQUE,
    status         varchar(16)  NOT NULL,
    version        integer      NOT NULL,
    closure_reason text,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS billing.invoices (
    invoice_id      varchar(40)    PRIMARY KEY,
    account_id      varchar(40),
    policy_id       varchar(64)    NOT NULL,
    amount          numeric(12, 2) NOT NULL,
    currency        varchar(3)     NOT NULL,
    status          varchar(16)    NOT NULL,
    due_date        date           NOT NULL,
    source_event_id varchar(128),
    created_at      timestamptz    NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS invoices_by_source_event ON billing.invoices (source_event_id);
CREATE INDEX IF NOT EXISTS invoices_by_policy ON billing.invoices (policy_id);
CREATE TABLE IF NOT EXISTS billing.outbox (
    id                uuid         PRIMARY KEY,
    aggregate_type    varchar(64)  NOT NULL,
    aggregate_id      varchar(64)  NOT NULL,
    aggregate_version integer      NOT NULL,
    event_type        varchar(64)  NOT NULL,
    payload           jsonb        NOT NULL,
    traceparent       varchar(128),
    created_at        timestamptz  NOT NULL DEFAULT now()
);
ALTER TABLE billing.outbox REPLICA IDENTITY DEFAULT;
