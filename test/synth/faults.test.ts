import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFaults } from '../../src/synth/faults.js';
import { UsageError } from '../../src/errors.js';
import { runSynth } from './run-synth.js';
import type { SynthRequest } from '../../src/synth/synthesize.js';

const request: SynthRequest = {
  domain: 'media',
  seed: 3,
  count: 200_000,
  start: Date.UTC(2026, 0, 1, 6),
  rate: 'constant:100/s',
  entities: 500,
  skew: 1.1,
  userSkew: 0.6,
  faults: 'late:0.01@30s-5m,disorder:0.05@0-3s,dup:0.005,missing:0.002,malformed:0.001',
  cases: 2,
};

test('each fault appears at its requested rate (within 15%)', async () => {
  const { summary } = await runSynth(request);
  const injectedEvents = summary.truth.filter((t) => Array.isArray(t.lines)).reduce((n, t) => n + (t.lines as number[]).length, 0);
  const background = summary.events - injectedEvents;
  const expected = { late: 0.01, disorder: 0.05, duplicate: 0.005, missing: 0.002, malformed: 0.001 };
  for (const [kind, fraction] of Object.entries(expected)) {
    const count = summary.faults[kind]!;
    const want = fraction * background;
    assert.ok(Math.abs(count - want) <= 0.15 * want, `${kind}: ${count} faults, expected about ${Math.round(want)}`);
    assert.equal(summary.truth.filter((t) => t.kind === kind).length, count, `${kind}: one truth line per fault`);
  }
  assert.equal(summary.lines, summary.events + summary.faults.duplicate!);
});

test('faults are what the truth says they are, at the lines it says', async () => {
  const { lines, times, summary } = await runSynth(request);
  const maxBefore: number[] = [];
  let max = -Infinity;
  const parsed = lines.map((text) => {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  });
  for (const time of times) {
    maxBefore.push(max);
    max = Math.max(max, time);
  }
  for (const t of summary.truth) {
    const i = t.line - 1;
    switch (t.kind) {
      case 'late':
      case 'disorder': {
        assert.equal(parsed[i].timestamp, t.time, `${t.kind} line ${t.line}`);
        // `delay` is how far behind the latest earlier record it is; `planned` the drawn delay,
        // which it reaches to within a tick unless the stream ended first.
        assert.equal(maxBefore[i]! - t.time, t.delay, `${t.kind} line ${t.line}`);
        const [min, max] = t.kind === 'late' ? [30_000, 300_000] : [0, 3_000];
        assert.ok((t.planned as number) >= min && (t.planned as number) <= max, `${t.kind} line ${t.line}: planned ${t.planned}`);
        if (t.line < lines.length - 2000) assert.ok((t.delay as number) >= (t.planned as number) - 1_000, `${t.kind} line ${t.line}: ${t.delay} < ${t.planned}`);
        break;
      }
      case 'duplicate':
        assert.equal(lines[i], lines[(t.of as number) - 1], `duplicate line ${t.line} equals line ${t.of}`);
        break;
      case 'missing':
        assert.ok(parsed[i] && !(String(t.field) in parsed[i]), `missing line ${t.line} lacks ${t.field}`);
        break;
      case 'malformed':
        assert.equal(parsed[i], null, `malformed line ${t.line} is not JSON`);
        break;
    }
  }
  // Case records are never damaged.
  const damaged = new Set(summary.truth.filter((t) => ['late', 'disorder', 'missing', 'malformed'].includes(t.kind)).map((t) => t.line));
  for (const t of summary.truth) for (const line of (t.lines as number[] | undefined) ?? []) assert.ok(!damaged.has(line), `case line ${line} has a fault`);
});

test('fault specs: good ones parse, bad ones are usage errors', () => {
  const good: Array<[string, string[]]> = [
    ['late:0.01@30s-5m', ['late']],
    ['disorder:0.05@0-3s,dup:0.005', ['disorder', 'duplicate']],
    ['dup:0.01@0-10s,missing:0.002,malformed:0.001', ['duplicate', 'missing', 'malformed']],
    ['late:0.02@exp:1m', ['late']],
  ];
  for (const [spec, kinds] of good) assert.deepEqual(parseFaults(spec).map((r) => r.kind), kinds, spec);
  for (const bad of ['late', 'late:2', 'lost:0.1', 'late:0.1@5m-30s', 'missing:0.1@1s', 'late:0.6,dup:0.6', 'late:0.1@soon']) {
    assert.throws(() => parseFaults(bad), UsageError, bad);
  }
});
