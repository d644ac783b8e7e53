-- F03: at most batchSize attempts still STARTED or COMPENSATING although they started before the saga timeout plus
-- the margin (a saga that still ran would have timed out and been compensated by then), the oldest, claimed for
-- this run until now() + lease. SKIP LOCKED and the claim keep concurrent runs of several hub instances apart: an
-- attempt is taken by one run, and again only once that run's claim has lapsed (it died, or its compensation failed).
WITH claimed AS (
    UPDATE hub.subscription_attempts SET recovery_claimed_until = now() + CAST(:#lease AS interval)
    WHERE attempt_id IN (SELECT attempt_id FROM hub.subscription_attempts
                         WHERE status IN ('STARTED', 'COMPENSATING')
                           AND started_at < now() - CAST(:#sagaTimeout AS interval) - CAST(:#margin AS interval)
                           AND (recovery_claimed_until IS NULL OR recovery_claimed_until < now())
                         ORDER BY started_at
                         LIMIT CAST(:#batchSize AS integer)
                         FOR UPDATE SKIP LOCKED)
    RETURNING attempt_id, quote_id, status, started_at)
SELECT attempt_id AS "attemptId", quote_id AS "quoteId", status, started_at AS "startedAt"
FROM claimed ORDER BY started_at
