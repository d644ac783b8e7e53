-- D08: one event (the envelope, the only parameter) applied to the customer 360 read model by
-- hub.apply_customer_360_event (Flyway V18); answers the outcome: APPLIED <customer>, DUPLICATE, STALE or SKIPPED.
SELECT hub.apply_customer_360_event(CAST(:#${body} AS jsonb)) AS outcome
