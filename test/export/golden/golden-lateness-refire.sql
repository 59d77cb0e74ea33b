-- Flink SQL for pipeline "lateness-refire" (test/golden/lateness-refire/pipeline.yaml), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: lateness-refire; one sink topic per step: lateness-refire.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field ts is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  k STRING,
  ts BIGINT,
  v DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '1' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'lateness-refire',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-lateness-refire',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step counts (window)
-- DIFFERS: allowedLateness 5000 ms: Flink SQL window aggregations emit each window once, at the watermark, and drop rows that arrive later, so the engine's late re-firings are not produced
--   suggestion: raise time.outOfOrderness by the lateness (later but complete results), or run the step on the DataStream API with allowedLateness
-- DIFFERS: lateOutput: Flink SQL has no side output for late rows; they are dropped
--   suggestion: compare CURRENT_WATERMARK(event_time) with event_time in a separate INSERT to capture late rows, or use the DataStream API side output
CREATE TABLE counts_sink (
  k STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  n BIGINT,
  `sum` DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'lateness-refire.counts',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step counts
INSERT INTO counts_sink
SELECT k, window_start, window_end, COUNT(*) AS n, SUM(CAST(v AS DOUBLE)) AS `sum`
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
GROUP BY k, window_start, window_end;

END;
