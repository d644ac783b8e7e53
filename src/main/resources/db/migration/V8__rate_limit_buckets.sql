-- Rate limits on /api/** (RateLimitConfiguration): one Bucket4j token bucket per caller, shared by every hub instance.
-- The key names the caller and the limit it was made for (e.g. 'anonymous:127.0.0.1@100/PT1M'), so a changed limit
-- starts a new bucket instead of reading one serialised with the old configuration. state is Bucket4j's serialised
-- bucket; expires_at (epoch ms) is when the bucket is full again plus a margin: past it the row says nothing a fresh
-- bucket would not, and the clean-up route deletes it (anonymous callers would otherwise add a row per address forever).
CREATE TABLE hub.rate_limit_buckets (
    id         text    PRIMARY KEY,
    state      bytea,
    expires_at bigint
);
CREATE INDEX rate_limit_buckets_expires_at ON hub.rate_limit_buckets (expires_at);
