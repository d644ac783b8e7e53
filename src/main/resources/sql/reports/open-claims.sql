-- D05: claims neither SETTLED nor REJECTED, per status and currency, the oldest first, and how fresh the read model is
SELECT CAST(json_build_object(
           'report', 'open-claims',
           'asOf', p.committed_at, 'lastAppliedLsn', CAST(p.lsn AS text), 'appliedAt', p.applied_at,
           'openClaims', (SELECT count(*) FROM hub.report_open_claims),
           'oldestOpenedAt', (SELECT min(opened_at) FROM hub.report_open_claims),
           'byStatus', (SELECT coalesce(json_agg(s ORDER BY s.status, s.currency), CAST('[]' AS json))
                        FROM (SELECT status, currency, count(*) AS claims, sum(claimed_amount) AS "claimedAmount"
                              FROM hub.report_open_claims GROUP BY status, currency) s)) AS text) AS report
FROM (SELECT 1) one
LEFT JOIN hub.change_capture_position p ON p.capture = 'business-changes'
