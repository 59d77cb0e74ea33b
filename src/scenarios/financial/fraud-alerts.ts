/**
 * Fraud alerts with severity, channels and de-duplication (source 001: the scorer's
 * send_immediate_alert for HIGH and CRITICAL assessments, and RealTimeAlertingSystem's rules with
 * severity, notification channels and "the same alert is not repeated within 5 minutes").
 *
 * The document's alerting system de-duplicates by (rule_name, severity) against wall-clock time
 * over all alerts; here it runs keyed by user in event time, so "the same alert" is the same rule
 * and severity for the same user, and "within 5 minutes" compares transaction times:
 * an alert is suppressed when one with the same rule and severity was sent for the user at most
 * 300 s before it (the document's `timestamp < now − 300` ends the look-back, so exactly 300 s
 * later is still a duplicate). Suppressed alerts do not extend the window (only sent ones are
 * remembered, as the document appends to its history only what it sends).
 *
 * The document's alert rules watch system metrics (latency, throughput, ...); the rules below
 * apply its shape (condition, severity, message, channels) to the fraud assessment. Severity is
 * the risk level, as in send_immediate_alert; the channels follow the document's rules, where
 * the most severe rule pages (email, slack, pagerduty) and the others mail and post.
 */
import type { ProcessContext, ProcessFunction } from '../../engine/process.js';
import { FraudScoring, type FraudScorerOptions, type RiskAssessment } from './fraud-scorer.js';
import { readTransaction, TRANSACTION_FIELDS } from './transaction.js';

export type AlertChannel = 'email' | 'slack' | 'pagerduty';

export interface FraudAlertRule {
  readonly name: string;
  readonly condition: (assessment: RiskAssessment) => boolean;
  readonly severity: string;
  /** `{field}` is replaced by the assessment's field, as the document's str.format. */
  readonly message: string;
  readonly channels: readonly AlertChannel[];
}

export const DEFAULT_FRAUD_ALERT_RULES: readonly FraudAlertRule[] = [
  {
    name: 'critical_fraud_risk',
    condition: (a) => a.risk_level === 'critical',
    severity: 'critical',
    message: 'Critical fraud risk: transaction {transaction_id} of user {user_id} ({amount}) scored {risk_score}',
    channels: ['email', 'slack', 'pagerduty'],
  },
  {
    name: 'high_fraud_risk',
    condition: (a) => a.risk_level === 'high',
    severity: 'high',
    message: 'High fraud risk: transaction {transaction_id} of user {user_id} ({amount}) scored {risk_score}',
    channels: ['email', 'slack'],
  },
];

/** The document's de-duplication window: 5 minutes. */
export const ALERT_DEDUP_MS = 5 * 60 * 1000;

export interface FraudAlertOptions extends FraudScorerOptions {
  readonly rules?: readonly FraudAlertRule[];
  readonly dedupWindow?: number;
}

/** Scores each transaction as FraudScorer does and emits the alerts its rules raise, de-duplicated. */
export class FraudAlerts implements ProcessFunction {
  readonly fields: readonly string[] = TRANSACTION_FIELDS;
  private readonly scoring: FraudScoring;
  private readonly rules: readonly FraudAlertRule[];
  private readonly dedupWindow: number;

  constructor(options: FraudAlertOptions = {}) {
    this.scoring = new FraudScoring(options);
    this.rules = options.rules ?? DEFAULT_FRAUD_ALERT_RULES;
    this.dedupWindow = options.dedupWindow ?? ALERT_DEDUP_MS;
    if (!(this.dedupWindow > 0)) throw new RangeError(`dedupWindow must be a positive number of milliseconds, got ${this.dedupWindow}`);
  }

  processElement(fields: Record<string, unknown>, ctx: ProcessContext): void {
    const assessment = this.scoring.score(readTransaction(fields, ctx.timestamp), ctx);
    // Last sent time per "rule|severity". The comparison below decides; the TTL only frees
    // memory, and at twice the window it outlasts the window by as much again of disorder
    // between this user's transaction times and the operator's event-time clock.
    const sent = ctx.state.map<string, number>('sent_alerts', { ttl: 2 * this.dedupWindow });
    for (const rule of this.rules) {
      if (!rule.condition(assessment)) continue;
      const id = `${rule.name}|${rule.severity}`;
      const last = sent.get(id);
      if (last !== undefined && last >= assessment.timestamp - this.dedupWindow) continue;
      sent.put(id, assessment.timestamp);
      ctx.emit({
        type: 'fraud_alert',
        rule_name: rule.name,
        severity: rule.severity,
        message: formatMessage(rule.message, assessment),
        notification_channels: [...rule.channels],
        transaction_id: assessment.transaction_id,
        user_id: assessment.user_id,
        amount: assessment.amount,
        risk_score: assessment.risk_score,
        risk_level: assessment.risk_level,
        recommendation: assessment.recommendation,
        timestamp: assessment.timestamp,
      });
    }
  }

  onTimer(time: number, ctx: ProcessContext): void {
    this.scoring.expire(time, ctx);
  }
}

function formatMessage(template: string, assessment: RiskAssessment): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in assessment ? String((assessment as unknown as Record<string, unknown>)[name]) : whole,
  );
}
