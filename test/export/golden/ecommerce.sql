-- Flink SQL for pipeline "ecommerce" (scenarios/ecommerce.pipeline.ts), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: ecommerce; one sink topic per step: ecommerce.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field timestamp is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  action STRING,
  event_type STRING,
  `metadata` ROW<page STRING>,
  order_id STRING,
  product_id STRING,
  properties ROW<category STRING>,
  `stream` STRING,
  `timestamp` BIGINT,
  total_amount STRING,
  user_id STRING,
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-ecommerce',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step user_sessions (window)
CREATE TEMPORARY VIEW user_sessions_input AS
SELECT *
FROM events
WHERE `stream` = 'user';

CREATE TABLE user_sessions_sink (
  user_id STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  session_start BIGINT,
  session_end BIGINT,
  event_count BIGINT,
  unique_pages BIGINT,
  event_types BIGINT,
  logins DOUBLE,
  `views` DOUBLE,
  clicks DOUBLE,
  add_to_carts DOUBLE,
  purchases DOUBLE,
  session_duration DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.user_sessions',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step product_popularity (window)
CREATE TEMPORARY VIEW product_popularity_input AS
SELECT *
FROM events
WHERE `stream` = 'product';

CREATE TABLE product_popularity_sink (
  product_id STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  `views` DOUBLE,
  carts DOUBLE,
  purchases DOUBLE,
  unique_users BIGINT,
  category STRING,
  conversion_rate DOUBLE,
  popularity_score DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.product_popularity',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step order_anomalies (process): not exported
-- NOT EXPORTED: a TypeScript process function (keyed state and timers in code) has no SQL form
--   suggestion: port it to a KeyedProcessFunction on the DataStream API reading the same topic: the state, timers and side outputs of sw's process API map one to one onto Flink's

-- step funnel_login_view_purchase (pattern)
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW funnel_login_view_purchase_input AS
SELECT *
FROM events
WHERE `stream` = 'user';

CREATE TABLE funnel_login_view_purchase_sink (
  user_id STRING,
  pattern_type STRING,
  duration DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.funnel_login_view_purchase',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step funnel_sequence (pattern)
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW funnel_sequence_input AS
SELECT *
FROM events
WHERE `stream` = 'user';

CREATE TABLE funnel_sequence_sink (
  user_id STRING,
  duration DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.funnel_sequence',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step funnel_or (pattern)
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW funnel_or_input AS
SELECT *
FROM events
WHERE `stream` = 'user';

CREATE TABLE funnel_or_sink (
  user_id STRING,
  via STRING,
  duration DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.funnel_or',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step funnel_not_logout (pattern)
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW funnel_not_logout_input AS
SELECT *
FROM events
WHERE `stream` = 'user';

CREATE TABLE funnel_not_logout_sink (
  user_id STRING,
  duration DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.funnel_not_logout',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step funnel_clicks (pattern)
-- DIFFERS: stage repeated loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage repeated so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW funnel_clicks_input AS
SELECT *
FROM events
WHERE `stream` = 'user';

CREATE TABLE funnel_clicks_sink (
  user_id STRING,
  clicks DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.funnel_clicks',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step funnel_greedy (pattern)
-- DIFFERS: stage greedy loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage greedy so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW funnel_greedy_input AS
SELECT *
FROM events
WHERE `stream` = 'user';

CREATE TABLE funnel_greedy_sink (
  user_id STRING,
  `views` DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.funnel_greedy',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step user_activity (window)
CREATE TABLE user_activity_sink (
  user_id STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  events BIGINT,
  user_events DOUBLE,
  `views` DOUBLE,
  carts DOUBLE,
  purchases DOUBLE,
  orders DOUBLE,
  revenue DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.user_activity',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step global_activity (window)
CREATE TABLE global_activity_sink (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  events BIGINT,
  unique_users BIGINT,
  `views` DOUBLE,
  carts DOUBLE,
  purchases DOUBLE,
  orders DOUBLE,
  revenue DOUBLE,
  events_per_second DOUBLE,
  revenue_per_user DOUBLE,
  conversion_rate DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'ecommerce.global_activity',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step user_sessions
INSERT INTO user_sessions_sink
SELECT user_id, window_start, window_end, session_start, session_end, event_count, unique_pages, event_types, logins, `views`, clicks, add_to_carts, purchases, session_end - session_start AS session_duration
FROM (
  SELECT user_id, window_start, window_end, MIN(`timestamp`) AS session_start, MAX(`timestamp`) AS session_end, COUNT(*) AS event_count, COUNT(DISTINCT `metadata`.page) AS unique_pages, COUNT(DISTINCT event_type) AS event_types, SUM(CAST(CASE WHEN event_type = 'login' THEN 1 ELSE 0 END AS DOUBLE)) AS logins, SUM(CAST(CASE WHEN event_type = 'view' THEN 1 ELSE 0 END AS DOUBLE)) AS `views`, SUM(CAST(CASE WHEN event_type = 'click' THEN 1 ELSE 0 END AS DOUBLE)) AS clicks, SUM(CAST(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END AS DOUBLE)) AS add_to_carts, SUM(CAST(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END AS DOUBLE)) AS purchases
  FROM TABLE(HOP(TABLE user_sessions_input, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
  GROUP BY user_id, window_start, window_end
);

-- step product_popularity
INSERT INTO product_popularity_sink
SELECT product_id, window_start, window_end, `views`, carts, purchases, unique_users, category, CASE WHEN `views` > 0 THEN CAST(purchases AS DOUBLE) / `views` ELSE 0 END AS conversion_rate, ((`views` * 1) + (carts * 3)) + (purchases * 10) AS popularity_score
FROM (
  SELECT product_id, window_start, window_end, SUM(CAST(CASE WHEN action = 'view' THEN 1 ELSE 0 END AS DOUBLE)) AS `views`, SUM(CAST(CASE WHEN action = 'cart' THEN 1 ELSE 0 END AS DOUBLE)) AS carts, SUM(CAST(CASE WHEN action = 'purchase' THEN 1 ELSE 0 END AS DOUBLE)) AS purchases, COUNT(DISTINCT user_id) AS unique_users, FIRST_VALUE(properties.category) AS category
  FROM TABLE(TUMBLE(TABLE product_popularity_input, DESCRIPTOR(event_time), INTERVAL '5' MINUTE))
  GROUP BY product_id, window_start, window_end
);

-- step funnel_login_view_purchase
INSERT INTO funnel_login_view_purchase_sink
SELECT user_id_measure AS user_id, pattern_type, duration, match_time
FROM funnel_login_view_purchase_input
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES
    FIRST(start_stage.user_id) AS user_id_measure,
    'login_to_purchase' AS pattern_type,
    FIRST(end_stage.`timestamp`) - FIRST(start_stage.`timestamp`) AS duration,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (start_stage middle_gap* middle end_stage_gap* end_stage)
  WITHIN INTERVAL '10' MINUTE
  DEFINE
    start_stage AS start_stage.event_type = 'login',
    middle_gap AS NOT COALESCE(middle_gap.event_type = 'view', FALSE),
    middle AS middle.event_type = 'view',
    end_stage_gap AS NOT COALESCE(end_stage_gap.event_type = 'purchase', FALSE),
    end_stage AS end_stage.event_type = 'purchase'
) AS matched;

-- step funnel_sequence
INSERT INTO funnel_sequence_sink
SELECT user_id_measure AS user_id, duration, match_time
FROM funnel_sequence_input
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES
    FIRST(first_stage.user_id) AS user_id_measure,
    FIRST(fourth.`timestamp`) - FIRST(first_stage.`timestamp`) AS duration,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (first_stage second_stage_gap* second_stage third_gap* third fourth_gap* fourth)
  WITHIN INTERVAL '1' HOUR
  DEFINE
    first_stage AS first_stage.event_type = 'login',
    second_stage_gap AS NOT COALESCE(second_stage_gap.event_type = 'browse', FALSE),
    second_stage AS second_stage.event_type = 'browse',
    third_gap AS NOT COALESCE(third_gap.event_type = 'add_to_cart', FALSE),
    third AS third.event_type = 'add_to_cart',
    fourth_gap AS NOT COALESCE(fourth_gap.event_type = 'checkout', FALSE),
    fourth AS fourth.event_type = 'checkout'
) AS matched;

-- step funnel_or
INSERT INTO funnel_or_sink
SELECT user_id_measure AS user_id, via, duration, match_time
FROM funnel_or_input
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES
    FIRST(start_stage.user_id) AS user_id_measure,
    FIRST(action.event_type) AS via,
    FIRST(end_stage.`timestamp`) - FIRST(start_stage.`timestamp`) AS duration,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (start_stage action_gap* action end_stage_gap* end_stage)
  WITHIN INTERVAL '30' MINUTE
  DEFINE
    start_stage AS start_stage.event_type = 'login',
    action_gap AS NOT COALESCE((action_gap.event_type = 'view') OR (action_gap.event_type = 'click'), FALSE),
    action AS (action.event_type = 'view') OR (action.event_type = 'click'),
    end_stage_gap AS NOT COALESCE(end_stage_gap.event_type = 'purchase', FALSE),
    end_stage AS end_stage.event_type = 'purchase'
) AS matched;

-- step funnel_not_logout
INSERT INTO funnel_not_logout_sink
SELECT user_id_measure AS user_id, duration, match_time
FROM funnel_not_logout_input
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES
    FIRST(start_stage.user_id) AS user_id_measure,
    FIRST(end_stage.`timestamp`) - FIRST(start_stage.`timestamp`) AS duration,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (start_stage middle_gap* middle end_stage_gap* end_stage)
  WITHIN INTERVAL '15' MINUTE
  DEFINE
    start_stage AS start_stage.event_type = 'login',
    middle_gap AS NOT COALESCE(middle_gap.event_type = 'view', FALSE),
    middle AS middle.event_type = 'view',
    end_stage_gap AS NOT COALESCE(end_stage_gap.event_type = 'purchase', FALSE) AND NOT COALESCE(end_stage_gap.event_type = 'logout', FALSE),
    end_stage AS end_stage.event_type = 'purchase'
) AS matched;

-- step funnel_clicks
INSERT INTO funnel_clicks_sink
SELECT user_id_measure AS user_id, clicks, match_time
FROM funnel_clicks_input
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES
    FIRST(repeated.user_id) AS user_id_measure,
    COUNT(repeated.*) AS clicks,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (repeated{3,3} end_stage_gap* end_stage)
  WITHIN INTERVAL '5' MINUTE
  DEFINE
    repeated AS repeated.event_type = 'click',
    end_stage_gap AS NOT COALESCE(end_stage_gap.event_type = 'purchase', FALSE),
    end_stage AS end_stage.event_type = 'purchase'
) AS matched;

-- step funnel_greedy
INSERT INTO funnel_greedy_sink
SELECT user_id_measure AS user_id, `views`, match_time
FROM funnel_greedy_input
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES
    FIRST(greedy.user_id) AS user_id_measure,
    COUNT(greedy.*) AS `views`,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (greedy+ end_stage_gap* end_stage)
  WITHIN INTERVAL '10' MINUTE
  DEFINE
    greedy AS greedy.event_type = 'view',
    end_stage_gap AS NOT COALESCE(end_stage_gap.event_type = 'purchase', FALSE),
    end_stage AS end_stage.event_type = 'purchase'
) AS matched;

-- step user_activity
INSERT INTO user_activity_sink
SELECT user_id, window_start, window_end, COUNT(*) AS events, SUM(CAST(CASE WHEN `stream` = 'user' THEN 1 ELSE 0 END AS DOUBLE)) AS user_events, SUM(CAST(CASE WHEN (`stream` = 'product') AND (action = 'view') THEN 1 ELSE 0 END AS DOUBLE)) AS `views`, SUM(CAST(CASE WHEN (`stream` = 'product') AND (action = 'cart') THEN 1 ELSE 0 END AS DOUBLE)) AS carts, SUM(CAST(CASE WHEN (`stream` = 'product') AND (action = 'purchase') THEN 1 ELSE 0 END AS DOUBLE)) AS purchases, SUM(CAST(CASE WHEN `stream` = 'order' THEN 1 ELSE 0 END AS DOUBLE)) AS orders, SUM(CAST(CASE WHEN `stream` = 'order' THEN total_amount ELSE 0 END AS DOUBLE)) AS revenue
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY user_id, window_start, window_end;

-- step global_activity
INSERT INTO global_activity_sink
SELECT window_start, window_end, events, unique_users, `views`, carts, purchases, orders, revenue, CAST(events AS DOUBLE) / 60 AS events_per_second, CAST(revenue AS DOUBLE) / unique_users AS revenue_per_user, CASE WHEN `views` > 0 THEN CAST(purchases AS DOUBLE) / `views` ELSE 0 END AS conversion_rate
FROM (
  SELECT window_start, window_end, COUNT(*) AS events, COUNT(DISTINCT user_id) AS unique_users, SUM(CAST(CASE WHEN (`stream` = 'product') AND (action = 'view') THEN 1 ELSE 0 END AS DOUBLE)) AS `views`, SUM(CAST(CASE WHEN (`stream` = 'product') AND (action = 'cart') THEN 1 ELSE 0 END AS DOUBLE)) AS carts, SUM(CAST(CASE WHEN (`stream` = 'product') AND (action = 'purchase') THEN 1 ELSE 0 END AS DOUBLE)) AS purchases, SUM(CAST(CASE WHEN `stream` = 'order' THEN 1 ELSE 0 END AS DOUBLE)) AS orders, SUM(CAST(CASE WHEN `stream` = 'order' THEN total_amount ELSE 0 END AS DOUBLE)) AS revenue
  FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
  GROUP BY window_start, window_end
);

END;
