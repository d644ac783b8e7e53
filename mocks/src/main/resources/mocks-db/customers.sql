-- Customer Hub (MDM): one golden record per person. A person is recognised by the normalised email, or by the
-- normalised name and the birth date: both keys are unique, so that concurrent identical requests
-- (INSERT ... ON CONFLICT DO NOTHING, then re-select) end with one record.
CREATE SCHEMA IF NOT EXISTS customers;
CREATE TABLE IF NOT EXISTS customers.customers (
    customer_id  varchar(40)  PRIMARY KEY,
    first_name   varchar(200) NOT NULL,
    last_name    varchar(200) NOT NULL,
    email        varchar(320) NOT NULL,
    birth_date   date         NOT NULL,
    email_key    varchar(320) NOT NULL,
    name_key     varchar(401) NOT NULL,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    updated_at   timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS customers_by_email ON customers.customers (email_key);
CREATE UNIQUE INDEX IF NOT EXISTS customers_by_name_and_birth_date ON customers.customers (name_key, birth_date);
-- Which customer a quote belongs to (the subscription saga links it, its compensation removes the link).
CREATE TABLE IF NOT EXISTS customers.quote_links (
    quote_id     varchar(64)  PRIMARY KEY,
    customer_id  varchar(40)  NOT NULL REFERENCES customers.customers (customer_id),
    linked_at    timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS quote_links_by_customer ON customers.quote_links (customer_id);
