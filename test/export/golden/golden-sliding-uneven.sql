-- Flink SQL for pipeline "sliding-uneven" (test/golden/sliding-uneven/pipeline.yaml), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: sliding-uneven; one sink topic per step: sliding-uneven.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field t is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  item STRING,
  qty DOUBLE,
  t BIGINT,
  event_time AS TO_TIMESTAMP_LTZ(t, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '0' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'sliding-uneven',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-sliding-uneven',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step trend (window)
CREATE TABLE trend_sink (
  item STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  n BIGINT,
  total DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'sliding-uneven.trend',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step trend
INSERT INTO trend_sink
SELECT item, window_start, window_end, COUNT(*) AS n, SUM(CAST(qty AS DOUBLE)) AS total
FROM TABLE(HOP(TABLE events, DESCRIPTOR(event_time), INTERVAL '3' MINUTE, INTERVAL '10' MINUTE))
GROUP BY item, window_start, window_end;

END;
