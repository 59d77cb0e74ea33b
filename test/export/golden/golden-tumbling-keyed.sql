-- Flink SQL for pipeline "tumbling-keyed" (test/golden/tumbling-keyed/pipeline.yaml), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: tumbling-keyed; one sink topic per step: tumbling-keyed.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field ts is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  page STRING,
  ts BIGINT,
  `user` STRING,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '2' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'tumbling-keyed',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-tumbling-keyed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step perPage (window)
CREATE TABLE perPage_sink (
  page STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  `views` BIGINT,
  users BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'tumbling-keyed.perPage',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step everything (window)
CREATE TABLE everything_sink (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  events BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'tumbling-keyed.everything',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step perPage
INSERT INTO perPage_sink
SELECT page, window_start, window_end, COUNT(*) AS `views`, COUNT(DISTINCT `user`) AS users
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '15' SECOND))
GROUP BY page, window_start, window_end;

-- step everything
INSERT INTO everything_sink
SELECT window_start, window_end, COUNT(*) AS events
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_time), INTERVAL '2' MINUTE))
GROUP BY window_start, window_end;

END;
