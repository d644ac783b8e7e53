-- PAS (Policy Administration): the system of record for policies, with its transactional outbox pas.outbox
-- (outbox.sql; written in the same transaction as the policy, relayed by Debezium).
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
-- Policy lifecycle (claims, premium payments, modifications): the snapshot every policy event carries.
ALTER TABLE pas.policies ADD COLUMN IF NOT EXISTS coverage                    jsonb;
ALTER TABLE pas.policies ADD COLUMN IF NOT EXISTS claim_count                 integer        NOT NULL DEFAULT 0;
ALTER TABLE pas.policies ADD COLUMN IF NOT EXISTS claimed_total               numeric(12, 2) NOT NULL DEFAULT 0;
ALTER TABLE pas.policies ADD COLUMN IF NOT EXISTS premium_paid                numeric(12, 2) NOT NULL DEFAULT 0;
ALTER TABLE pas.policies ADD COLUMN IF NOT EXISTS activated_at                timestamptz;
ALTER TABLE pas.policies ADD COLUMN IF NOT EXISTS cancellation_effective_date date;
-- Premium payments recorded on a policy: once per (policy, paymentId), once per source event.
CREATE TABLE IF NOT EXISTS pas.policy_payments (
    policy_id       varchar(40)    NOT NULL REFERENCES pas.policies (policy_id),
    payment_id      varchar(64)    NOT NULL,
    invoice_id      varchar(64),
    amount          numeric(12, 2) NOT NULL,
    source_event_id varchar(128)   UNIQUE,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (policy_id, payment_id)
);
-- Assessed claims counted on a policy: once per (policy, claimId), once per source event.
CREATE TABLE IF NOT EXISTS pas.policy_claims (
    policy_id       varchar(40)    NOT NULL REFERENCES pas.policies (policy_id),
    claim_id        varchar(64)    NOT NULL,
    assessed_amount numeric(12, 2) NOT NULL,
    source_event_id varchar(128)   UNIQUE,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (policy_id, claim_id)
);
-- Modifications (endorsements) of a policy; a requestId makes one idempotent.
CREATE TABLE IF NOT EXISTS pas.modifications (
    modification_id  varchar(40)    PRIMARY KEY,
    policy_id        varchar(40)    NOT NULL REFERENCES pas.policies (policy_id),
    request_id       varchar(128),
    previous_premium numeric(12, 2) NOT NULL,
    premium          numeric(12, 2) NOT NULL,
    previous_product varchar(32)    NOT NULL,
    product          varchar(32)    NOT NULL,
    coverage         jsonb,
    reason           text           NOT NULL,
    policy_version   integer        NOT NULL,
    created_at       timestamptz    NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS modifications_by_request ON pas.modifications (policy_id, request_id);
CREATE INDEX IF NOT EXISTS modifications_by_policy ON pas.modifications (policy_id);
-- The warehouse loads (D02) read policies in change order from a watermark: (updated_at, policy_id)
CREATE INDEX IF NOT EXISTS policies_by_change ON pas.policies (updated_at, policy_id);
