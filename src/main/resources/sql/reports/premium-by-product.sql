-- D05: policies in force (not CANCELLED) and their premium per product and currency, and how fresh the read model is
SELECT CAST(json_build_object(
           'report', 'premium-by-product',
           'asOf', p.committed_at, 'lastAppliedLsn', CAST(p.lsn AS text), 'appliedAt', p.applied_at,
           'products', (SELECT coalesce(json_agg(json_build_object('product', product, 'currency', currency,
                                                                   'policies', policies, 'premium', premium)
                                                 ORDER BY product, currency), CAST('[]' AS json))
                        FROM hub.report_premium_by_product WHERE policies <> 0)) AS text) AS report
FROM (SELECT 1) one
LEFT JOIN hub.change_capture_position p ON p.capture = 'business-changes'
