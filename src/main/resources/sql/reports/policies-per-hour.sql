-- D05: policies created per hour in [from, to) with their premium, and how fresh the read model is
SELECT CAST(json_build_object(
           'report', 'policies-per-hour', 'from', f, 'to', t,
           'asOf', p.committed_at, 'lastAppliedLsn', CAST(p.lsn AS text), 'appliedAt', p.applied_at,
           'totalPolicies', (SELECT coalesce(sum(policies), 0) FROM hub.report_policies_per_hour
                             WHERE hour >= date_trunc('hour', f) AND hour < t),
           'hours', (SELECT coalesce(json_agg(json_build_object('hour', hour, 'policies', policies, 'premium', premium)
                                              ORDER BY hour), CAST('[]' AS json))
                     FROM hub.report_policies_per_hour
                     WHERE hour >= date_trunc('hour', f) AND hour < t AND policies <> 0)) AS text) AS report
FROM (SELECT coalesce(CAST(NULLIF(CAST(:#${header.to} AS text), '') AS timestamptz), now()) AS t) upper_bound
CROSS JOIN LATERAL (SELECT coalesce(CAST(NULLIF(CAST(:#${header.from} AS text), '') AS timestamptz), t - interval '24 hours') AS f) lower_bound
LEFT JOIN hub.change_capture_position p ON p.capture = 'business-changes'
