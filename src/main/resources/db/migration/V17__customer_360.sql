-- D08: the customer 360 read model (CQRS read side), kept by events-to-customer-360 from the customer, policy, claim and
-- billing events; the write side stays normalised in the systems (Customer Hub, PAS, Claims, Billing). Read only by
-- hub.customer_360_view (V18) for GET /api/customers/{id}/overview and the BFF (F05): the read side never calls a system.

-- One row per customer any event named. version: how many events changed this customer's view (+ 1 per applied
-- event, never for a duplicate or a stale one); updated_at: when the last of them was applied. Name and email come
-- from CustomerRegistered (F04) and stay null for a customer the events only know by id.
CREATE TABLE hub.customer_360 (
    customer_id     varchar(64)   PRIMARY KEY,
    first_name      varchar(200),
    last_name       varchar(200),
    email           varchar(320),
    birth_date      date,
    version         bigint        NOT NULL,
    last_event_id   varchar(128),
    last_event_type varchar(64),
    updated_at      timestamptz   NOT NULL DEFAULT now()
);

-- Each policy's latest snapshot (every policy event carries it), applied only over an older version.
-- customer_id may arrive after the policy (a PolicyCancelled that carries no customer, read before PolicyCreated).
CREATE TABLE hub.customer_360_policies (
    policy_id      varchar(64)    PRIMARY KEY,
    customer_id    varchar(64),
    policy_number  varchar(64),
    product        varchar(16),
    status         varchar(16),
    premium        numeric(14, 2),
    currency       char(3),
    premium_paid   numeric(14, 2),
    claim_count    integer,
    version        integer        NOT NULL,
    occurred_at    timestamptz,
    updated_at     timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX customer_360_policies_by_customer ON hub.customer_360_policies (customer_id);

-- Each claim's latest snapshot (every claim event carries it), applied only over an older version.
CREATE TABLE hub.customer_360_claims (
    claim_id        varchar(64)    PRIMARY KEY,
    customer_id     varchar(64)    NOT NULL,
    policy_id       varchar(64),
    policy_number   varchar(64),
    claim_number    varchar(64),
    status          varchar(16),
    incident_date   date,
    claimed_amount  numeric(14, 2),
    assessed_amount numeric(14, 2),
    settled_amount  numeric(14, 2),
    currency        char(3),
    version         integer        NOT NULL,
    occurred_at     timestamptz,
    updated_at      timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX customer_360_claims_by_customer ON hub.customer_360_claims (customer_id);

-- Invoices and payments as sets keyed by Billing's ids: an invoice's amount and due date never change, a
-- cancellation only ever sets `cancelled`, a payment is inserted once. So the billing events, keyed by account and
-- versioned per account, give the same rows in any order; what is due is computed when read.
-- customer_id: the event's, else the policy's (filled in when the policy's first event arrives).
CREATE TABLE hub.customer_360_invoices (
    invoice_id   varchar(64)    PRIMARY KEY,
    policy_id    varchar(64)    NOT NULL,
    customer_id  varchar(64),
    account_id   varchar(64),
    kind         varchar(16),
    amount       numeric(14, 2),
    currency     char(3),
    due_date     date,
    cancelled    boolean        NOT NULL DEFAULT false,
    issued_at    timestamptz,
    updated_at   timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX customer_360_invoices_by_customer ON hub.customer_360_invoices (customer_id);
CREATE INDEX customer_360_invoices_by_policy ON hub.customer_360_invoices (policy_id) WHERE customer_id IS NULL;

CREATE TABLE hub.customer_360_payments (
    payment_id   varchar(64)    PRIMARY KEY,
    invoice_id   varchar(64)    NOT NULL,
    policy_id    varchar(64),
    amount       numeric(14, 2) NOT NULL,
    currency     char(3),
    received_at  timestamptz,
    updated_at   timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX customer_360_payments_by_invoice ON hub.customer_360_payments (invoice_id);

-- R01: every event the read model took (applied, stale or skipped), by its eventId: a redelivery is recognised
-- in the same transaction as the effect, so it changes nothing, not even a customer's version; it is only counted
-- (deliveries), which shows operators and tests that redeliveries arrived and were absorbed.
CREATE TABLE hub.customer_360_events (
    event_id          varchar(128)  PRIMARY KEY,
    event_type        varchar(64)   NOT NULL,
    aggregate_id      varchar(64)   NOT NULL,
    outcome           varchar(16)   NOT NULL,
    deliveries        integer       NOT NULL DEFAULT 1,
    applied_at        timestamptz   NOT NULL DEFAULT now(),
    last_delivered_at timestamptz   NOT NULL DEFAULT now()
);
