-- R02: every parked event with its reason and age, oldest first, as one JSON array
SELECT CAST(COALESCE(json_agg(json_build_object(
           'consumer', consumer, 'aggregateId', aggregate_id, 'version', version, 'eventId', event_id,
           'eventType', event_type, 'reason', reason, 'parkedAt', parked_at,
           'ageSeconds', floor(extract(epoch FROM now() - parked_at)))
       ORDER BY parked_at, aggregate_id, version), CAST('[]' AS json)) AS text) AS parked
FROM hub.parked_events
