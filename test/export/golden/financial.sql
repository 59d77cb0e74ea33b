-- Flink SQL for pipeline "financial" (scenarios/financial.pipeline.ts), written by `sw export flink-sql`.
-- Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).
-- Source topic: financial; one sink topic per step: financial.<step>; brokers: localhost:9092.
-- Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);
-- pass --sample <recording> to read them from data.
-- The time field timestamp is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).

CREATE TABLE events (
  amount DOUBLE,
  `location` STRING,
  `timestamp` BIGINT,
  transaction_id STRING,
  transaction_type STRING,
  `type` STRING,
  user_id STRING,
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '30' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'financial',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'sw-financial',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- step fraud (process): not exported
-- NOT EXPORTED: a TypeScript process function (keyed state and timers in code) has no SQL form
--   suggestion: port it to a KeyedProcessFunction on the DataStream API reading the same topic: the state, timers and side outputs of sw's process API map one to one onto Flink's

-- step fraud_alerts (process): not exported
-- NOT EXPORTED: a TypeScript process function (keyed state and timers in code) has no SQL form
--   suggestion: port it to a KeyedProcessFunction on the DataStream API reading the same topic: the state, timers and side outputs of sw's process API map one to one onto Flink's

-- step metrics (window)
CREATE TEMPORARY VIEW metrics_input AS
SELECT *
FROM events
WHERE `type` = 'transaction';

CREATE TABLE metrics_sink (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  total_transactions BIGINT,
  total_amount DOUBLE,
  unique_users BIGINT,
  average_transaction_amount DOUBLE,
  deposits DOUBLE,
  withdrawals DOUBLE,
  transfers DOUBLE,
  payments DOUBLE,
  investments DOUBLE,
  transactions_per_user DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'financial.metrics',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json'
);

EXECUTE STATEMENT SET
BEGIN

-- step metrics
INSERT INTO metrics_sink
SELECT window_start, window_end, total_transactions, total_amount, unique_users, average_transaction_amount, deposits, withdrawals, transfers, payments, investments, CAST(total_transactions AS DOUBLE) / CAST(unique_users AS DOUBLE) AS transactions_per_user
FROM (
  SELECT window_start, window_end, COUNT(*) AS total_transactions, SUM(CAST(amount AS DOUBLE)) AS total_amount, COUNT(DISTINCT user_id) AS unique_users, AVG(CAST(amount AS DOUBLE)) AS average_transaction_amount, SUM(CAST(CASE WHEN transaction_type = 'deposit' THEN 1 ELSE 0 END AS DOUBLE)) AS deposits, SUM(CAST(CASE WHEN transaction_type = 'withdrawal' THEN 1 ELSE 0 END AS DOUBLE)) AS withdrawals, SUM(CAST(CASE WHEN transaction_type = 'transfer' THEN 1 ELSE 0 END AS DOUBLE)) AS transfers, SUM(CAST(CASE WHEN transaction_type = 'payment' THEN 1 ELSE 0 END AS DOUBLE)) AS payments, SUM(CAST(CASE WHEN transaction_type = 'investment' THEN 1 ELSE 0 END AS DOUBLE)) AS investments
  FROM TABLE(TUMBLE(TABLE metrics_input, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
  GROUP BY window_start, window_end
);

END;
