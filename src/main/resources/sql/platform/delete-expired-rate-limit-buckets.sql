-- F07: at most batchSize rate limit buckets whose expires_at (epoch ms) is past; SKIP LOCKED: instances cleaning at
-- the same time never wait for each other, nor for a request checking its bucket.
DELETE FROM hub.rate_limit_buckets
WHERE expires_at < CAST(extract(epoch FROM now()) * 1000 AS bigint)
  AND id IN (SELECT id FROM hub.rate_limit_buckets
             WHERE expires_at < CAST(extract(epoch FROM now()) * 1000 AS bigint)
             LIMIT CAST(:#batchSize AS integer) FOR UPDATE SKIP LOCKED)
