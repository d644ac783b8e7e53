-- Billing: one account per policy, invoices, and its transactional outbox billing.outbox (outbox.sql).
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
-- Billing lifecycle: every billing event is keyed by the account (aggregate billing-account, version + 1 per event).
-- An account is opened on demand (invoice, adjustment, payout, termination) for a policy Billing does not know yet,
-- so it may have no customer.
ALTER TABLE billing.accounts ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE billing.accounts ADD COLUMN IF NOT EXISTS credit_balance numeric(12, 2) NOT NULL DEFAULT 0;
ALTER TABLE billing.accounts ADD COLUMN IF NOT EXISTS closed_at      timestamptz;
-- Invoices: OPEN (was ISSUED) → PAID | CANCELLED; kind PREMIUM or ADJUSTMENT; dunning level 0, 1 (REMINDER), 2 (FINAL).
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS kind                varchar(16)    NOT NULL DEFAULT 'PREMIUM';
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS amount_paid         numeric(12, 2) NOT NULL DEFAULT 0;
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS dunning_level       integer        NOT NULL DEFAULT 0;
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS dunned_at           timestamptz;
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS cancellation_reason text;
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS updated_at          timestamptz    NOT NULL DEFAULT now();
UPDATE billing.invoices SET status = 'OPEN' WHERE status = 'ISSUED';
CREATE INDEX IF NOT EXISTS invoices_open_by_due_date ON billing.invoices (due_date) WHERE status = 'OPEN';
CREATE INDEX IF NOT EXISTS invoices_by_account ON billing.invoices (account_id);
CREATE TABLE IF NOT EXISTS billing.payments (
    payment_id     varchar(64)    PRIMARY KEY,
    invoice_id     varchar(40)    NOT NULL REFERENCES billing.invoices (invoice_id),
    account_id     varchar(40)    NOT NULL,
    policy_id      varchar(64)    NOT NULL,
    amount         numeric(12, 2) NOT NULL,
    currency       varchar(3)     NOT NULL,
    reference      varchar(200),
    invoice_status varchar(16)    NOT NULL,
    created_at     timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS payments_by_policy ON billing.payments (policy_id);
CREATE INDEX IF NOT EXISTS payments_by_invoice ON billing.payments (invoice_id);
-- Adjustments: a positive delta is an adjustment invoice, a negative one a credit note (credit on the account).
CREATE TABLE IF NOT EXISTS billing.adjustments (
    adjustment_id   varchar(40)    PRIMARY KEY,
    account_id      varchar(40)    NOT NULL,
    policy_id       varchar(64)    NOT NULL,
    kind            varchar(16)    NOT NULL,
    amount_delta    numeric(12, 2) NOT NULL,
    currency        varchar(3)     NOT NULL,
    invoice_id      varchar(40),
    reason          text,
    source_event_id varchar(128)   NOT NULL UNIQUE,
    created_at      timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS adjustments_by_policy ON billing.adjustments (policy_id);
-- Terminations: one per policy; the summary answered again on a repeat.
CREATE TABLE IF NOT EXISTS billing.terminations (
    termination_id  varchar(40)  PRIMARY KEY,
    policy_id       varchar(64)  NOT NULL UNIQUE,
    account_id      varchar(40)  NOT NULL,
    reason          text,
    effective_date  date         NOT NULL,
    source_event_id varchar(128) UNIQUE,
    summary         jsonb        NOT NULL,
    created_at      timestamptz  NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS billing.refunds (
    refund_id      varchar(40)    PRIMARY KEY,
    account_id     varchar(40)    NOT NULL,
    policy_id      varchar(64)    NOT NULL,
    termination_id varchar(40),
    amount         numeric(12, 2) NOT NULL,
    currency       varchar(3)     NOT NULL,
    reason         text,
    created_at     timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS refunds_by_policy ON billing.refunds (policy_id);
-- Claim payouts: one per claim, once per source event.
CREATE TABLE IF NOT EXISTS billing.payouts (
    payout_id       varchar(40)    PRIMARY KEY,
    claim_id        varchar(64)    NOT NULL UNIQUE,
    account_id      varchar(40)    NOT NULL,
    policy_id       varchar(64)    NOT NULL,
    amount          numeric(12, 2) NOT NULL,
    currency        varchar(3)     NOT NULL,
    source_event_id varchar(128)   UNIQUE,
    created_at      timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS payouts_by_policy ON billing.payouts (policy_id);
-- The warehouse loads (D04) read every money movement in change order from a watermark
CREATE INDEX IF NOT EXISTS invoices_by_change ON billing.invoices (updated_at, invoice_id);
CREATE INDEX IF NOT EXISTS payments_by_change ON billing.payments (created_at, payment_id);
