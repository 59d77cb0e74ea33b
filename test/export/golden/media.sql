-- Flink SQL for pipeline "media" (scenarios/media.pipeline.ts), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: media; one sink topic per step: media.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field timestamp is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  contentId STRING,
  device STRING,
  eventType STRING,
  experimentId STRING,
  genre STRING,
  quality STRING,
  `timestamp` BIGINT,
  userId STRING,
  variant STRING,
  watchSeconds DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'media',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-media',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step trending (window)
CREATE TEMPORARY VIEW trending_input AS
SELECT *
FROM events
WHERE eventType = 'content.watched';

CREATE TABLE trending_sink (
  contentId STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  watches BIGINT,
  users BIGINT,
  devices BIGINT,
  totalWatchSeconds DOUBLE,
  avgWatchSeconds DOUBLE,
  trendingScore DOUBLE,
  reason STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'media.trending',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step engagement (window)
CREATE TABLE engagement_sink (
  userId STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  contentCount DOUBLE,
  interactionCount DOUBLE,
  contentTypes BIGINT,
  sessionStart BIGINT,
  sessionEnd BIGINT,
  interactionRate DOUBLE,
  engagementScore DOUBLE,
  sessionDuration DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'media.engagement',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step binge (pattern)
-- DIFFERS: stage more loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage more so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TABLE binge_sink (
  userId STRING,
  watched DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'media.binge',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step traffic_anomaly (process): not exported
-- NOT EXPORTED: a TypeScript process function (keyed state and timers in code) has no SQL form
--   suggestion: port it to a KeyedProcessFunction on the DataStream API reading the same topic: the state, timers and side outputs of sw's process API map one to one onto Flink's

-- step churn_risk (pattern)
-- DIFFERS: stage watch loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage watch so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: stage watch is not greedy: Flink CEP emits a match per loop length, MATCH_RECOGNIZE's greedy quantifier the longest one (Flink SQL's reluctant {1,3}? gives the shortest; dt-sql-parser's grammar lacks it)
--   suggestion: set greedy: true on stage watch, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TABLE churn_risk_sink (
  userId STRING,
  sessionDuration DOUBLE,
  watchCount DOUBLE,
  riskScore DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'media.churn_risk',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step premium_conversion (pattern)
-- DIFFERS: stage highEngagement loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage highEngagement so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: stage highEngagement is not greedy: Flink CEP emits a match per loop length, MATCH_RECOGNIZE's greedy quantifier the longest one (Flink SQL's reluctant {3,}? gives the shortest; dt-sql-parser's grammar lacks it)
--   suggestion: set greedy: true on stage highEngagement, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TABLE premium_conversion_sink (
  userId STRING,
  engagementCount DOUBLE,
  qualityUpgradeAttempts DOUBLE,
  conversionScore DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'media.premium_conversion',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step viral_content (pattern)
-- DIFFERS: stage share loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage share so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: stage share is not greedy: Flink CEP emits a match per loop length, MATCH_RECOGNIZE's greedy quantifier the longest one (Flink SQL's reluctant {5,}? gives the shortest; dt-sql-parser's grammar lacks it)
--   suggestion: set greedy: true on stage share, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TEMPORARY VIEW viral_content_input AS
SELECT *
FROM events
WHERE contentId IS NOT NULL;

CREATE TABLE viral_content_sink (
  contentId STRING,
  shareCount DOUBLE,
  sharers DOUBLE,
  `minutes` DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'media.viral_content',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step taste_change (pattern)
-- DIFFERS: stage oldPreference loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage oldPreference so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: stage newPreference loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)
--   suggestion: add consecutive: true to stage newPreference so sw matches as the SQL does, or use the DataStream CEP API
-- DIFFERS: stage newPreference is not greedy: Flink CEP emits a match per loop length, MATCH_RECOGNIZE's greedy quantifier the longest one (Flink SQL's reluctant {3,}? gives the shortest; dt-sql-parser's grammar lacks it)
--   suggestion: set greedy: true on stage newPreference, or use the DataStream CEP API
-- DIFFERS: skip strategy noSkip (Flink CEP's default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row
--   suggestion: set skip: skipToNext in the spec to make sw match as the SQL does
CREATE TABLE taste_change_sink (
  userId STRING,
  oldGenre STRING,
  newGenre STRING,
  newGenreWatches DOUBLE,
  match_time TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'media.taste_change',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

-- step ab_test (window)
CREATE TEMPORARY VIEW ab_test_input AS
SELECT *
FROM events
WHERE experimentId IS NOT NULL;

CREATE TABLE ab_test_sink (
  experimentId STRING,
  variant STRING,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  sampleSize BIGINT,
  conversions DOUBLE,
  experimentId STRING,
  variant STRING,
  conversionRate DOUBLE,
  confidence DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'media.ab_test',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step trending
INSERT INTO trending_sink
SELECT contentId, window_start, window_end, watches, users, devices, totalWatchSeconds, CAST(totalWatchSeconds AS DOUBLE) / watches AS avgWatchSeconds, (((0.3 * LEAST(CAST(users AS DOUBLE) / 100, 1)) + (0.3 * LEAST(CAST(watches AS DOUBLE) / 500, 1))) + (0.2 * (CAST(devices AS DOUBLE) / 4))) + (0.2 * LEAST(CAST(CAST(totalWatchSeconds AS DOUBLE) / watches AS DOUBLE) / 3600, 1)) AS trendingScore, (((('users:' || CAST(users AS STRING)) || ', watches:') || CAST(watches AS STRING)) || ', devices:') || CAST(devices AS STRING) AS reason
FROM (
  SELECT contentId, window_start, window_end, COUNT(*) AS watches, COUNT(DISTINCT userId) AS users, COUNT(DISTINCT device) AS devices, SUM(CAST(watchSeconds AS DOUBLE)) AS totalWatchSeconds
  FROM TABLE(HOP(TABLE trending_input, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '15' MINUTE))
  GROUP BY contentId, window_start, window_end
)
WHERE ((((0.3 * LEAST(CAST(users AS DOUBLE) / 100, 1)) + (0.3 * LEAST(CAST(watches AS DOUBLE) / 500, 1))) + (0.2 * (CAST(devices AS DOUBLE) / 4))) + (0.2 * LEAST(CAST(CAST(totalWatchSeconds AS DOUBLE) / watches AS DOUBLE) / 3600, 1))) > 0.7;

-- step engagement
INSERT INTO engagement_sink
SELECT userId, window_start, window_end, contentCount, interactionCount, contentTypes, sessionStart, sessionEnd, CASE WHEN contentCount > 0 THEN CAST(interactionCount AS DOUBLE) / contentCount ELSE 0 END AS interactionRate, LEAST((CAST(((contentCount * 0.3) + (contentTypes * 0.3)) + ((CASE WHEN contentCount > 0 THEN CAST(interactionCount AS DOUBLE) / contentCount ELSE 0 END) * 0.4) AS DOUBLE) / 3) * 100, 100) AS engagementScore, sessionEnd - sessionStart AS sessionDuration
FROM (
  SELECT userId, SESSION_START(event_time, INTERVAL '30' MINUTE) AS window_start, SESSION_END(event_time, INTERVAL '30' MINUTE) AS window_end, SUM(CAST(CASE WHEN eventType = 'content.watched' THEN 1 ELSE 0 END AS DOUBLE)) AS contentCount, SUM(CAST(CASE WHEN eventType IN ('content.liked', 'content.shared', 'content.rated') THEN 1 ELSE 0 END AS DOUBLE)) AS interactionCount, COUNT(DISTINCT CASE WHEN genre IS NOT NULL THEN genre ELSE NULL END) AS contentTypes, MIN(`timestamp`) AS sessionStart, MAX(`timestamp`) AS sessionEnd
  FROM events
  GROUP BY userId, SESSION(event_time, INTERVAL '30' MINUTE)
);

-- step binge
INSERT INTO binge_sink
SELECT userId_measure AS userId, watched, match_time
FROM events
MATCH_RECOGNIZE (
  PARTITION BY userId
  ORDER BY event_time
  MEASURES
    FIRST(start_stage.userId) AS userId_measure,
    COUNT(more_stage.*) + 1 AS watched,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (start_stage more_stage{3,3})
  WITHIN INTERVAL '2' HOUR
  DEFINE
    start_stage AS start_stage.eventType = 'content.watched',
    more_stage AS more_stage.eventType = 'content.watched'
) AS matched;

-- step churn_risk
INSERT INTO churn_risk_sink
SELECT userId_measure AS userId, sessionDuration, watchCount, riskScore, match_time
FROM events
MATCH_RECOGNIZE (
  PARTITION BY userId
  ORDER BY event_time
  MEASURES
    FIRST(login.userId) AS userId_measure,
    FIRST(exit.`timestamp`) - FIRST(login.`timestamp`) AS sessionDuration,
    COUNT(watch.*) AS watchCount,
    ((GREATEST(0, 1 - (CAST(FIRST(exit.`timestamp`) - FIRST(login.`timestamp`) AS DOUBLE) / 900000)) * 0.6) + (GREATEST(0, 1 - (CAST(COUNT(watch.*) AS DOUBLE) / 5)) * 0.4)) * 100 AS riskScore,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (login watch_gap* watch{1,3} exit_gap* exit)
  WITHIN INTERVAL '15' MINUTE
  DEFINE
    login AS login.eventType = 'user.login',
    watch_gap AS NOT COALESCE(watch_gap.eventType = 'content.watched', FALSE),
    watch AS watch.eventType = 'content.watched',
    exit_gap AS NOT COALESCE(exit_gap.eventType = 'user.logout', FALSE),
    exit AS exit.eventType = 'user.logout'
) AS matched;

-- step premium_conversion
INSERT INTO premium_conversion_sink
SELECT userId_measure AS userId, engagementCount, qualityUpgradeAttempts, conversionScore, match_time
FROM events
MATCH_RECOGNIZE (
  PARTITION BY userId
  ORDER BY event_time
  MEASURES
    FIRST(start_stage.userId) AS userId_measure,
    COUNT(highEngagement.*) AS engagementCount,
    COUNT(qualityUpgrade.*) AS qualityUpgradeAttempts,
    ((LEAST(CAST(COUNT(highEngagement.*) AS DOUBLE) / 10, 1) * 0.7) + (LEAST(CAST(COUNT(qualityUpgrade.*) AS DOUBLE) / 3, 1) * 0.3)) * 100 AS conversionScore,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (start_stage highEngagement{3,} qualityUpgrade_gap* qualityUpgrade)
  WITHIN INTERVAL '1' DAY
  DEFINE
    start_stage AS start_stage.eventType = 'content.watched',
    highEngagement AS highEngagement.eventType IN ('content.liked', 'content.shared', 'content.rated'),
    qualityUpgrade_gap AS NOT COALESCE((qualityUpgrade_gap.eventType = 'content.watched') AND (qualityUpgrade_gap.quality = '4K'), FALSE),
    qualityUpgrade AS (qualityUpgrade.eventType = 'content.watched') AND (qualityUpgrade.quality = '4K')
) AS matched;

-- step viral_content
INSERT INTO viral_content_sink
SELECT contentId_measure AS contentId, shareCount, sharers, `minutes`, match_time
FROM viral_content_input
MATCH_RECOGNIZE (
  PARTITION BY contentId
  ORDER BY event_time
  MEASURES
    FIRST(watch.contentId) AS contentId_measure,
    COUNT(share.*) AS shareCount,
    COUNT(share.*) AS sharers,
    CAST(LAST(share.`timestamp`) - FIRST(watch.`timestamp`) AS DOUBLE) / 60000 AS `minutes`,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (watch share_gap* share{5,})
  WITHIN INTERVAL '2' HOUR
  DEFINE
    watch AS watch.eventType = 'content.watched',
    share_gap AS NOT COALESCE(share_gap.eventType = 'content.shared', FALSE),
    share AS share.eventType = 'content.shared'
) AS matched;

-- step taste_change
INSERT INTO taste_change_sink
SELECT userId_measure AS userId, oldGenre, newGenre, newGenreWatches, match_time
FROM events
MATCH_RECOGNIZE (
  PARTITION BY userId
  ORDER BY event_time
  MEASURES
    FIRST(oldPreference.userId) AS userId_measure,
    'comedy' AS oldGenre,
    'thriller' AS newGenre,
    COUNT(newPreference.*) AS newGenreWatches,
    MATCH_ROWTIME() AS match_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (oldPreference{5,5} newPreference_gap* newPreference{3,})
  WITHIN INTERVAL '7' DAY
  DEFINE
    oldPreference AS (oldPreference.eventType = 'content.watched') AND (oldPreference.genre = 'comedy'),
    newPreference_gap AS NOT COALESCE((newPreference_gap.eventType = 'content.watched') AND (newPreference_gap.genre = 'thriller'), FALSE),
    newPreference AS (newPreference.eventType = 'content.watched') AND (newPreference.genre = 'thriller')
) AS matched;

-- step ab_test
INSERT INTO ab_test_sink
SELECT experimentId, variant, window_start, window_end, sampleSize, conversions, experimentId AS experimentId, variant AS variant, CAST(conversions AS DOUBLE) / sampleSize AS conversionRate, CASE WHEN sampleSize < 30 THEN 0 ELSE CASE WHEN conversions = 0 THEN 0 ELSE CASE WHEN conversions >= sampleSize THEN 99.9 ELSE LEAST((CAST(ABS(CAST(CAST(conversions AS DOUBLE) / sampleSize AS DOUBLE) / POWER(CAST((CAST(conversions AS DOUBLE) / sampleSize) * (1 - (CAST(conversions AS DOUBLE) / sampleSize)) AS DOUBLE) / sampleSize, 0.5)) AS DOUBLE) / 1.96) * 100, 99.9) END END END AS confidence
FROM (
  SELECT experimentId, variant, window_start, window_end, COUNT(DISTINCT userId) AS sampleSize, SUM(CAST(CASE WHEN eventType IN ('subscription.purchased', 'content.completed', 'user.upgraded') THEN 1 ELSE 0 END AS DOUBLE)) AS conversions
  FROM TABLE(TUMBLE(TABLE ab_test_input, DESCRIPTOR(event_time), INTERVAL '15' MINUTE))
  GROUP BY experimentId, variant, window_start, window_end
)
WHERE sampleSize >= 100;

END;
