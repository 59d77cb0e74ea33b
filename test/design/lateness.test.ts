import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisorderTracker, adviseLateness, disorderPercentile, lateCount } from '../../src/design/lateness.js';
import { measureRecording } from '../../src/design/measure-recording.js';
import { guessKeyField } from '../../src/design/recording-profile.js';
import { InputError } from '../../src/errors.js';
import { SqliteRecordingWriter } from '../../src/replay/sqlite-recording.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-design-'));

function disorderOf(times: number[]) {
  const tracker = new DisorderTracker();
  for (const time of times) tracker.add(time);
  return tracker.finish();
}

// Event times in arrival order; lag = max seen before − time.
const TIMES = [
  1_000, 2_000, 3_000,
  1_500, // lag 1,500
  4_000,
  3_900, // lag 100
  10_000,
  4_000, // lag 6,000
  10_001,
  9_000, // lag 1,001
  9_001, // lag 1,000: exactly the bound, NOT late at 1 s (watermark = max − 1,000 − 1)
];

test('disorder is measured against the newest event time seen before each record', () => {
  const disorder = disorderOf(TIMES);
  assert.equal(disorder.inOrder, 6);
  assert.deepEqual([...disorder.lags], [100, 1_000, 1_001, 1_500, 6_000]);
});

test('percentiles are nearest-rank over all records, in-order ones counting as 0', () => {
  const disorder = disorderOf(TIMES);
  // 11 records: ranks p50 → 6 (a zero), p90 → 10 (1,500), p99 → 11 (6,000).
  assert.deepEqual([0.5, 0.9, 0.99, 0.999].map((q) => disorderPercentile(disorder, q)), [0, 1_500, 6_000, 6_000]);
});

test('a record is late at bound B exactly when its lag exceeds B (ts ≤ max − B − 1)', () => {
  const disorder = disorderOf(TIMES);
  const cases: Array<[number, number]> = [
    [0, 5],
    [100, 4],
    [999, 4],
    [1_000, 3],
    [1_001, 2],
    [5_000, 1],
    [6_000, 0],
  ];
  for (const [bound, late] of cases) assert.equal(lateCount(disorder, bound), late, `bound ${bound}`);
});

test('the advisor recommends the smallest candidate with ≤ 0.1% late and says why', () => {
  const advice = adviseLateness(disorderOf(TIMES));
  assert.deepEqual(
    advice.candidates.map((c) => [c.label, c.lateRecords]),
    [['1s', 3], ['5s', 1], ['30s', 0], ['1m', 0], ['5m', 0]],
  );
  assert.equal(advice.recommendedMs, 30_000);
  assert.match(advice.reason, /^30s makes 0% of records late/);
  assert.match(advice.reason, /5s would make 9\.09% late/);
  assert.deepEqual(advice.distribution, { records: 11, outOfOrder: 5, p50: 0, p90: 1_500, p99: 6_000, p999: 6_000, max: 6_000 });
});

test('1 late record in 1,000 is exactly the 0.1% limit and is accepted; 2 are not', () => {
  const ordered = Array.from({ length: 999 }, (_, i) => i * 100);
  const one = adviseLateness(disorderOf([...ordered, 0]));
  assert.equal(one.recommendedMs, 1_000, 'lag 99,800 ms is late at 1s..1m but 1/1000 = 0.1% is allowed');
  const two = adviseLateness(disorderOf([...ordered.slice(0, 998), 0, 0]));
  assert.equal(two.candidates[0]!.lateShare, 0.002);
  assert.equal(two.recommendedMs, 300_000, 'lags of 99,700 ms: only 5m covers them');
});

test('when no candidate qualifies there is no recommendation and the reason gives p99.9', () => {
  const times: number[] = [];
  for (let i = 0; i < 100; i++) times.push(10_000_000 + i, i); // every other record is ~2.8 h behind
  const advice = adviseLateness(disorderOf(times));
  assert.equal(advice.recommendedMs, null);
  assert.match(advice.reason, /no candidate keeps late records/);
  assert.match(advice.reason, /p99\.9 disorder is/);
});

