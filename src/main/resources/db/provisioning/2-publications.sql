-- The outbox relays' publications (pgoutput), run by the database owner once the systems' outbox tables exist.
-- The relay role only reads through them: it creates no publication (hub.outbox.publication-autocreate-mode:
-- disabled) and needs no ownership of the tables. Names match the relay routes: hub_<schema>_outbox.
GRANT USAGE ON SCHEMA pas, billing, claims, quote_engine TO insurance_relay;
GRANT SELECT ON pas.outbox, billing.outbox, claims.outbox, quote_engine.outbox TO insurance_relay;
CREATE PUBLICATION hub_pas_outbox FOR TABLE pas.outbox, relay.outbox_heartbeat;
CREATE PUBLICATION hub_billing_outbox FOR TABLE billing.outbox, relay.outbox_heartbeat;
CREATE PUBLICATION hub_claims_outbox FOR TABLE claims.outbox, relay.outbox_heartbeat;
CREATE PUBLICATION hub_quote_engine_outbox FOR TABLE quote_engine.outbox, relay.outbox_heartbeat;
