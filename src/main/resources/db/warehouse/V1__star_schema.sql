-- D02-D04: the warehouse's star schema and the loads' bookkeeping (schema warehouse, owned by insurance_warehouse).
-- Dimensions are keyed by the systems' business keys (type 1: a change overwrites): the facts join them on those keys.
-- No foreign keys from facts to dimensions: the loads write dimensions first in the same transaction, and a check per
-- fact row would cost more than it proves on bulk loads.

CREATE TABLE dim_date (
    date_key      integer     PRIMARY KEY,          -- yyyymmdd
    calendar_date date        NOT NULL UNIQUE,
    year          smallint    NOT NULL,
    quarter       smallint    NOT NULL,
    month         smallint    NOT NULL,
    day_of_month  smallint    NOT NULL,
    day_of_week   smallint    NOT NULL,             -- ISO: 1 = Monday
    iso_week      smallint    NOT NULL,
    is_weekend    boolean     NOT NULL
);
-- The range the loads accept (a date outside is a rejected row): 2000-2060
INSERT INTO dim_date
SELECT to_char(d, 'YYYYMMDD')::integer, d, extract(year FROM d), extract(quarter FROM d), extract(month FROM d),
       extract(day FROM d), extract(isodow FROM d), extract(week FROM d), extract(isodow FROM d) IN (6, 7)
FROM generate_series(date '2000-01-01', date '2060-12-31', interval '1 day') AS g(d);

CREATE TABLE dim_customer (
    customer_id       varchar(64)  PRIMARY KEY,
    first_name        varchar(200),
    last_name         varchar(200),
    email             varchar(320),
    birth_date        date,
    source_updated_at timestamptz,
    loaded_at         timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE dim_product (
    product_code  varchar(32)  PRIMARY KEY,
    first_seen_at timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE fact_policy (
    policy_id           varchar(40)    PRIMARY KEY,
    policy_number       varchar(16)    NOT NULL,
    customer_id         varchar(64)    NOT NULL,
    product_code        varchar(32)    NOT NULL,
    issued_date_key     integer        NOT NULL,
    status              varchar(16)    NOT NULL,
    premium             numeric(12, 2) NOT NULL,
    premium_paid        numeric(12, 2) NOT NULL,
    currency            varchar(3)     NOT NULL,
    claim_count         integer        NOT NULL,
    claimed_total       numeric(12, 2) NOT NULL,
    cancellation_reason text,
    source_version      integer        NOT NULL,
    source_updated_at   timestamptz    NOT NULL,
    run_id              bigint         NOT NULL,
    loaded_at           timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX fact_policy_by_customer ON fact_policy (customer_id);
CREATE INDEX fact_policy_by_run ON fact_policy (run_id);

CREATE TABLE fact_claim (
    claim_id          varchar(40)    PRIMARY KEY,
    claim_number      varchar(16)    NOT NULL,
    policy_id         varchar(64)    NOT NULL,
    customer_id       varchar(64)    NOT NULL,
    incident_date_key integer        NOT NULL,
    opened_date_key   integer        NOT NULL,
    status            varchar(16)    NOT NULL,
    decision          varchar(16),
    claimed_amount    numeric(12, 2) NOT NULL,
    assessed_amount   numeric(12, 2),
    settled_amount    numeric(12, 2),
    currency          varchar(3)     NOT NULL,
    source_version    integer        NOT NULL,
    source_updated_at timestamptz    NOT NULL,
    run_id            bigint         NOT NULL,
    loaded_at         timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX fact_claim_by_policy ON fact_claim (policy_id);
CREATE INDEX fact_claim_by_run ON fact_claim (run_id);

-- Every money movement of Billing: INVOICE, PAYMENT, REFUND, PAYOUT, ADJUSTMENT, keyed by type and the system's id
CREATE TABLE fact_billing_transaction (
    transaction_type     varchar(16)    NOT NULL,
    transaction_id       varchar(64)    NOT NULL,
    account_id           varchar(40),
    policy_id            varchar(64)    NOT NULL,
    invoice_id           varchar(40),
    transaction_date_key integer        NOT NULL,
    due_date_key         integer,
    status               varchar(16),
    amount               numeric(12, 2) NOT NULL,
    currency             varchar(3)     NOT NULL,
    source_changed_at    timestamptz    NOT NULL,
    run_id               bigint         NOT NULL,
    loaded_at            timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (transaction_type, transaction_id)
);
CREATE INDEX fact_billing_transaction_by_policy ON fact_billing_transaction (policy_id);
CREATE INDEX fact_billing_transaction_by_run ON fact_billing_transaction (run_id);

-- One row per run of a flow. A run holds its flow while RUNNING (one per flow, whatever the hub instance: the partial
-- unique index) and beats at every chunk; a RUNNING run whose heartbeat is older than hub.warehouse.lease was left by
-- a dead hub and is closed as ABANDONED by the next start. A scheduled run names its cron time: once per time.
CREATE TABLE load_runs (
    run_id             bigserial    PRIMARY KEY,
    flow               varchar(32)  NOT NULL,
    trigger            varchar(16)  NOT NULL,               -- API | SCHEDULE
    scheduled_for      timestamptz,
    status             varchar(16)  NOT NULL,               -- RUNNING | SUCCEEDED | FAILED | ABANDONED
    started_at         timestamptz  NOT NULL DEFAULT now(),
    heartbeat_at       timestamptz  NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    watermark_from_at  timestamptz,
    watermark_from_key text,
    watermark_to_at    timestamptz,
    watermark_to_key   text,
    chunks             integer      NOT NULL DEFAULT 0,
    rows_read          bigint       NOT NULL DEFAULT 0,
    rows_written       bigint       NOT NULL DEFAULT 0,
    rows_rejected      bigint       NOT NULL DEFAULT 0,
    error              text
);
CREATE UNIQUE INDEX load_runs_one_running_per_flow ON load_runs (flow) WHERE status = 'RUNNING';
CREATE UNIQUE INDEX load_runs_once_per_schedule ON load_runs (flow, scheduled_for) WHERE scheduled_for IS NOT NULL;
CREATE INDEX load_runs_newest_first ON load_runs (started_at DESC, run_id DESC);

-- Where each flow stands: the (change time, key) of the last source row committed, written with its chunk
CREATE TABLE load_watermarks (
    flow        varchar(32)  PRIMARY KEY,
    changed_at  timestamptz  NOT NULL,
    source_key  text         NOT NULL,
    run_id      bigint       NOT NULL,
    updated_at  timestamptz  NOT NULL DEFAULT now()
);

-- Source rows a load could not map, with the reason, written with their chunk (the load goes on past them; the
-- source fixing the row changes its change time, and the next run loads it)
CREATE TABLE load_rejects (
    run_id            bigint       NOT NULL REFERENCES load_runs (run_id),
    flow              varchar(32)  NOT NULL,
    source_key        text         NOT NULL,
    source_changed_at timestamptz  NOT NULL,
    reason            text         NOT NULL,
    source_row        text,
    rejected_at       timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX load_rejects_by_run ON load_rejects (run_id);
