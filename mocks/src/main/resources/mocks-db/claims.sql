-- Claims: the system of record for claims, with its transactional outbox claims.outbox (outbox.sql), written in the
-- same transaction as the claim.
CREATE SCHEMA IF NOT EXISTS claims;
CREATE SEQUENCE IF NOT EXISTS claims.claim_numbers;
CREATE TABLE IF NOT EXISTS claims.claims (
    claim_id         varchar(40)    PRIMARY KEY,
    claim_number     varchar(16)    NOT NULL UNIQUE,
    policy_id        varchar(64)    NOT NULL,
    policy_number    varchar(32),
    customer_id      varchar(64)    NOT NULL,
    description      text           NOT NULL,
    incident_date    date           NOT NULL,
    claimed_amount   numeric(12, 2) NOT NULL,
    currency         varchar(3)     NOT NULL,
    status           varchar(16)    NOT NULL,
    decision         varchar(16),
    assessed_amount  numeric(12, 2),
    assessment_notes text,
    settled_amount   numeric(12, 2),
    request_id       varchar(128)   UNIQUE,
    version          integer        NOT NULL,
    created_at       timestamptz    NOT NULL DEFAULT now(),
    assessed_at      timestamptz,
    settled_at       timestamptz,
    updated_at       timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS claims_by_policy ON claims.claims (policy_id);
CREATE INDEX IF NOT EXISTS claims_by_customer ON claims.claims (customer_id);
-- The warehouse loads (D03) read claims in change order from a watermark: (updated_at, claim_id)
CREATE INDEX IF NOT EXISTS claims_by_change ON claims.claims (updated_at, claim_id);
