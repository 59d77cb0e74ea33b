import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMA_ALPHA, QualityScore, directionOf } from '../../src/quality/score.js';
import { openQualityMonitor, qualityHeadline } from '../../src/quality/live-quality.js';

test('EMA α = 0.1 over per-record scores from 1.0, as the document: 0.9·ema + 0.1·score', () => {
  const score = new QualityScore();
  const inputs = [1, 0, 0.5, 1, 0.8];
  let expected = 1;
  for (const s of inputs) {
    score.add(s);
    expected = (1 - EMA_ALPHA) * expected + EMA_ALPHA * s;
  }
  const summary = score.summary();
  assert.ok(Math.abs(summary.ema - expected) < 1e-12);
  assert.equal(summary.min, 0);
  assert.equal(summary.max, 1);
  assert.ok(Math.abs(summary.average - 0.66) < 1e-12);
  assert.equal(summary.scoredRecords, 5);
});

test('trend points always span the whole stream in at most 32 batches (neighbours merge, batch doubles)', () => {
  const cases = [
    { records: 10, batch: 1, points: 10 },
    { records: 32, batch: 2, points: 16 },
    { records: 1000, batch: 32, points: 32 },
    { records: 100_000, batch: 4096, points: 25 },
  ];
  for (const c of cases) {
    const score = new QualityScore();
    // Scores fall linearly from 1 to 0: every point is its batch's average, and the trend degrades.
    for (let i = 0; i < c.records; i++) score.add(1 - i / c.records);
    const summary = score.summary();
    assert.equal(summary.trendBatch, c.batch, `${c.records} records`);
    assert.equal(summary.trend.length, c.points, `${c.records} records`);
    assert.equal(summary.direction, 'degrading');
    const first = summary.trend[0]!;
    assert.ok(Math.abs(first - (1 - (c.batch - 1) / 2 / c.records)) < 1e-9, `first point ${first} is the first batch's average`);
  }
});

test('trend direction from the least-squares slope, ±0.01 over the span is stable', () => {
  const cases: Array<[number[], string]> = [
    [[1, 1, 1, 1], 'stable'],
    [[0.9, 0.95, 1], 'improving'],
    [[1, 0.5, 1, 0.5, 1], 'stable'],
    [[1, 0.995, 0.992], 'stable'],
    [[1, 1, 0.9, 0.8], 'degrading'],
    [[0.7], 'stable'],
  ];
  for (const [points, direction] of cases) assert.equal(directionOf(points), direction, JSON.stringify(points));
});

test('openQualityMonitor loads a rules file for a live replay; the headline and snapshot statuses follow the stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-quality-live-'));
  const path = join(dir, 'rules.yaml');
  writeFileSync(path, '- {id: amount, type: value_range, severity: HIGH, config: {field_ranges: {amount: {min: 0}}}}\n- {id: cur, type: pattern, severity: LOW, config: {field_patterns: {currency: "^[A-Z]{3}$"}}}\n');
  const monitor = await openQualityMonitor(path);
  monitor.observe({ amount: 5, currency: 'USD' }, 1);
  assert.equal(qualityHeadline(monitor.snapshot()), 'score 1.000 · 1 records · all rules pass');
  // Record 2 scores (0.8 + 0.7) / 2 = 0.75 (range −0.2, pattern −0.3); EMA 0.9 · 1 + 0.1 · 0.75.
  monitor.observe({ amount: -1, currency: 'usd' }, 2);
  monitor.observeMalformed(3, 'invalid JSON');
  const snapshot = monitor.snapshot();
  assert.deepEqual(snapshot.rules.map((r) => [r.id, r.status, r.failed]), [['amount', 'FAIL', 1], ['cur', 'FAIL', 1]]);
  assert.equal(qualityHeadline(snapshot), 'score 0.975 · 2 records · 1 malformed · 2 failing (1 at or above HIGH)');
});
