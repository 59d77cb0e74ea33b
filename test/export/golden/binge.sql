-- Flink SQL for pipeline "binge" (scenarios/binge.pipeline.yaml), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: binge; one sink topic per step: binge.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field timestamp is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  eventType STRING,
  `timestamp` BIGINT,
  userId STRING,
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'binge',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-binge',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step binge (pattern)
-- DIFFERS: stage more loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage more so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TABLE binge_sink (
  userId STRING,
  watched DOUBLE,
  `minutes` DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'binge.binge',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step binge
INSERT INTO binge_sink
SELECT userId_measure AS userId, watched, `minutes`, match_time
FROM events
MATCH_RECOGNIZE (
  PARTITION BY userId
  ORDER BY event_time
  MEASURES
    FIRST(start_stage.userId) AS userId_measure,
    COUNT(more_stage.*) + 1 AS watched,
    CAST(LAST(more_stage.`timestamp`) - FIRST(start_stage.`timestamp`) AS DOUBLE) / 60000 AS `minutes`,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (start_stage more_stage{3,3})
  WITHIN INTERVAL '2' HOUR
  DEFINE
    start_stage AS start_stage.eventType = 'content.watched',
    more_stage AS more_stage.eventType = 'content.watched'
) AS matched;

END;
