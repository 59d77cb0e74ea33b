/**
 * Security patterns (seeds-digest.md §4, source 002 "Complex Event Processing Pipeline"): rapid
 * logins, impossible travel, a large transaction followed by 10 small ones, and the 30-minute
 * session analysis with its anomaly score. The recording is `sw synth financial` (transactions
 * and security sessions told apart by `type`); source 002's UserEvent carries both as eventType
 * "login" / "transaction", here `type == 'session'` + `event_type`, and `type == 'transaction'`.
 * Watermark: 30 s, as the financial pipeline of source 001 (source 002 gives none here).
 * A TypeScript module because impossible travel needs the previous login in keyed state.
 *
 *   sw replay scenarios/security.jsonl --speed max --out results.jsonl
 */
import { definePipeline } from '../src/spec/define-pipeline.js';
import { ImpossibleTravel } from '../src/scenarios/security/impossible-travel.js';

const SESSION = "type == 'session'";

export default definePipeline({
  name: 'security',
  description: 'Rapid logins, impossible travel, large-then-small transactions and the session anomaly score',
  time: { field: 'timestamp', outOfOrderness: '30s' },
  steps: {
    rapid_logins: {
      description: 'rapidLoginPattern: login, next login times(4), within 5 min (5 logins)',
      where: SESSION,
      keyBy: 'user_id',
      pattern: {
        within: '5m',
        stages: [
          { name: 'first_login', where: "event_type == 'login'" },
          { name: 'subsequent_logins', contiguity: 'next', where: "event_type == 'login'", times: 4 },
        ],
      },
      select: {
        user_id: 'first_login[0].user_id',
        alert_type: "'RAPID_LOGIN_ATTEMPTS'",
        description: "'5 login attempts within 5 minutes'",
        risk_score: '0.8',
      },
    },
    impossible_travel: {
      description: 'GeographicalAnomalyDetector: consecutive logins of a user faster than 1000 km/h',
      where: `${SESSION} && event_type == 'login'`,
      keyBy: 'user_id',
      process: () => new ImpossibleTravel(),
    },
    large_then_small: {
      description: 'suspiciousTransactionPattern: amount > 10,000, followedBy amount < 100 times(10), within 1 h',
      where: "type == 'transaction'",
      keyBy: 'user_id',
      pattern: {
        within: '1h',
        stages: [
          { name: 'large_transaction', where: 'amount > 10000' },
          { name: 'frequent_small_transactions', contiguity: 'followedBy', where: 'amount < 100', times: 10 },
        ],
      },
      select: {
        user_id: 'large_transaction[0].user_id',
        alert_type: "'SUSPICIOUS_TRANSACTION_PATTERN'",
        large_amount: 'large_transaction[0].amount',
        small_total: 'sum(frequent_small_transactions.map(e, e.amount))',
        risk_score: '0.9',
      },
    },
    session_analysis: {
      description: 'SessionAnalysisFunction: per user, 30-minute tumbling window of session events, with the anomaly score',
      where: SESSION,
      keyBy: 'user_id',
      window: { type: 'tumbling', size: '30m' },
      aggregate: {
        event_count: 'count()',
        first_event: 'min(timestamp)',
        last_event: 'max(timestamp)',
        api_calls: "sum(event_type == 'api_call' ? 1 : 0)",
        page_views: "sum(event_type == 'page_view' ? 1 : 0)",
        logins: "sum(event_type == 'login' ? 1 : 0)",
      },
      select: {
        session_duration: 'last_event - first_event',
        // The document's calculateAnomalyScore; its "> 1 h" term can never fire in a 30-minute window.
        anomaly_score:
          'min((event_count > 1000 ? 0.3 : 0.0) + (last_event - first_event > 3600000 ? 0.2 : 0.0) + (api_calls > 100 && page_views == 0 ? 0.5 : 0.0), 1.0)',
      },
    },
  },
});
