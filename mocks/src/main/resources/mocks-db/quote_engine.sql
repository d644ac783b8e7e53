-- Quote Engine: the system of record for quotes.
CREATE SCHEMA IF NOT EXISTS quote_engine;
CREATE TABLE IF NOT EXISTS quote_engine.quotes (
    quote_id      varchar(40)    PRIMARY KEY,
    product       varchar(16)    NOT NULL,
    customer      jsonb          NOT NULL,
    risk          jsonb          NOT NULL,
    premium       numeric(12, 2) NOT NULL,
    currency      varchar(3)     NOT NULL,
    rating_source varchar(16)    NOT NULL,
    status        varchar(16)    NOT NULL,
    valid_until   timestamptz    NOT NULL,
    version       integer        NOT NULL,
    created_at    timestamptz    NOT NULL DEFAULT now(),
    updated_at    timestamptz    NOT NULL DEFAULT now(),
    policy_id     varchar(40)
);
CREATE INDEX IF NOT EXISTS quotes_due_for_expiry ON quote_engine.quotes (valid_until) WHERE status = 'ACTIVE';
