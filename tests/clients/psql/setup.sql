-- The schema the psql test describes. Run with `psql -v target=plantdb|postgres`; only the
-- time-series clause of CREATE TABLE differs (PostgreSQL does not know it).
\set ON_ERROR_STOP 1
SELECT :'target' = 'plantdb' AS is_plantdb \gset
\if :is_plantdb
CREATE TABLE readings (
    ts timestamp NOT NULL,
    machine text NOT NULL,
    temperature double precision,
    count bigint DEFAULT 0,
    ok boolean,
    note varchar(20) DEFAULT 'none',
    PRIMARY KEY (machine, ts)
) WITH (timestamp = 'ts', tags = 'machine');
\else
CREATE TABLE readings (
    ts timestamp NOT NULL,
    machine text NOT NULL,
    temperature double precision,
    count bigint DEFAULT 0,
    ok boolean,
    note varchar(20) DEFAULT 'none',
    PRIMARY KEY (machine, ts)
);
-- PostgreSQL 15's public schema belongs to pg_database_owner, plantdb's to its superuser:
-- the test compares output apart from owners, so the owner is made the same here.
ALTER SCHEMA public OWNER TO plantdb;
-- plantdb's time_bucket functions (in schema public, as TimescaleDB's), with the same
-- signatures, so that `\df time_bucket` lists the same functions.
CREATE FUNCTION time_bucket(interval, timestamptz) RETURNS timestamptz
    LANGUAGE sql AS $$SELECT date_bin($1, $2, TIMESTAMPTZ '2000-01-03')$$;
CREATE FUNCTION time_bucket(interval, timestamptz, timestamptz) RETURNS timestamptz
    LANGUAGE sql AS $$SELECT date_bin($1, $2, $3)$$;
CREATE FUNCTION time_bucket(interval, timestamp) RETURNS timestamp
    LANGUAGE sql AS $$SELECT date_bin($1, $2, TIMESTAMP '2000-01-03')$$;
CREATE FUNCTION time_bucket(interval, timestamp, timestamp) RETURNS timestamp
    LANGUAGE sql AS $$SELECT date_bin($1, $2, $3)$$;
\endif
COMMENT ON TABLE readings IS 'Machine readings';
COMMENT ON COLUMN readings.temperature IS 'Degrees Celsius';
CREATE TABLE machines (id integer PRIMARY KEY, name text NOT NULL, capacity numeric(10,2), installed date);
CREATE VIEW hot AS SELECT ts, machine, temperature FROM readings WHERE temperature > 25;
