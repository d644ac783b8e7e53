-- F03: the status of one attempt
SELECT status FROM hub.subscription_attempts WHERE attempt_id = :#${variable.attemptId}
