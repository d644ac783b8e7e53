-- D05: what is wrong with a report's range (from, to: instants; to defaults to now, from to 24 hours before to),
-- or null: to before from, or a range over a year
SELECT CASE WHEN t < f THEN 'to is before from'
            WHEN t > f + interval '1 year' THEN 'the range from..to is over a year' END AS problem
FROM (SELECT coalesce(CAST(NULLIF(CAST(:#${header.to} AS text), '') AS timestamptz), now()) AS t) upper_bound,
     LATERAL (SELECT coalesce(CAST(NULLIF(CAST(:#${header.from} AS text), '') AS timestamptz), t - interval '24 hours') AS f) lower_bound
