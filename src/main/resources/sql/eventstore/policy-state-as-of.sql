-- D07: one policy's state as of the instant asOf, from the nearest snapshot and the events after it
-- (hub.policy_state_as_of, Flyway V15). Answers the state as JSON, or INVALID (asOf is not an ISO-8601 instant with
-- its offset), FUTURE (asOf is after now) or UNKNOWN (the policy had no event by then).
SELECT CASE WHEN t.as_of IS NULL THEN 'INVALID'
            WHEN t.as_of > now() THEN 'FUTURE'
            ELSE COALESCE(CAST(hub.policy_state_view(hub.policy_state_as_of(:#policyId, t.as_of), t.as_of) AS text), 'UNKNOWN')
       END AS answer
FROM (SELECT hub.instant_or_null(:#asOf) AS as_of) t
