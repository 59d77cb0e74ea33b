-- Flink SQL for pipeline "dead-letters" (test/golden/dead-letters/pipeline.yaml), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: dead-letters; one sink topic per step: dead-letters.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field meta.ts is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  meta ROW<ts BIGINT>,
  ok BOOLEAN,
  event_time AS TO_TIMESTAMP_LTZ(meta.ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '0' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'dead-letters',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-dead-letters',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step n (window)
CREATE TEMPORARY VIEW n_input AS
SELECT *
FROM events
WHERE ok = TRUE;

CREATE TABLE n_sink (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  n BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'dead-letters.n',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step n
INSERT INTO n_sink
SELECT window_start, window_end, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE n_input, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
GROUP BY window_start, window_end;

END;
