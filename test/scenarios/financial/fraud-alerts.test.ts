/** Fraud alerts: rules, severity, channels and the 5-minute de-duplication per user. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FraudAlerts } from '../../../src/scenarios/financial/fraud-alerts.js';
import { MIN, T0, replay, type Step } from './fraud-scenario.js';

// Every location is ≥ 1000 km from all earlier ones (20° of longitude on the equator ≈ 2224 km),
// so each transaction after the first scores location 1.0 alone: CRITICAL.
const far = (id: string, at: number, n: number, user = 'u1'): Step => ({ id, at, lat: 0, lon: 20 * n, user });

const cases: { name: string; steps: Step[]; alerts: string[] }[] = [
  {
    name: 'a critical transaction raises a critical alert; the first transaction none',
    steps: [far('t0', T0, 0), far('t1', T0 + MIN, 1)],
    alerts: ['t1 critical_fraud_risk/critical'],
  },
  {
    name: 'the same alert for the same user within 5 minutes is suppressed',
    steps: [far('t0', T0, 0), far('t1', T0 + MIN, 1), far('t2', T0 + 4 * MIN, 2)],
    alerts: ['t1 critical_fraud_risk/critical'],
  },
  {
    name: 'exactly 5 minutes later is still a duplicate (the document’s look-back includes it)',
    steps: [far('t0', T0, 0), far('t1', T0 + MIN, 1), far('t2', T0 + 6 * MIN, 2)],
    alerts: ['t1 critical_fraud_risk/critical'],
  },
  {
    name: '5 minutes and 1 ms later the alert is sent again',
    steps: [far('t0', T0, 0), far('t1', T0 + MIN, 1), far('t2', T0 + 6 * MIN + 1, 2)],
    alerts: ['t1 critical_fraud_risk/critical', 't2 critical_fraud_risk/critical'],
  },
  {
    name: 'a suppressed alert does not extend the window',
    steps: [far('t0', T0, 0), far('t1', T0 + MIN, 1), far('t2', T0 + 4 * MIN, 2), far('t3', T0 + 7 * MIN, 3)],
    alerts: ['t1 critical_fraud_risk/critical', 't3 critical_fraud_risk/critical'],
  },
  {
    name: 'another user’s alert is not a duplicate',
    steps: [far('t0', T0, 0), far('t1', T0 + MIN, 1), far('v0', T0, 0, 'u2'), far('v1', T0 + 2 * MIN, 1, 'u2')],
    alerts: ['t1 critical_fraud_risk/critical', 'v1 critical_fraud_risk/critical'],
  },
  {
    // 6.3° of longitude on the equator = 700.5 km → 0.7005: HIGH, another rule and severity.
    name: 'a high alert and a critical one are different alerts',
    steps: [
      { id: 't0', at: T0, lat: 0, lon: 0 },
      { id: 't1', at: T0 + MIN, lat: 0, lon: 6.3 },
      { id: 't2', at: T0 + 2 * MIN, lat: 0, lon: 40 },
    ],
    alerts: ['t1 high_fraud_risk/high', 't2 critical_fraud_risk/critical'],
  },
  {
    name: 'medium and low assessments raise nothing',
    steps: [
      { id: 't0', at: T0, lat: 0, lon: 0 },
      { id: 't1', at: T0 + MIN, lat: 0, lon: 3 },
    ],
    alerts: [],
  },
];

for (const tc of cases) {
  test(`alerts: ${tc.name}`, () => {
    const { results } = replay(() => new FraudAlerts(), tc.steps);
    assert.deepEqual(
      results.map((r) => `${String(r.fields.transaction_id)} ${String(r.fields.rule_name)}/${String(r.fields.severity)}`),
      tc.alerts,
    );
  });
}

test('an alert carries the document’s fields, its channels and a formatted message', () => {
  const { results } = replay(() => new FraudAlerts(), [far('t0', T0, 0), far('t1', T0 + MIN, 1)]);
  assert.deepEqual(results[0]!.fields, {
    type: 'fraud_alert',
    rule_name: 'critical_fraud_risk',
    severity: 'critical',
    message: 'Critical fraud risk: transaction t1 of user u1 (100) scored 1',
    notification_channels: ['email', 'slack', 'pagerduty'],
    transaction_id: 't1',
    user_id: 'u1',
    amount: 100,
    risk_score: 1,
    risk_level: 'critical',
    recommendation: 'Immediate transaction blocking recommended',
    timestamp: T0 + MIN,
  });
});

test('custom rules and window', () => {
  const rules = [{ name: 'any_risk', condition: () => true, severity: 'info', message: '{transaction_id}: {nope}', channels: ['slack' as const] }];
  const { results } = replay(() => new FraudAlerts({ rules, dedupWindow: MIN }), [far('t0', T0, 0), far('t1', T0 + MIN, 1), far('t2', T0 + 2 * MIN + 1, 2)]);
  assert.deepEqual(
    results.map((r) => r.fields.message),
    ['t0: {nope}', 't2: {nope}'],
  );
});
