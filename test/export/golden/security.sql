-- Flink SQL for pipeline "security" (scenarios/security.pipeline.ts), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: security; one sink topic per step: security.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field timestamp is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  amount DOUBLE,
  event_type STRING,
  `location` STRING,
  `timestamp` BIGINT,
  `type` STRING,
  user_id STRING,
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '30' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'security',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-security',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step rapid_logins (pattern)
-- DIFFERS: stage subsequent_logins loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage subsequent_logins so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW rapid_logins_input AS
SELECT *
FROM events
WHERE `type` = 'session';

CREATE TABLE rapid_logins_sink (
  user_id STRING,
  alert_type STRING,
  description STRING,
  risk_score DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'security.rapid_logins',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step impossible_travel (process): not exported
-- NOT EXPORTED: a TypeScript process function (keyed state and timers in code) has no SQL form
--   suggestion: port it to a KeyedProcessFunction on the DataStream API reading the same topic: the state, timers and side outputs of sw's process API map one to one onto Flink's

-- step large_then_small (pattern)
-- DIFFERS: stage frequent_small_transactions loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage frequent_small_transactions so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW large_then_small_input AS
SELECT *
FROM events
WHERE `type` = 'transaction';

CREATE TABLE large_then_small_sink (
  user_id STRING,
  alert_type STRING,
  large_amount DOUBLE,
  small_total DOUBLE,
  risk_score DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'security.large_then_small',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step session_analysis (window)
CREATE TEMPORARY VIEW session_analysis_input AS
SELECT *
FROM events
WHERE `type` = 'session';

CREATE TABLE session_analysis_sink (
  user_id STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  event_count BIGINT,
  first_event BIGINT,
  last_event BIGINT,
  api_calls DOUBLE,
  page_views DOUBLE,
  logins DOUBLE,
  session_duration DOUBLE,
  anomaly_score DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'security.session_analysis',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step rapid_logins
INSERT INTO rapid_logins_sink
SELECT user_id_measure AS user_id, alert_type, description, risk_score, match_time
FROM rapid_logins_input
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES
    FIRST(first_login.user_id) AS user_id_measure,
    'RAPID_LOGIN_ATTEMPTS' AS alert_type,
    '5 login attempts within 5 minutes' AS description,
    0.8 AS risk_score,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (first_login subsequent_logins{4,4})
  WITHIN INTERVAL '5' MINUTE
  DEFINE
    first_login AS first_login.event_type = 'login',
    subsequent_logins AS subsequent_logins.event_type = 'login'
) AS matched;

-- step large_then_small
INSERT INTO large_then_small_sink
SELECT user_id_measure AS user_id, alert_type, large_amount, small_total, risk_score, match_time
FROM large_then_small_input
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES
    FIRST(large_transaction.user_id) AS user_id_measure,
    'SUSPICIOUS_TRANSACTION_PATTERN' AS alert_type,
    FIRST(large_transaction.amount) AS large_amount,
    SUM(frequent_small_transactions.amount) AS small_total,
    0.9 AS risk_score,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (large_transaction frequent_small_transactions_gap* frequent_small_transactions{10,10})
  WITHIN INTERVAL '1' HOUR
  DEFINE
    large_transaction AS large_transaction.amount > 10000,
    frequent_small_transactions_gap AS NOT COALESCE(frequent_small_transactions_gap.amount < 100, FALSE),
    frequent_small_transactions AS frequent_small_transactions.amount < 100
) AS matched;

-- step session_analysis
INSERT INTO session_analysis_sink
SELECT user_id, window_start, window_end, event_count, first_event, last_event, api_calls, page_views, logins, last_event - first_event AS session_duration, LEAST(((CASE WHEN event_count > 1000 THEN 0.3 ELSE 0 END) + (CASE WHEN (last_event - first_event) > 3600000 THEN 0.2 ELSE 0 END)) + (CASE WHEN (api_calls > 100) AND (page_views = 0) THEN 0.5 ELSE 0 END), 1) AS anomaly_score
FROM (
  SELECT user_id, window_start, window_end, COUNT(*) AS event_count, MIN(`timestamp`) AS first_event, MAX(`timestamp`) AS last_event, SUM(CAST(CASE WHEN event_type = 'api_call' THEN 1 ELSE 0 END AS DOUBLE)) AS api_calls, SUM(CAST(CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END AS DOUBLE)) AS page_views, SUM(CAST(CASE WHEN event_type = 'login' THEN 1 ELSE 0 END AS DOUBLE)) AS logins
  FROM TABLE(TUMBLE(TABLE session_analysis_input, DESCRIPTOR(event_time), INTERVAL '30' MINUTE))
  GROUP BY user_id, window_start, window_end
);

END;
