//! The standard query set over the simulated plant.
//!
//! Provenance: the `pg` texts are copied verbatim from the shared workload's `queries.py`
//! (TSBS-shaped telemetry queries q1–q8 and the domain queries d1–d6); times are inside the
//! generated day 2026-01-05. `d1x_oee_by_shift_extension` is d1 through the OEE extension
//! functions, configured as the plain SQL: the shift window from the calendar, its planned break
//! as planned down time, RUNNING as production; it summarises each machine-hour with
//! `oee_partial` (fused with the scan) and places the hours in their shifts with
//! `oee_agg(partial, …)`, so the 8.64 M telemetry rows are never joined; a test
//! (`tests/demo.rs`) checks that both give the same numbers.

/// One benchmark query.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    /// Name as in the shared query set.
    pub name: &'static str,
    /// PostgreSQL-dialect text (also what plantdb runs).
    pub sql: &'static str,
}

/// The eight machines of q2/q3.
pub const M8: &str = "('M0003','M0011','M0017','M0029','M0042','M0055','M0068','M0091')";

/// The query set.
pub const QUERIES: &[Query] = &[
    Query {
        name: "q1_single_groupby_1_1_1",
        sql: "SELECT date_trunc('minute', ts) AS minute, max(temperature_c) AS max_temp
FROM telemetry WHERE machine_id = 'M0042' AND ts >= '2026-01-05 10:00:00' AND ts < '2026-01-05 11:00:00'
GROUP BY 1 ORDER BY 1",
    },
    Query {
        name: "q2_single_groupby_5_8_1",
        sql: "SELECT date_trunc('minute', ts) AS minute, max(spindle_rpm), max(temperature_c), max(vibration_mm_s), max(power_kw), max(part_count)
FROM telemetry WHERE machine_id IN ('M0003','M0011','M0017','M0029','M0042','M0055','M0068','M0091') AND ts >= '2026-01-05 10:00:00' AND ts < '2026-01-05 11:00:00'
GROUP BY 1 ORDER BY 1",
    },
    Query {
        name: "q3_max_all_8",
        sql: "SELECT date_trunc('hour', ts) AS hour, max(spindle_rpm), max(temperature_c), max(vibration_mm_s), max(power_kw), max(part_count), max(scrap_count)
FROM telemetry WHERE machine_id IN ('M0003','M0011','M0017','M0029','M0042','M0055','M0068','M0091') AND ts >= '2026-01-05 08:00:00' AND ts < '2026-01-05 16:00:00'
GROUP BY 1 ORDER BY 1",
    },
    Query {
        name: "q4_double_groupby_all",
        sql: "SELECT date_trunc('hour', ts) AS hour, machine_id, avg(spindle_rpm), avg(temperature_c), avg(vibration_mm_s), avg(power_kw)
FROM telemetry WHERE ts >= '2026-01-05 06:00:00' AND ts < '2026-01-05 18:00:00'
GROUP BY 1, 2 ORDER BY 1, 2",
    },
    Query {
        name: "q5_high_threshold",
        sql: "SELECT ts, machine_id, state, vibration_mm_s, temperature_c FROM telemetry
WHERE vibration_mm_s > 6.5 AND ts >= '2026-01-05 06:00:00' AND ts < '2026-01-05 18:00:00'
ORDER BY ts, machine_id",
    },
    Query {
        name: "q6_lastpoint",
        sql: "SELECT DISTINCT ON (machine_id) machine_id, ts, state, temperature_c, part_count
FROM telemetry ORDER BY machine_id, ts DESC",
    },
    Query {
        name: "q7_groupby_orderby_limit",
        sql: "SELECT date_trunc('minute', ts) AS minute, max(temperature_c) FROM telemetry
WHERE ts < '2026-01-05 17:13:00' GROUP BY 1 ORDER BY 1 DESC LIMIT 5",
    },
    Query {
        name: "q8_full_day_summary",
        sql: "SELECT machine_id, count(*), avg(temperature_c), min(temperature_c), max(temperature_c), stddev_samp(vibration_mm_s), sum(power_kw) / 3600.0 AS kwh
FROM telemetry GROUP BY machine_id ORDER BY machine_id",
    },
    Query {
        name: "d1_oee_by_shift",
        sql: "SELECT s.shift_id, t.machine_id,
  sum(CASE WHEN t.state = 'RUNNING' THEN 1 ELSE 0 END)::float8
    / (extract(epoch FROM (s.end_ts - s.start_ts)) - s.planned_break_min * 60) AS availability,
  (max(t.part_count) - min(t.part_count)) * max(m.ideal_cycle_s)
    / nullif(sum(CASE WHEN t.state = 'RUNNING' THEN 1 ELSE 0 END), 0) AS performance,
  1.0 - (max(t.scrap_count) - min(t.scrap_count))::float8 / nullif(max(t.part_count) - min(t.part_count), 0) AS quality
FROM telemetry t
JOIN shifts s ON t.ts >= s.start_ts AND t.ts < s.end_ts
JOIN machines m ON m.machine_id = t.machine_id
GROUP BY s.shift_id, t.machine_id, s.start_ts, s.end_ts, s.planned_break_min
ORDER BY s.shift_id, t.machine_id",
    },
    Query {
        name: "d1x_oee_by_shift_extension",
        sql: "SELECT shift_id, machine_id, availability(a) AS availability, performance(a) AS performance,
  quality_ratio(a) AS quality
FROM (SELECT s.shift_id, p.machine_id,
    oee_agg(p.part, m.ideal_cycle_s, s.start_ts, s.end_ts, s.planned_break_min * interval '1 minute') AS a
  FROM (SELECT machine_id, time_bucket('1 hour', ts) AS hour,
               oee_partial(ts, state, part_count, scrap_count) AS part
        FROM telemetry GROUP BY 1, 2) p
  JOIN shifts s ON p.hour >= s.start_ts AND p.hour < s.end_ts
  JOIN machines m ON m.machine_id = p.machine_id
  GROUP BY s.shift_id, p.machine_id) x
ORDER BY shift_id, machine_id",
    },
    Query {
        name: "d2_cpk_by_machine",
        sql: "SELECT x.machine_id, count(*) AS n,
  least(s.usl - avg(x.value), avg(x.value) - s.lsl) / (3 * stddev_samp(x.value)) AS cpk
FROM measurements x JOIN specs s ON s.feature = x.feature
GROUP BY x.machine_id, s.usl, s.lsl ORDER BY x.machine_id",
    },
    Query {
        name: "d3_daily_energy_with_resets",
        sql: "WITH d AS (
  SELECT meter_id, ts, kwh_total, kwh_total - lag(kwh_total) OVER (PARTITION BY meter_id ORDER BY ts) AS delta
  FROM meters WHERE ts >= '2026-03-01' AND ts < '2026-06-01')
SELECT meter_id, date_trunc('day', ts) AS day,
  sum(CASE WHEN delta < 0 THEN kwh_total ELSE coalesce(delta, 0) END) AS kwh
FROM d GROUP BY 1, 2 ORDER BY 1, 2",
    },
    Query {
        name: "d4_rolling_zscore",
        sql: "SELECT machine_id, count(*) AS alerts FROM (
  SELECT machine_id, (vibration_mm_s - avg(vibration_mm_s) OVER w) / nullif(stddev_samp(vibration_mm_s) OVER w, 0) AS z
  FROM telemetry WHERE state = 'RUNNING' AND ts >= '2026-01-05 10:00:00' AND ts < '2026-01-05 12:00:00'
  WINDOW w AS (PARTITION BY machine_id ORDER BY ts ROWS BETWEEN 300 PRECEDING AND 1 PRECEDING)) x
WHERE abs(z) > 4 GROUP BY machine_id ORDER BY machine_id",
    },
    Query {
        name: "d5_on_time_by_product",
        sql: "SELECT o.product, count(*) AS orders,
  avg(CASE WHEN x.last_end <= o.due_ts THEN 1.0 ELSE 0.0 END) AS on_time_rate
FROM orders o JOIN (SELECT order_id, max(actual_end) AS last_end FROM operations GROUP BY order_id) x
  ON x.order_id = o.order_id
GROUP BY o.product ORDER BY o.product",
    },
    Query {
        name: "d6_asof_temperature",
        sql: "SELECT CASE WHEN x.value > 10.01 OR x.value < 9.99 THEN 'edge' ELSE 'center' END AS band,
  count(*), avg(t.temperature_c)
FROM measurements x
CROSS JOIN LATERAL (SELECT temperature_c FROM telemetry t
  WHERE t.machine_id = x.machine_id AND t.ts <= x.ts ORDER BY t.ts DESC LIMIT 1) t
GROUP BY 1 ORDER BY 1",
    },
];
