/** Each risk check of source 001's FraudDetectionEngine on hand-computed cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  amountRisks,
  haversineKm,
  locationRisks,
  overallRisk,
  patternRisks,
  recommendation,
  riskLevel,
  timeRisks,
  updatedProfile,
  velocityRisks,
  type RiskFactor,
  type UserProfile,
} from '../../../src/scenarios/financial/risk-factors.js';
import type { Transaction, TransactionType } from '../../../src/scenarios/financial/transaction.js';

// One degree along a meridian: 6371 km · π / 180.
const KM_PER_DEGREE = (6371 * Math.PI) / 180;
const MONDAY_10H = Date.UTC(2026, 10, 23, 10);
const SATURDAY_10H = Date.UTC(2026, 10, 21, 10);

function tx(over: Partial<Transaction> = {}): Transaction {
  return { transaction_id: 't', user_id: 'u', transaction_type: 'payment', amount: 100, timestamp: MONDAY_10H, location: null, ...over };
}

function profileOf(...txs: Transaction[]): UserProfile {
  return txs.reduce<UserProfile | undefined>((p, t) => updatedProfile(p, t), undefined)!;
}

const scores = (factors: RiskFactor[]) => factors.map((f) => [f.type, f.risk_score]);

const velocityCases: { name: string; type: TransactionType; counts: number[]; expected: [number, number, number, number][] }[] = [
  { name: 'below every threshold', type: 'withdrawal', counts: [4, 9, 19], expected: [] },
  { name: 'withdrawal at its 5-minute threshold: 5/5·0.5', type: 'withdrawal', counts: [5, 5, 5], expected: [[300, 5, 5, 0.5]] },
  {
    name: 'withdrawal 12 everywhere: capped at 1 for 5 min, 12/10·0.5 for 15 min',
    type: 'withdrawal',
    counts: [12, 12, 12],
    expected: [
      [300, 12, 5, 1],
      [900, 12, 10, 0.6],
    ],
  },
  { name: 'transfer thresholds 10/20/50', type: 'transfer', counts: [9, 20, 20], expected: [[900, 20, 20, 0.5]] },
  { name: 'payment thresholds 20/50/100', type: 'payment', counts: [30, 30, 100], expected: [[300, 30, 20, 0.75], [3600, 100, 100, 0.5]] },
  {
    name: 'deposit uses the default 10/20/50',
    type: 'deposit',
    counts: [10, 20, 50],
    expected: [
      [300, 10, 10, 0.5],
      [900, 20, 20, 0.5],
      [3600, 50, 50, 0.5],
    ],
  },
  { name: 'investment uses the default too', type: 'investment', counts: [9, 19, 60], expected: [[3600, 60, 50, 0.6]] },
];

for (const tc of velocityCases) {
  test(`velocity: ${tc.name}`, () => {
    const risks = velocityRisks(tc.type, tc.counts);
    assert.deepEqual(
      risks.map((r) => [r.window, r.count, r.threshold, r.risk_score]),
      tc.expected,
    );
    for (const r of risks) assert.equal(r.type, 'high_velocity');
  });
}

const distanceCases: { name: string; a: [number, number]; b: [number, number]; km: number }[] = [
  { name: 'one degree of latitude', a: [0, 0], b: [1, 0], km: KM_PER_DEGREE },
  { name: 'a quarter of the equator', a: [0, 0], b: [0, 90], km: 90 * KM_PER_DEGREE },
  { name: 'pole to pole', a: [90, 0], b: [-90, 0], km: 180 * KM_PER_DEGREE },
  { name: 'the same place', a: [37.5665, 126.978], b: [37.5665, 126.978], km: 0 },
];

for (const tc of distanceCases) {
  test(`haversine: ${tc.name}`, () => {
    const d = haversineKm({ latitude: tc.a[0], longitude: tc.a[1] }, { latitude: tc.b[0], longitude: tc.b[1] });
    assert.ok(Math.abs(d - tc.km) < 1e-6, `${d} vs ${tc.km}`);
  });
}

const at = (lat: number, lon = 0) => ({ latitude: lat, longitude: lon });

const locationCases: { name: string; here: ReturnType<typeof at> | null; history: ReturnType<typeof at>[]; risk: number | null }[] = [
  { name: 'first located transaction: no history, no risk', here: at(0), history: [], risk: null },
  { name: 'no location on the transaction', here: null, history: [at(50)], risk: null },
  { name: '1° away (111.19 km > 100): risk d/1000', here: at(1), history: [at(0)], risk: KM_PER_DEGREE / 1000 },
  { name: 'the nearest earlier location counts, not the last', here: at(1), history: [at(0.5), at(40)], risk: null },
  { name: '0.89° (98.96 km) is not beyond 100 km', here: at(0.89), history: [at(0)], risk: null },
  { name: '18° (2001 km): capped at 1', here: at(18), history: [at(0)], risk: 1 },
];

for (const tc of locationCases) {
  test(`location: ${tc.name}`, () => {
    const risks = locationRisks(tc.here, tc.history);
    if (tc.risk === null) return assert.deepEqual(risks, []);
    assert.equal(risks.length, 1);
    assert.equal(risks[0]!.type, 'unusual_location');
    assert.ok(Math.abs(risks[0]!.risk_score - tc.risk) < 1e-12);
  });
}

const amountCases: { name: string; history: number[]; amount: number; z: number | null; risk?: number }[] = [
  { name: 'no profile yet', history: [], amount: 1e6, z: null },
  { name: 'one amount: the document spread avg·0.5 = 50, z = 300/50 = 6, capped', history: [100], amount: 400, z: 6, risk: 1 },
  { name: 'equal amounts (std 0) fall back to avg·0.5: z = 160/50 = 3.2', history: [100, 100], amount: 260, z: 3.2, risk: 0.64 },
  { name: 'z exactly 3 is not above 3', history: [100, 100], amount: 250, z: null },
  { name: 'real std (90, 110 → 10): z = 31/10 = 3.1', history: [90, 110], amount: 131, z: 3.1, risk: 0.62 },
  { name: 'below the mean counts too (|z|): z = 40/10 = 4', history: [90, 110], amount: 60, z: 4, risk: 0.8 },
  { name: 'zero average: no scale, no risk', history: [0, 0], amount: 10, z: null },
];

for (const tc of amountCases) {
  test(`amount: ${tc.name}`, () => {
    const profile = tc.history.length === 0 ? undefined : profileOf(...tc.history.map((amount) => tx({ amount })));
    const risks = amountRisks(tc.amount, profile);
    if (tc.z === null) return assert.deepEqual(risks, []);
    assert.equal(risks.length, 1);
    assert.ok(Math.abs((risks[0]!.z_score as number) - tc.z) < 1e-9, String(risks[0]!.z_score));
    assert.ok(Math.abs(risks[0]!.risk_score - tc.risk!) < 1e-9);
  });
}

const hour = (h: number, minute = 0) => Date.UTC(2026, 10, 23, h, minute);

const patternCases: { name: string; history: Transaction[]; now: Transaction; expected: [string, number][] }[] = [
  { name: 'no profile: nothing is unusual yet', history: [], now: tx({ timestamp: hour(3) }), expected: [] },
  { name: 'a known hour and type', history: [tx({ timestamp: hour(10) })], now: tx({ timestamp: hour(10, 59) }), expected: [] },
  {
    name: 'a new hour (0.3) and a new type (0.4)',
    history: [tx({ timestamp: hour(9) }), tx({ timestamp: hour(10) })],
    now: tx({ timestamp: hour(13), transaction_type: 'withdrawal' }),
    expected: [
      ['unusual_time', 0.3],
      ['unusual_transaction_type', 0.4],
    ],
  },
];

for (const tc of patternCases) {
  test(`pattern: ${tc.name}`, () => {
    const profile = tc.history.length === 0 ? undefined : profileOf(...tc.history);
    assert.deepEqual(scores(patternRisks(tc.now, profile)), tc.expected);
  });
}

const timeCases: { name: string; at: number; profile: 'none' | 'weekday-only' | 'weekend-seen'; expected: [string, number][] }[] = [
  { name: '01:59 UTC is not late night', at: hour(1, 59), profile: 'none', expected: [] },
  { name: '02:00 UTC is late night (0.2)', at: hour(2), profile: 'none', expected: [['late_night_transaction', 0.2]] },
  { name: '06:59 UTC is still late night: the document tests hour <= 6', at: hour(6, 59), profile: 'none', expected: [['late_night_transaction', 0.2]] },
  { name: '07:00 UTC is not', at: hour(7), profile: 'none', expected: [] },
  { name: 'Saturday without weekend history (0.3)', at: SATURDAY_10H, profile: 'weekday-only', expected: [['weekend_unusual_activity', 0.3]] },
  { name: 'Saturday with weekend history', at: SATURDAY_10H, profile: 'weekend-seen', expected: [] },
  { name: 'Saturday with no profile at all (the document needs a profile)', at: SATURDAY_10H, profile: 'none', expected: [] },
  { name: 'Sunday 03:00: both', at: Date.UTC(2026, 10, 22, 3), profile: 'weekday-only', expected: [['late_night_transaction', 0.2], ['weekend_unusual_activity', 0.3]] },
];

for (const tc of timeCases) {
  test(`time: ${tc.name}`, () => {
    const profile =
      tc.profile === 'none' ? undefined : tc.profile === 'weekday-only' ? profileOf(tx()) : profileOf(tx(), tx({ timestamp: Date.UTC(2026, 10, 15, 10) }));
    assert.deepEqual(scores(timeRisks(tx({ timestamp: tc.at }), profile)), tc.expected);
  });
}

test('time: the weekday reported is Python weekday() (Saturday 5, Sunday 6)', () => {
  const profile = profileOf(tx());
  assert.equal(timeRisks(tx({ timestamp: SATURDAY_10H }), profile)[0]!.weekday, 5);
  assert.equal(timeRisks(tx({ timestamp: Date.UTC(2026, 10, 22, 10) }), profile)[0]!.weekday, 6);
});

const f = (risk_score: number): RiskFactor => ({ type: 'x', risk_score });

const overallCases: { name: string; categories: RiskFactor[][]; score: number }[] = [
  { name: 'no factor at all', categories: [[], [], [], [], []], score: 0 },
  { name: 'one category alone is the score', categories: [[], [f(0.9)], [], [], []], score: 0.9 },
  { name: 'mean of each category’s highest: (1 + 0.64 + 0.4 + 0.2) / 4', categories: [[f(0.5), f(1)], [], [f(0.64)], [f(0.3), f(0.4)], [f(0.2)]], score: 0.56 },
];

for (const tc of overallCases) {
  test(`overall: ${tc.name}`, () => assert.ok(Math.abs(overallRisk(tc.categories) - tc.score) < 1e-12));
}

const levelCases: [number, string, string][] = [
  [1, 'critical', 'Immediate transaction blocking recommended'],
  [0.8, 'critical', 'Immediate transaction blocking recommended'],
  [0.7999, 'high', 'Additional verification required'],
  [0.6, 'high', 'Additional verification required'],
  [0.5999, 'medium', 'Monitor closely, consider manual review'],
  [0.3, 'medium', 'Monitor closely, consider manual review'],
  [0.2999, 'low', 'Low risk, normal processing'],
  [0, 'low', 'Low risk, normal processing'],
];

for (const [score, level, text] of levelCases) {
  test(`level at ${score}: ${level}`, () => {
    const l = riskLevel(score);
    assert.equal(l, level);
    assert.equal(recommendation(l), text);
  });
}
