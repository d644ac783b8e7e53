-- F03: the status of the quote's live attempt (STARTED or COMPENSATING), if it has one
SELECT status FROM hub.subscription_attempts
WHERE quote_id = :#${variable.quoteId} AND status IN ('STARTED', 'COMPENSATING')
