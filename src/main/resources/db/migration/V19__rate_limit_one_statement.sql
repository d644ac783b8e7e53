-- Rate limits (RateLimiter): a check is one call of hub.take_rate_limit_token, one round trip in autocommit, instead
-- of Bucket4j's transaction of three (SELECT ... FOR UPDATE, UPDATE, COMMIT). Every request of one client takes the
-- same row: with the lock held across three round trips, a request thread descheduled between them (a busy 2-core
-- machine) stalled all the others of that client behind it; now the lock lives inside one statement on the server.
-- The buckets say nothing that matters past a minute: the old rows go, not converted.
DROP TABLE hub.rate_limit_buckets;

-- A bucket per caller key (which names the limit: 'client:partner-broker@1000/PT1M'), as a GCRA (generic cell rate
-- algorithm) token bucket: tat, the theoretical arrival time, is when the bucket is full again (microseconds since
-- the epoch, the database's clock, shared by every hub instance). Each token taken moves it one interval (period /
-- limit) later; a request is allowed while tat + interval stays within one period from now. expires_at (epoch ms):
-- full again plus hub.rate-limits.keep-after-refill, the clean-up route's cue.
CREATE TABLE hub.rate_limit_buckets (
    id         text   PRIMARY KEY,
    tat        bigint NOT NULL DEFAULT 0,
    expires_at bigint NOT NULL
);
CREATE INDEX rate_limit_buckets_expires_at ON hub.rate_limit_buckets (expires_at);

-- Takes one token from a bucket: allowed, when the bucket is full again (full_at_us) and the clock it used (now_us).
-- The common case (a known caller under its limit) is the first UPDATE alone. A caller's first request inserts its
-- row; two first requests at once: the second's INSERT waits for the first's and does nothing, and the loop's second
-- UPDATE then sees the row. Refused: the row is left as it is.
CREATE FUNCTION hub.take_rate_limit_token(bucket text, interval_us bigint, period_us bigint, keep_ms bigint,
                                          OUT allowed boolean, OUT full_at_us bigint, OUT now_us bigint)
LANGUAGE plpgsql AS $$
BEGIN
    now_us := CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS bigint);
    FOR attempt IN 1..2 LOOP
        UPDATE hub.rate_limit_buckets AS b
           SET tat = greatest(b.tat, now_us) + interval_us,
               expires_at = (greatest(b.tat, now_us) + interval_us) / 1000 + keep_ms
         WHERE b.id = bucket AND greatest(b.tat, now_us) + interval_us <= now_us + period_us
        RETURNING b.tat INTO full_at_us;
        IF FOUND THEN
            allowed := true;
            RETURN;
        END IF;
        INSERT INTO hub.rate_limit_buckets AS b (id, tat, expires_at)
        VALUES (bucket, now_us + interval_us, (now_us + interval_us) / 1000 + keep_ms)
        ON CONFLICT (id) DO NOTHING
        RETURNING b.tat INTO full_at_us;
        IF FOUND THEN
            allowed := true;
            RETURN;
        END IF;
    END LOOP;
    SELECT b.tat INTO full_at_us FROM hub.rate_limit_buckets AS b WHERE b.id = bucket;
    allowed := false;
END
$$;
