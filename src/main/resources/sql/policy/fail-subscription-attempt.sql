-- F03: the saga's route failed. A STARTED attempt becomes COMPENSATING (before the saga service starts the
-- compensation, so that a subscribe that follows the failure at once hears the truth). A COMPENSATED one was
-- compensated already, at the saga's timeout while a step's call was still in flight: that call may have done its
-- effect after the compensation, so the attempt is COMPENSATING again and the recovery undoes it once more - unless
-- the quote has another live attempt meanwhile (its compensation undoes what is the quote's).
UPDATE hub.subscription_attempts a SET status = 'COMPENSATING', updated_at = now()
WHERE a.attempt_id = :#${variable.attemptId}
  AND (a.status = 'STARTED'
       OR (a.status = 'COMPENSATED'
           AND NOT EXISTS (SELECT 1 FROM hub.subscription_attempts o
                           WHERE o.quote_id = a.quote_id AND o.status IN ('STARTED', 'COMPENSATING'))))
