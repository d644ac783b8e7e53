-- D02-D04: what the warehouse loads read, run by the database owner once the systems' tables exist. SELECT only:
-- the reader role changes nothing at the sources, reads no outbox and nothing of the hub.
GRANT USAGE ON SCHEMA pas, claims, billing, customers TO insurance_warehouse_reader;
GRANT SELECT ON pas.policies, claims.claims, customers.customers TO insurance_warehouse_reader;
GRANT SELECT ON billing.invoices, billing.payments, billing.refunds, billing.payouts, billing.adjustments TO insurance_warehouse_reader;
ALTER ROLE insurance_warehouse_reader SET default_transaction_read_only = on;
