import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRules } from './run-rules.js';

const T0 = Date.UTC(2026, 0, 1);
const dir = mkdtempSync(join(tmpdir(), 'sw-quality-checks-'));
writeFileSync(join(dir, 'users.jsonl'), '{"id":"u1"}\n{"id":"u2"}\n{"id":3}\n');
writeFileSync(join(dir, 'plans.txt'), '# plans\nfree\npremium\n');
writeFileSync(join(dir, 'shops.csv'), 'code,"name, long"\ns1,"A, B"\ns2,C\n');

interface Case {
  readonly name: string;
  readonly type: string;
  readonly config: Record<string, unknown>;
  readonly records: Array<Record<string, unknown>>;
  /** Indexes of the records that must fail; every other record must pass. */
  readonly fails: number[];
  readonly message?: RegExp;
  readonly status?: 'PASS' | 'FAIL';
  readonly extra?: Record<string, unknown>;
  readonly now?: () => number;
}

const cases: Case[] = [
  {
    name: 'schema: missing required field and wrong type (document example: user_event_schema)',
    type: 'schema',
    config: { required_fields: ['user_id', 'event_type', 'timestamp'], optional_fields: ['properties'], field_types: { user_id: 'string', timestamp: 'float', properties: 'dict' } },
    records: [
      { user_id: 'u1', event_type: 'click', timestamp: 1.5, properties: {} },
      { event_type: 'click', timestamp: 1 },
      { user_id: 7, event_type: 'click', timestamp: 1 },
      { user_id: 'u1', event_type: 'click', timestamp: 1, properties: [] },
      { user_id: null, event_type: 'click', timestamp: 2 },
    ],
    fails: [1, 2, 3],
    message: /missing required field user_id/,
  },
  {
    name: 'schema: strict rejects unexpected top-level fields; nested required paths allow their parent',
    type: 'schema',
    config: { required_fields: ['id', 'location.latitude'], strict_schema: true },
    records: [{ id: 1, location: { latitude: 1 } }, { id: 2, location: { latitude: 1 }, extra: true }, { id: 3, location: {} }],
    fails: [1, 2],
    message: /unexpected fields: extra/,
  },
  {
    name: 'schema: timestamp type accepts epoch ms and ISO-8601, refuses other strings',
    type: 'schema',
    config: { field_types: { ts: 'timestamp' } },
    records: [{ ts: T0 }, { ts: '2026-01-01T00:00:00Z' }, { ts: 'yesterday' }, { ts: true }],
    fails: [2, 3],
  },
  {
    name: 'completeness: per-field ratio decides the rule; empty records are listed',
    type: 'completeness',
    config: { fields: ['a', 'b'], max_null_ratio: 0.3 },
    records: [{ a: 1, b: 1 }, { a: null, b: 1 }, { a: 1, b: '  ' }, { a: 1 }],
    fails: [1, 2, 3],
    status: 'FAIL',
    message: /empty: b/,
  },
  {
    name: 'completeness: ratios within limits pass the rule although some records are empty',
    type: 'completeness',
    config: { fields: { a: 0.5, b: 0.5 } },
    records: [{ a: 1, b: 1 }, { a: null, b: 1 }, { a: 1, b: 2 }, { a: 1, b: '' }],
    fails: [1, 3],
    status: 'PASS',
  },
  {
    name: "completeness: '*' checks every field a record carries",
    type: 'completeness',
    config: { fields: '*', max_null_ratio: 0 },
    records: [{ a: 1, z: 'x' }, { a: 1, z: '' }],
    fails: [1],
    status: 'FAIL',
  },
  {
    name: 'freshness: age against the stream clock (max event time seen), not arrival order',
    type: 'freshness',
    config: { timestamp_field: 'ts', max_age: '5m' },
    records: [{ ts: T0 }, { ts: T0 + 600_000 }, { ts: T0 + 300_000 }, { ts: T0 + 299_999 }, { ts: T0 + 1000 }, { ts: 'bad' }, {}],
    fails: [3, 4, 5, 6],
    message: /10.0m old > max age 5m \(behind the stream clock\)/,
  },
  {
    name: 'freshness: max_age_seconds (the document) and ISO-8601 times',
    type: 'freshness',
    config: { max_age_seconds: 60 },
    records: [{ timestamp: '2026-01-01T00:10:00Z' }, { timestamp: '2026-01-01T00:08:59Z' }, { timestamp: '2026-01-01T00:09:00Z' }],
    fails: [1],
  },
  {
    name: 'freshness: --now clock judges against a fixed wall time',
    type: 'freshness',
    config: { max_age: '1m' },
    records: [{ timestamp: T0 }, { timestamp: T0 - 60_001 }],
    fails: [1],
    now: () => T0,
    message: /behind now/,
  },
  {
    name: 'value_range: min, max, allowed values; non-numbers fail min/max; nulls skipped (document example: value_ranges)',
    type: 'value_range',
    config: { field_ranges: { age: { min: 0, max: 150 }, status: { allowed_values: ['active', 'inactive', 'pending'] } } },
    records: [{ age: 25, status: 'active' }, { age: -5 }, { age: 151 }, { age: '30' }, { status: 'gone' }, { age: null, status: null }, { age: 0, status: 'pending' }],
    fails: [1, 2, 3, 4],
  },
  {
    name: 'pattern: regex per field, unanchored unless written with ^$ (document example: email)',
    type: 'pattern',
    config: { field_patterns: { email: '^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$', code: '[0-9]{3}' } },
    records: [{ email: 'user@example.com', code: 'x123' }, { email: 'invalid-email' }, { code: 12 }, { code: 123 }],
    fails: [1, 2],
  },
  {
    name: 'duplicates: same key within the event-time window; the first occurrence is kept (document example)',
    type: 'duplicates',
    config: { key_fields: ['user_id', 'event_type'], window: '1h', timestamp_field: 'ts' },
    records: [
      { user_id: 'u1', event_type: 'a', ts: T0 },
      { user_id: 'u1', event_type: 'b', ts: T0 + 1 },
      { user_id: 'u1', event_type: 'a', ts: T0 + 3_599_999 },
      { user_id: 'u1', event_type: 'a', ts: T0 + 3_600_000 },
      { user_id: 'u1', event_type: 'a', ts: T0 + 3_600_001 },
      { event_type: 'a', ts: T0 },
    ],
    fails: [2, 4],
    message: /duplicate of user_id\+event_type = u1\+a/,
  },
  {
    name: 'referential_integrity: inline values, another recording (JSONL) field, a plain list and a CSV column',
    type: 'referential_integrity',
    config: {
      reference_checks: [
        { field: 'user', recording: 'users.jsonl', key: 'id' },
        { field: 'plan', file: 'plans.txt' },
        { field: 'shop', file: 'shops.csv', key: 'code' },
        { field: 'currency', values: ['USD', 'EUR'] },
      ],
    },
    records: [{ user: 'u1', plan: 'free', shop: 's1', currency: 'USD' }, { user: 'u9' }, { plan: 'gold' }, { shop: 's3' }, { currency: 'KRW' }, { user: 3 }, { user: '3' }],
    fails: [1, 2, 3, 4],
    message: /user "u9" not found in users.jsonl \(id\)/,
  },
  {
    name: 'statistical_anomaly: z-score against the rolling profile, threshold 3.5 by default',
    type: 'statistical_anomaly',
    config: { numeric_fields: ['v'], window: 50 },
    records: [...Array.from({ length: 40 }, (_, i) => ({ v: 100 + (i % 10) })), { v: 1000 }, { v: 104 }, { v: 'abc' }, { v: '105' }, { v: -900 }],
    fails: [40, 42, 44],
    message: /v 1000 has z-score \d+\.\d+ > 3.5/,
  },
  {
    name: 'statistical_anomaly: no verdict before min_samples values',
    type: 'statistical_anomaly',
    config: { numeric_fields: ['v'], min_samples: 5 },
    records: [{ v: 1 }, { v: 2 }, { v: 1000 }, { v: 1 }, { v: 2 }, { v: 1 }, { v: 2000 }],
    fails: [6],
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const run = await runRules([{ id: 'r', type: c.type, severity: 'HIGH', config: c.config, ...c.extra }], c.records, {
      baseDir: dir,
      ...(c.now ? { now: c.now } : {}),
    });
    assert.deepEqual(run.failed['r'], c.fails, run.messages.join('\n'));
    if (c.message) assert.match(run.messages.join('\n'), c.message);
    const rule = run.report.rules[0]!;
    assert.equal(rule.failed, c.fails.length);
    assert.equal(rule.status, c.status ?? (c.fails.length > 0 ? 'FAIL' : 'PASS'));
  });
}

