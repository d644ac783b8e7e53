-- F03: at most batchSize settled attempts (ISSUED or COMPENSATED) older than keep; SKIP LOCKED as for the claim
DELETE FROM hub.subscription_attempts
WHERE attempt_id IN (SELECT attempt_id FROM hub.subscription_attempts
                     WHERE status IN ('ISSUED', 'COMPENSATED') AND updated_at < now() - CAST(:#keep AS interval)
                     LIMIT CAST(:#batchSize AS integer)
                     FOR UPDATE SKIP LOCKED)
