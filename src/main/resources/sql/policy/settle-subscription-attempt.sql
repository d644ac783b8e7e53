-- F03: moves an attempt to variable attemptStatus from one of the statuses in variable attemptStatusFrom (comma
-- separated); from any other status nothing changes. The transitions: STARTED -> ISSUED | COMPENSATING,
-- STARTED | COMPENSATING -> COMPENSATED.
UPDATE hub.subscription_attempts SET status = :#${variable.attemptStatus}, updated_at = now()
WHERE attempt_id = :#${variable.attemptId}
  AND status = ANY (string_to_array(:#${variable.attemptStatusFrom}, ','))
