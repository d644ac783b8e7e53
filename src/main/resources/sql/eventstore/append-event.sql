-- D07: one domain event (the envelope, the body) appended to the event store with its aggregate type, in one
-- transaction with the policy projection's update (hub.append_event, Flyway V15); answers APPENDED <position>,
-- DUPLICATE (a redelivery: nothing written) or PARKED (another event holds its aggregate version).
SELECT hub.append_event(CAST(:#${body} AS jsonb), :#aggregateType, string_to_array(:#unversionedEventTypes, ','),
                        :#eventSource, CAST(:#snapshotEvery AS integer)) AS outcome
