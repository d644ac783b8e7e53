-- D07: one policy's current state, from the projection (hub.policy_state) as JSON; no row for an unknown policy
SELECT CAST(hub.policy_state_view(to_jsonb(s), NULL) AS text) AS state
FROM hub.policy_state s
WHERE s.policy_id = :#policyId
