-- D06: one row's history in the audit trail, in WAL order, as one JSON document
SELECT CAST(json_build_object(
           'table', CAST(:#${header.table} AS text), 'key', CAST(:#${header.key} AS text),
           'entries', COALESCE(json_agg(json_build_object(
               'operation', operation, 'before', before, 'after', after, 'changedColumns', changed_columns,
               'transactionId', transaction_id, 'lsn', CAST(lsn AS text), 'commitTime', commit_time,
               'changedBy', changed_by, 'recordedAt', recorded_at)
           ORDER BY lsn, entry_id), CAST('[]' AS json))) AS text) AS history
FROM hub.audit_trail
WHERE source_table = CAST(:#${header.table} AS text) AND row_key = CAST(:#${header.key} AS text)
