-- PostgreSQL 15 window-function formulations of the toolkit aggregates over series.sql, per
-- 1-hour bucket [s, e) from 10:00 to 13:00 (buckets 09:00 and 13:00 are partial: no sample
-- before the first one, none after the last). Run:
--   psql -X -q -A -F '|' -t -f series.sql -f pg_oracle.sql > pg_answers.txt
-- Each output line: name|bucket|value (value NULL → empty).
CREATE TEMP TABLE b AS
  SELECT g AS s, g + interval '1 hour' AS e FROM generate_series('2026-01-05 09:00'::timestamp, '2026-01-05 13:00', '1 hour') g;
CREATE TEMP TABLE x AS
  SELECT ts, kw, kwh, state, lead(ts) OVER (ORDER BY ts) AS nts, lead(kw) OVER (ORDER BY ts) AS nkw,
         kwh - lag(kwh) OVER (ORDER BY ts) AS d
  FROM s;
-- LOCF: each sample holds until the next one (the last one until the bucket end); the domain
-- starts at s when a sample before s exists, else at the first sample.
SELECT 'twa_locf', b.s,
  sum(x.kw * extract(epoch FROM least(coalesce(x.nts, b.e), b.e) - greatest(x.ts, b.s)))
    / extract(epoch FROM b.e - greatest(min(x.ts), b.s))
FROM b JOIN x ON x.ts < b.e AND coalesce(x.nts, 'infinity') > b.s GROUP BY b.s, b.e ORDER BY b.s;
SELECT 'integral_locf_kwh', b.s,
  sum(x.kw * extract(epoch FROM least(coalesce(x.nts, b.e), b.e) - greatest(x.ts, b.s))) / 3600
FROM b JOIN x ON x.ts < b.e AND coalesce(x.nts, 'infinity') > b.s GROUP BY b.s ORDER BY b.s;
-- Linear: each segment between consecutive samples, clipped to the bucket, values interpolated
-- at the clip points; trapezoids; no extrapolation after the last sample.
CREATE TEMP TABLE seg AS
  SELECT b.s, b.e, greatest(x.ts, b.s) AS a, least(x.nts, b.e) AS z, x.ts, x.nts, x.kw, x.nkw
  FROM b JOIN x ON x.nts IS NOT NULL AND x.ts < b.e AND x.nts > b.s;
SELECT 'twa_linear', s,
  sum((kw + (nkw - kw) * extract(epoch FROM a - ts) / extract(epoch FROM nts - ts)
     + kw + (nkw - kw) * extract(epoch FROM z - ts) / extract(epoch FROM nts - ts)) / 2 * extract(epoch FROM z - a))
  / extract(epoch FROM max(z) - min(a))
FROM seg GROUP BY s ORDER BY s;
-- Counter: increase with a reset counted from zero; the baseline is the previous sample, even
-- before the bucket.
SELECT 'counter_increase', b.s, sum(CASE WHEN x.d < 0 THEN x.kwh ELSE x.d END)
FROM b JOIN x ON x.ts >= b.s AND x.ts < b.e GROUP BY b.s ORDER BY b.s;
SELECT 'counter_resets', b.s, count(*) FILTER (WHERE x.d < 0)
FROM b JOIN x ON x.ts >= b.s AND x.ts < b.e GROUP BY b.s ORDER BY b.s;
-- Time in RUNNING (seconds): LOCF, the last state holds to the bucket end.
SELECT 'running_s', b.s,
  coalesce(sum(extract(epoch FROM least(coalesce(x.nts, b.e), b.e) - greatest(x.ts, b.s))) FILTER (WHERE x.state = 'RUNNING'), 0)
FROM b JOIN x ON x.ts < b.e AND coalesce(x.nts, 'infinity') > b.s GROUP BY b.s ORDER BY b.s;
SELECT 'transitions', b.s, count(*) FILTER (WHERE x.pstate IS NOT NULL AND x.state IS DISTINCT FROM x.pstate)
FROM b JOIN (SELECT ts, state, lag(state) OVER (ORDER BY ts) AS pstate FROM s) x
  ON x.ts >= b.s AND x.ts < b.e GROUP BY b.s ORDER BY b.s;
-- Uptime with an expected interval of 60 s: a sample is live until min(ts + 60 s, next ts).
SELECT 'uptime_s', b.s,
  sum(greatest(0, extract(epoch FROM least(x.ts + interval '60 s', coalesce(x.nts, 'infinity'), b.e) - greatest(x.ts, b.s))))
FROM b JOIN x ON x.ts < b.e AND x.ts + interval '60 s' > b.s GROUP BY b.s ORDER BY b.s;
