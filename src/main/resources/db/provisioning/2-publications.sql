-- The outbox relays' publications (pgoutput), run by the database owner once the systems' outbox tables exist.
-- The relay role only reads through them: it creates no publication (hub.outbox.publication-autocreate-mode:
-- disabled) and needs no ownership of the tables. Names match the relay routes: hub_<schema>_outbox.
GRANT USAGE ON SCHEMA pas, billing, claims, quote_engine TO insurance_relay;
GRANT SELECT ON pas.outbox, billing.outbox, claims.outbox, quote_engine.outbox TO insurance_relay;
CREATE PUBLICATION hub_pas_outbox FOR TABLE pas.outbox, relay.outbox_heartbeat;
CREATE PUBLICATION hub_billing_outbox FOR TABLE billing.outbox, relay.outbox_heartbeat;
CREATE PUBLICATION hub_claims_outbox FOR TABLE claims.outbox, relay.outbox_heartbeat;
CREATE PUBLICATION hub_quote_engine_outbox FOR TABLE quote_engine.outbox, relay.outbox_heartbeat;
-- D05/D06: the business tables' change capture (one publication, one slot: hub_business_changes), read by the relay
-- role, which reads only these tables (SELECT: Debezium's first snapshot). REPLICA IDENTITY FULL puts the whole old row
-- in the WAL, so that an update's and a delete's before image exists (the audit trail, the reports' deltas).
GRANT USAGE ON SCHEMA customers TO insurance_relay;
GRANT SELECT ON pas.policies, claims.claims, billing.invoices, billing.payments, customers.customers TO insurance_relay;
ALTER TABLE pas.policies REPLICA IDENTITY FULL;
ALTER TABLE claims.claims REPLICA IDENTITY FULL;
ALTER TABLE billing.invoices REPLICA IDENTITY FULL;
ALTER TABLE billing.payments REPLICA IDENTITY FULL;
ALTER TABLE customers.customers REPLICA IDENTITY FULL;
CREATE PUBLICATION hub_business_changes FOR TABLE pas.policies, claims.claims, billing.invoices, billing.payments,
    customers.customers, relay.outbox_heartbeat;
