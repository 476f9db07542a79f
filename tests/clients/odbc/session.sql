SET TIME ZONE 'UTC'
CREATE TABLE machines (id integer PRIMARY KEY, name text NOT NULL, capacity numeric(10,2), installed date, active boolean)
INSERT INTO machines VALUES (1, 'press', 12.50, '2024-01-15', true), (2, 'oven', NULL, NULL, false), (3, 'ünï', 0.25, '2023-12-31', NULL)
SELECT id, name, capacity, installed, active FROM machines ORDER BY id
SELECT count(*), sum(capacity), max(installed) FROM machines
SELECT machine, count(*), min(ts), max(temperature) FROM readings GROUP BY machine ORDER BY machine
SELECT * FROM nope
SELECT 'still connected', 1 + 1
help
help machines
help readings
