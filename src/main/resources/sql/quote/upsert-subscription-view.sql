-- E09, D08: one quote event (the envelope, the only parameter) applied to the subscription view. Idempotent and
-- order-safe: the row changes only when the event's aggregateVersion is newer than the row's, so a redelivered or
-- late event changes nothing (R01, R02). Fields a QuoteExpired does not carry keep their value.
WITH event AS (SELECT CAST(:#${body} AS jsonb) AS e)
INSERT INTO hub.quote_subscription_view
    (quote_id, product, customer_email, premium, currency, rating_source, status, valid_until, version, last_event_id)
SELECT e -> 'data' ->> 'quoteId',
       e -> 'data' ->> 'product',
       e -> 'data' -> 'customer' ->> 'email',
       CAST(e -> 'data' ->> 'premium' AS numeric),
       e -> 'data' ->> 'currency',
       e -> 'data' ->> 'ratingSource',
       CASE e ->> 'eventType' WHEN 'QuoteExpired' THEN 'EXPIRED' ELSE 'ACTIVE' END,
       CAST(e -> 'data' ->> 'validUntil' AS timestamptz),
       CAST(e ->> 'aggregateVersion' AS integer),
       e ->> 'eventId'
FROM event
ON CONFLICT (quote_id) DO UPDATE SET
    customer_email = COALESCE(EXCLUDED.customer_email, quote_subscription_view.customer_email),
    premium        = COALESCE(EXCLUDED.premium, quote_subscription_view.premium),
    currency       = COALESCE(EXCLUDED.currency, quote_subscription_view.currency),
    rating_source  = COALESCE(EXCLUDED.rating_source, quote_subscription_view.rating_source),
    status         = EXCLUDED.status,
    valid_until    = COALESCE(EXCLUDED.valid_until, quote_subscription_view.valid_until),
    version        = EXCLUDED.version,
    last_event_id  = EXCLUDED.last_event_id,
    updated_at     = now()
WHERE quote_subscription_view.version < EXCLUDED.version
