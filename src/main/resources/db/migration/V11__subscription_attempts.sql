-- F03: the subscription saga's own log. One row per attempt to subscribe a quote, written before the saga's first
-- effect and settled when the saga ends, so that an attempt left mid-way by a hub that died is found here (and
-- recovered: recover-subscriptions) whatever saga service ran it. Status:
--   STARTED       the saga runs (or its hub died)
--   COMPENSATING  the saga failed or timed out; its compensation has not succeeded yet
--   ISSUED        the policy was issued: the subscription stands
--   COMPENSATED   every step undone
-- One live attempt (STARTED or COMPENSATING) per quote: a second subscribe of the quote meanwhile is refused (409).
CREATE TABLE hub.subscription_attempts (
    attempt_id             varchar(40) PRIMARY KEY,
    quote_id               varchar(64) NOT NULL,
    status                 varchar(16) NOT NULL,
    started_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    -- the recovery run that took the attempt holds it until then (another instance leaves it alone meanwhile)
    recovery_claimed_until timestamptz
);
CREATE UNIQUE INDEX subscription_attempts_live_per_quote ON hub.subscription_attempts (quote_id)
    WHERE status IN ('STARTED', 'COMPENSATING');
CREATE INDEX subscription_attempts_unfinished ON hub.subscription_attempts (started_at)
    WHERE status IN ('STARTED', 'COMPENSATING');
CREATE INDEX subscription_attempts_finished ON hub.subscription_attempts (updated_at)
    WHERE status IN ('ISSUED', 'COMPENSATED');