test('when: a rule checks only the records its filter selects', async () => {
  const run = await runRules(
    [{ id: 'orders', type: 'schema', when: { field: 'order_id', present: true }, config: { required_fields: ['total_amount'] } }],
    [{ order_id: 'o1', total_amount: 5 }, { product_id: 'p1' }, { order_id: 'o2' }],
  );
  assert.deepEqual(run.failed['orders'], [2]);
  assert.equal(run.report.rules[0]!.evaluated, 2);
});

test('max_fail_ratio: a rule fails only above the tolerated share', async () => {
  const records = Array.from({ length: 100 }, (_, i) => ({ v: i === 5 ? -1 : 1 }));
  const loose = await runRules([{ id: 'r', type: 'value_range', max_fail_ratio: 0.01, config: { field_ranges: { v: { min: 0 } } } }], records);
  assert.equal(loose.report.rules[0]!.status, 'PASS');
  assert.equal(loose.report.rules[0]!.failed, 1);
  const strict = await runRules([{ id: 'r', type: 'value_range', config: { field_ranges: { v: { min: 0 } } } }], records);
  assert.equal(strict.report.rules[0]!.status, 'FAIL');
});

test('disabled rules are validated but not run', async () => {
  const run = await runRules([{ id: 'off', type: 'value_range', enabled: false, config: { field_ranges: { v: { min: 0 } } } }], [{ v: -1 }]);
  assert.equal(run.report.rules.length, 0);
});

// Hangs for hours without the backtrack budget (2^40 steps); the timeout only turns a hang into a failure.
test('an overlapping alternation safe-regex2 lets through runs under the backtrack budget, with the same result', { timeout: 60_000 }, async () => {
  const records = [{ v: `${'a'.repeat(40)}` }, { v: 'aab' }];
  const run = await runRules([{ id: 'r', type: 'pattern', severity: 'LOW', config: { field_patterns: { v: '^(a|a)*b$' } } }], records);
  assert.deepEqual(run.failed['r'], [0]);
});
