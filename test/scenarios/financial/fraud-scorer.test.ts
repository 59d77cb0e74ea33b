/** The fraud scorer end to end through the process operator: state, TTL and timers at work. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, FraudScorer } from '../../../src/scenarios/financial/fraud-scorer.js';
import { MIN, T0, feed, operatorFor, replay, type Step } from './fraud-scenario.js';

const KM_PER_DEGREE = (6371 * Math.PI) / 180;
const close = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) < 1e-9;

test('a first transaction scores 0; the emitted record carries the document’s fields', () => {
  const { results } = replay(() => new FraudScorer(), [{ id: 't1', at: T0 }]);
  assert.equal(results.length, 1);
  assert.equal(results[0]!.key, 'u1');
  assert.equal(results[0]!.time, T0);
  assert.deepEqual(results[0]!.fields, {
    transaction_id: 't1',
    user_id: 'u1',
    transaction_type: 'payment',
    amount: 100,
    timestamp: T0,
    risk_score: 0,
    risk_level: 'low',
    recommendation: 'Low risk, normal processing',
    velocity_risk: 0,
    location_risk: 0,
    amount_risk: 0,
    pattern_risk: 0,
    time_risk: 0,
    risk_factors: [],
  });
});

test('location and amount together: mean of the two category maxima, level high', () => {
  // Two payments of 100 at (0, 0), then 1000 at (3, 0): 333.6 km → 0.3336; amount z = 900/50 = 18 → 1.
  const { results } = replay(() => new FraudScorer(), [
    { id: 't1', at: T0, lat: 0, lon: 0 },
    { id: 't2', at: T0 + MIN, lat: 0, lon: 0 },
    { id: 't3', at: T0 + 2 * MIN, lat: 3, lon: 0, amount: 1000 },
  ]);
  const last = results[2]!.fields;
  assert.ok(close(last.location_risk, (3 * KM_PER_DEGREE) / 1000));
  assert.equal(last.amount_risk, 1);
  assert.ok(close(last.risk_score, ((3 * KM_PER_DEGREE) / 1000 + 1) / 2));
  assert.equal(last.risk_level, 'high');
  assert.equal(last.recommendation, 'Additional verification required');
  assert.deepEqual(
    (last.risk_factors as { type: string }[]).map((f) => f.type),
    ['unusual_location', 'unusual_amount'],
  );
});

const withdrawals = (n: number, start: number, gap: number): Step[] =>
  Array.from({ length: n }, (_, i) => ({ id: `w${i + 1}`, type: 'withdrawal', at: start + i * gap }));

const velocityCases: { name: string; steps: Step[]; expected: (number | undefined)[] }[] = [
  {
    // The 6th withdrawal in 5 minutes sees 5 earlier ones: 5/5·0.5 = 0.5.
    name: 'six withdrawals 10 s apart: the sixth hits the 5-minute threshold',
    steps: withdrawals(6, T0, 10_000),
    expected: [0, 0, 0, 0, 0, 0.5],
  },
  {
    // Exactly 300 s after the first, the window (t − 300 s, t] no longer holds it.
    name: 'the 5-minute window is open at its start: a transaction exactly 300 s old is out',
    steps: [...withdrawals(5, T0, 1000), { id: 'w6', type: 'withdrawal', at: T0 + 300_000 }],
    expected: [0, 0, 0, 0, 0, 0],
  },
  {
    name: 'other users and other types do not count',
    steps: [
      ...withdrawals(3, T0, 1000),
      { id: 'x1', type: 'withdrawal', user: 'u2', at: T0 + 3000 },
      { id: 'x2', type: 'withdrawal', user: 'u2', at: T0 + 3001 },
      { id: 'p1', type: 'payment', at: T0 + 3002 },
      { id: 'w4', type: 'withdrawal', at: T0 + 4000 },
      { id: 'w5', type: 'withdrawal', at: T0 + 5000 },
    ],
    expected: [0, 0, 0, 0, 0, undefined, 0, 0],
  },
];

for (const tc of velocityCases) {
  test(`velocity: ${tc.name}`, () => {
    const { results } = replay(() => new FraudScorer(), tc.steps);
    assert.deepEqual(
      results.map((r) => (r.fields.transaction_type === 'payment' ? undefined : r.fields.velocity_risk)),
      tc.expected,
    );
  });
}

test('velocity expiry timers: the watermark past an hour prunes the windows, to nothing in the end', () => {
  const { operator, results } = replay(() => new FraudScorer(), [
    ...withdrawals(3, T0, 1000),
    { watermark: T0 + 30 * MIN },
    { id: 'w4', type: 'withdrawal', at: T0 + 30 * MIN },
    // The first three expire at the minute after T0 + 1 h + 2 s; w4 stays.
    { watermark: T0 + 62 * MIN },
  ]);
  const velocity = () => {
    const key = operator.snapshot().state.keys.find((k) => k.key === 'u1')!;
    return key.states.velocity;
  };
  // Rewritten by the timer at T0 + 61 min, so stamped with that time.
  assert.deepEqual(velocity(), { kind: 'map', entries: [['withdrawal', [T0 + 30 * MIN], T0 + 61 * MIN]] });
  assert.equal(operator.pendingTimers, 1);
  assert.equal(results.length, 4);
  operator.advanceWatermark(Infinity, { emit: () => assert.fail('the scorer emits nothing on timers') });
  assert.equal(velocity(), undefined);
  assert.equal(operator.pendingTimers, 0);
});

test('history TTL: a user idle longer than the TTL starts over (no location, amount or pattern risk)', () => {
  const steps: Step[] = [
    { id: 't1', at: T0, lat: 0, lon: 0 },
    { id: 't2', at: T0 + 31 * DAY_MS, lat: 10, lon: 0, amount: 10_000, type: 'transfer' },
  ];
  const thirtyDays = replay(() => new FraudScorer(), steps).results;
  assert.equal(thirtyDays[1]!.fields.risk_score, 0);
  // With a 60-day history the same transaction is far away, large and of a new type.
  const sixtyDays = replay(() => new FraudScorer({ historyTtl: 60 * DAY_MS }), steps).results;
  assert.deepEqual(
    (sixtyDays[1]!.fields.risk_factors as { type: string }[]).map((f) => f.type),
    ['unusual_location', 'unusual_amount', 'unusual_transaction_type'],
  );
});

test('a bad transaction is refused before any state changes, and counted', () => {
  const { operator, results } = replay(() => new FraudScorer(), [
    { id: 't1', at: T0, type: 'refund' },
    { id: 't2', at: T0 + 1 },
  ]);
  assert.equal(results.length, 1);
  assert.equal(results[0]!.fields.risk_score, 0);
  assert.equal(operator.counters.exprErrors, 1);
  assert.match(operator.firstError!, /transaction_type "refund" is not one of deposit, withdrawal, transfer, payment, investment/);
});

test('the scorer survives a snapshot and restore mid-stream with identical results', () => {
  const steps: Step[] = [
    ...withdrawals(4, T0, 10_000),
    { id: 'far', at: T0 + 50_000, lat: 0, lon: 0, amount: 5000 },
    { watermark: T0 + 2 * 3600_000 },
    ...withdrawals(3, T0 + 2 * 3600_000, 5000),
  ];
  const whole = replay(() => new FraudScorer(), steps).results;
  for (let cut = 0; cut <= steps.length; cut++) {
    const first = replay(() => new FraudScorer(), steps.slice(0, cut));
    const resumed = operatorFor(() => new FraudScorer());
    resumed.restore(JSON.parse(JSON.stringify(first.operator.snapshot())));
    assert.deepEqual([...first.results, ...feed(resumed, steps.slice(cut))], whole, `cut after ${cut} steps`);
  }
});
