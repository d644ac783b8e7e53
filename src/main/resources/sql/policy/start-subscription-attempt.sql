-- F03: a new attempt to subscribe the quote, STARTED, unless the quote has a live one (STARTED or COMPENSATING):
-- then nothing is inserted (CamelSqlUpdateCount 0) and the caller is refused
INSERT INTO hub.subscription_attempts (attempt_id, quote_id, status)
VALUES (:#${variable.attemptId}, :#${variable.quoteId}, 'STARTED')
ON CONFLICT DO NOTHING