test('a constructed recording: rate, peak-to-mean, sizes, keys, skew, disorder, unreadable lines', async () => {
  const lines = [
    { userId: 'a', timestamp: '2026-01-01T00:00:00.000Z', n: 1 },
    { userId: 'a', timestamp: '2026-01-01T00:00:00.500Z', n: 2 },
    { userId: 'b', timestamp: 1767225600900, n: 3 },
    { userId: 'a', timestamp: '2026-01-01T00:00:02.000Z', n: 4 },
    { userId: 'c', timestamp: '2026-01-01T00:00:00.100Z', n: 5 }, // 1.9 s behind
    { userId: 'a', n: 6 }, // no event time
  ].map((record) => JSON.stringify(record));
  const text = ['not json', ...lines, '[1,2]'].join('\n') + '\n';
  writeFileSync(join(dir, 'r.jsonl'), text);
  writeFileSync(join(dir, 'r.jsonl.gz'), gzipSync(text));
  for (const file of ['r.jsonl', 'r.jsonl.gz']) {
    const profile = await measureRecording(join(dir, file), { timeField: 'timestamp', keys: [], guessKey: true });
    assert.equal(profile.records, 6, file);
    assert.equal(profile.unreadable, 2, file);
    assert.equal(profile.missingTime, 1, file);
    // Seconds 0, 1 (empty) and 2: 5 timed records over 3 s; the peak second holds 4.
    assert.equal(profile.seconds, 3, file);
    assert.equal(profile.meanEventsPerSec, 5 / 3, file);
    assert.equal(profile.peakEventsPerSec, 4, file);
    assert.equal(profile.peakToMean, 4 / (5 / 3), file);
    const bytes = lines.map((line) => Buffer.byteLength(line));
    assert.equal(profile.meanEventBytes, bytes.reduce((a, b) => a + b, 0) / 6, file);
    assert.equal(profile.maxEventBytes, Math.max(...bytes), file);
    assert.deepEqual(profile.keys, [{ name: 'userId', records: 6, distinct: 3, capped: false, topKey: 'a', topShare: 4 / 6, skew: 4 / 2 }], file);
    assert.deepEqual([...profile.disorder.lags], [1_900], file);
  }
});

test('composite keys and --key override the guess', async () => {
  writeFileSync(join(dir, 'k.jsonl'), ['{"e":"x","v":"1","userId":"u","timestamp":1}', '{"e":"x","v":"2","userId":"u","timestamp":2}', '{"e":"x","v":"1","userId":"u","timestamp":3}'].join('\n'));
  const profile = await measureRecording(join(dir, 'k.jsonl'), { timeField: 'timestamp', keys: [{ name: 'e,v', paths: ['e', 'v'] }], guessKey: true });
  assert.deepEqual(profile.keys.map((k) => [k.name, k.distinct, k.topKey]), [['e,v', 2, '["x","1"]']]);
});

test('key guess: a familiar entity id first, never a per-record id', () => {
  const cases: Array<[Record<string, unknown>, string | null]> = [
    [{ eventId: 'e1', userId: 'u1', contentId: 'c1' }, 'userId'],
    [{ transaction_id: 't', account_id: 'a' }, 'account_id'],
    [{ order_id: 'o', merchant_id: 'm' }, 'merchant_id'],
    [{ event_id: 'e', value: 3 }, null],
  ];
  for (const [record, expected] of cases) assert.equal(guessKeyField(record), expected, JSON.stringify(record));
});

test('a SQLite recording measures the same as the JSONL it holds; a non-recording is unreadable input', async () => {
  const values = [
    '{"userId":"a","timestamp":1000}',
    '{"userId":"b","timestamp":3000}',
    'not json',
    '{"userId":"a","timestamp":2000}',
  ];
  writeFileSync(join(dir, 'same.jsonl'), values.join('\n') + '\n');
  const writer = new SqliteRecordingWriter(join(dir, 'same.db'), { source: 'test' });
  for (const value of values) writer.append({ value, partition: 0 });
  writer.close();
  const options = { timeField: 'timestamp', keys: [], guessKey: true };
  const fromSqlite = await measureRecording(join(dir, 'same.db'), options);
  const fromJsonl = await measureRecording(join(dir, 'same.jsonl'), options);
  assert.deepEqual(fromSqlite, fromJsonl);
  assert.deepEqual([fromSqlite.records, fromSqlite.unreadable, [...fromSqlite.disorder.lags]], [3, 1, [1_000]]);
  writeFileSync(join(dir, 'fake.db'), 'not sqlite');
  await assert.rejects(measureRecording(join(dir, 'fake.db'), options), (error: unknown) => error instanceof InputError);
});

test('dotted paths reach nested event times and keys', async () => {
  writeFileSync(join(dir, 'nested.jsonl'), ['{"meta":{"ts":5000,"user":"a"}}', '{"meta":{"ts":"1970-01-01T00:00:03Z","user":"b"}}'].join('\n'));
  const profile = await measureRecording(join(dir, 'nested.jsonl'), { timeField: 'meta.ts', keys: [{ name: 'meta.user', paths: ['meta.user'] }], guessKey: false });
  assert.deepEqual([profile.missingTime, [...profile.disorder.lags], profile.keys[0]!.distinct], [0, [2_000], 2]);
});
