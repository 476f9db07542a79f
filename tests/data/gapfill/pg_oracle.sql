-- PostgreSQL 15 formulation of the gap-filled query of tests/gapfill.rs: every 5-minute bucket
-- of [10:00, 12:00) for each device with a row in that range (generate_series × devices, LEFT
-- JOIN the per-bucket aggregates), locf as the last non-empty bucket at or before the bucket
-- (LATERAL … ORDER BY b DESC LIMIT 1, looking before 10:00 too), interpolate between the
-- previous and next non-empty buckets (looking outside the range too), with and without a
-- maximum gap. Output: dev|bucket|avg|locf|locf_20min|locf_skipnull|interp|interp_30min|interp_n
WITH k AS (SELECT generate_series(timestamp '2026-01-05 10:00', timestamp '2026-01-05 11:55', interval '5 minutes') AS b),
     d AS (SELECT DISTINCT dev FROM g WHERE ts >= '2026-01-05 10:00' AND ts < '2026-01-05 12:00'),
     a AS (SELECT date_bin('5 minutes', ts, timestamp '2000-01-03') AS b, dev, avg(v) AS av, max(n) AS mn
           FROM g GROUP BY 1, 2)
SELECT d.dev, k.b, r.av,
  l.av AS locf,
  CASE WHEN k.b - l.b <= interval '20 minutes' THEN l.av END AS locf_20min,
  ln.av AS locf_skipnull,
  CASE WHEN r.b IS NOT NULL THEN r.av
       ELSE (p.av * extract(epoch FROM nx.b - k.b) + nx.av * extract(epoch FROM k.b - p.b))
            / extract(epoch FROM nx.b - p.b) END AS interp,
  CASE WHEN r.b IS NOT NULL THEN r.av
       WHEN nx.b - p.b <= interval '30 minutes'
       THEN (p.av * extract(epoch FROM nx.b - k.b) + nx.av * extract(epoch FROM k.b - p.b))
            / extract(epoch FROM nx.b - p.b) END AS interp_30min,
  CASE WHEN r.b IS NOT NULL THEN r.mn
       ELSE round((p.mn * extract(epoch FROM nx.b - k.b) + nx.mn * extract(epoch FROM k.b - p.b))
                  / extract(epoch FROM nx.b - p.b))::int8 END AS interp_n
FROM d CROSS JOIN k
LEFT JOIN a r ON r.dev = d.dev AND r.b = k.b
LEFT JOIN LATERAL (SELECT x.b, x.av FROM a x WHERE x.dev = d.dev AND x.b <= k.b ORDER BY x.b DESC LIMIT 1) l ON true
LEFT JOIN LATERAL (SELECT x.b, x.av FROM a x WHERE x.dev = d.dev AND x.b <= k.b AND x.av IS NOT NULL ORDER BY x.b DESC LIMIT 1) ln ON true
LEFT JOIN LATERAL (SELECT x.b, x.av, x.mn FROM a x WHERE x.dev = d.dev AND x.b < k.b ORDER BY x.b DESC LIMIT 1) p ON true
LEFT JOIN LATERAL (SELECT x.b, x.av, x.mn FROM a x WHERE x.dev = d.dev AND x.b > k.b ORDER BY x.b LIMIT 1) nx ON true
ORDER BY 1, 2;
