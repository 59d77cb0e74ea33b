-- Flink SQL for pipeline "binge-small" (test/golden/pattern-binge/pipeline.yaml), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: binge-small; one sink topic per step: binge-small.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field ts is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  ts BIGINT,
  `type` STRING,
  `user` STRING,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'binge-small',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-binge-small',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step binge (pattern)
-- DIFFERS: stage more loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage more so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: emitTimeouts: MATCH_RECOGNIZE drops partial matches that time out (within) without a result
--   suggestion: run the step on the DataStream CEP API with a TimedOutPartialMatchHandler for the timeouts
CREATE TABLE binge_sink (
  `user` STRING,
  watched DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'binge-small.binge',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step binge
INSERT INTO binge_sink
SELECT user_measure AS `user`, watched, match_time
FROM events
MATCH_RECOGNIZE (
  PARTITION BY `user`
  ORDER BY event_time
  MEASURES
    FIRST(start_stage.`user`) AS user_measure,
    COUNT(more_stage.*) + 1 AS watched,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (start_stage more_stage{3,3})
  WITHIN INTERVAL '2' HOUR
  DEFINE
    start_stage AS start_stage.`type` = 'watched',
    more_stage AS more_stage.`type` = 'watched'
) AS matched;

END;
