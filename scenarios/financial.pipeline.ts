/**
 * Financial monitoring (seeds-digest.md §3, source 001): per-user fraud scoring with keyed state
 * and event-time timers, fraud alerts with 5-minute de-duplication, and the 1-minute global
 * metrics. The recording mixes transactions and security sessions (`sw synth financial`), so
 * every step keeps only `type == 'transaction'`. Watermark: 30 s out-of-orderness, as the
 * document's BoundedOutOfOrdernessTimestampExtractor(Time.seconds(30)).
 *
 * Where the document stubs a value, this scenario computes it for real (details in
 * src/scenarios/financial/):
 *  - velocity counts: the document's counter never expires; here real sliding 5 min / 15 min /
 *    1 h windows in event time, pruned by event-time timers;
 *  - std_amount: never stored by the document (always average·0.5); here the user's real
 *    standard deviation, the document's fallback until two different amounts are known;
 *  - weekend_activity: never set by the document (every weekend transaction scored 0.3); here
 *    set once the user has transacted on a weekend;
 *  - hours and weekdays: UTC (the document uses the server's local zone);
 *  - the metrics' high_risk_transactions: the document counts `risk_level` on raw transactions,
 *    which have none (always 0); the fraud_alerts step gives the high-risk transactions instead.
 *
 *   sw synth financial --seed 7 --duration 2h --out financial.jsonl
 *   sw replay financial.jsonl --pipeline scenarios/financial.pipeline.ts --speed max --out results.jsonl
 */
import { definePipeline } from '../src/spec/define-pipeline.js';
import { FraudAlerts } from '../src/scenarios/financial/fraud-alerts.js';
import { FraudScorer } from '../src/scenarios/financial/fraud-scorer.js';

export default definePipeline({
  name: 'financial',
  description: 'Real-time fraud scoring, alerts and 1-minute metrics over financial transactions',
  time: { field: 'timestamp', outOfOrderness: '30s' },
  steps: {
    fraud: {
      description: 'One risk assessment per transaction: velocity, location, amount, pattern and time factors',
      where: "type == 'transaction'",
      keyBy: 'user_id',
      process: () => new FraudScorer(),
    },
    fraud_alerts: {
      description: 'HIGH and CRITICAL assessments as alerts with severity and channels, not repeated within 5 minutes per user',
      where: "type == 'transaction'",
      keyBy: 'user_id',
      process: () => new FraudAlerts(),
    },
    metrics: {
      description: "The document's 1-minute metrics (its high-risk count needs the scores: see fraud_alerts)",
      where: "type == 'transaction'",
      window: { type: 'tumbling', size: '1m' },
      aggregate: {
        total_transactions: 'count()',
        total_amount: 'sum(amount)',
        unique_users: 'count_distinct(user_id)',
        average_transaction_amount: 'avg(amount)',
        deposits: "sum(transaction_type == 'deposit' ? 1 : 0)",
        withdrawals: "sum(transaction_type == 'withdrawal' ? 1 : 0)",
        transfers: "sum(transaction_type == 'transfer' ? 1 : 0)",
        payments: "sum(transaction_type == 'payment' ? 1 : 0)",
        investments: "sum(transaction_type == 'investment' ? 1 : 0)",
      },
      select: {
        transactions_per_user: 'double(total_transactions) / double(unique_users)',
      },
    },
  },
});
