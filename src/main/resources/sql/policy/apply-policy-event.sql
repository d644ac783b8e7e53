-- D09, R02: one policy event (the envelope, the only parameter) applied to the replica in per-policy version order
-- by hub.apply_policy_event (Flyway V4); answers the outcome: APPLIED <n>, STALE or PARKED.
SELECT hub.apply_policy_event(CAST(:#${body} AS jsonb)) AS outcome
