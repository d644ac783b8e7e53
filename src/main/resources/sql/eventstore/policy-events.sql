-- D07: one policy's event stream from the store, ordered by version, as one JSON object; no row for an unknown policy
SELECT CAST(json_build_object('policyId', min(aggregate_id), 'events', json_agg(json_build_object(
           'position', position, 'version', version, 'eventId', event_id, 'eventType', event_type,
           'occurredAt', occurred_at, 'recordedAt', recorded_at, 'data', payload) ORDER BY version)) AS text) AS stream
FROM hub.event_store
WHERE aggregate_type = 'policy' AND aggregate_id = :#policyId
HAVING count(*) > 0
