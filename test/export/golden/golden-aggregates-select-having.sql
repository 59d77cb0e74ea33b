-- Flink SQL for pipeline "aggregates" (test/golden/aggregates-select-having/pipeline.yaml), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: aggregates; one sink topic per step: aggregates.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field ts is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).
-- PERCENTILE(x, q) needs Flink 1.19 or later.

CREATE TABLE events (
  kind STRING,
  price DOUBLE,
  region STRING,
  ts BIGINT,
  `user` STRING,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '0' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'aggregates',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-aggregates',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step stats (window)
CREATE TABLE stats_sink (
  region STRING,
  kind STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  n BIGINT,
  priced BIGINT,
  total DOUBLE,
  mean DOUBLE,
  low DOUBLE,
  high DOUBLE,
  buyers BIGINT,
  firstUser STRING,
  lastUser STRING,
  spread DOUBLE,
  p90 DOUBLE,
  perBuyer DOUBLE,
  label STRING,
  `minutes` DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'aggregates.stats',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step stats
INSERT INTO stats_sink
SELECT region, kind, window_start, window_end, n, priced, total, mean, low, high, buyers, firstUser, lastUser, spread, p90, CAST(total AS DOUBLE) / buyers AS perBuyer, (region || '/') || kind AS label, CAST((1000 * UNIX_TIMESTAMP(DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss'))) - (1000 * UNIX_TIMESTAMP(DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm:ss'))) AS DOUBLE) / 60000 AS `minutes`
FROM (
  SELECT region, kind, window_start, window_end, COUNT(*) AS n, COUNT(price) AS priced, SUM(CAST(price AS DOUBLE)) AS total, AVG(CAST(price AS DOUBLE)) AS mean, MIN(price) AS low, MAX(price) AS high, COUNT(DISTINCT `user`) AS buyers, FIRST_VALUE(`user`) AS firstUser, LAST_VALUE(`user`) AS lastUser, STDDEV_SAMP(CAST(price AS DOUBLE)) AS spread, PERCENTILE(CAST(price AS DOUBLE), 0.9) AS p90
  FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
  GROUP BY region, kind, window_start, window_end
)
WHERE n >= 2;

END;
