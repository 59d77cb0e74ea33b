import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AggregateSpec, KeySpec, PipelineSpec, StepSpec, WindowSpec } from '../../src/engine/spec.js';
import { defaultAssumptions } from '../../src/design/assumptions.js';
import { pipelineState, windowsPerKey, type KeyCount } from '../../src/design/state-size.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const keyed: KeySpec = { kind: 'fields', paths: ['userId'], composite: false };

function windowStep(name: string, window: WindowSpec, aggregate: AggregateSpec[], options: { keyBy?: KeySpec; allowedLateness?: number } = {}): StepSpec {
  return { kind: 'window', name, keyBy: options.keyBy ?? keyed, window, allowedLateness: options.allowedLateness ?? 0, lateOutput: false, aggregate, select: [] };
}

function patternStep(name: string, within: number | undefined): StepSpec {
  return {
    kind: 'pattern',
    name,
    keyBy: keyed,
    pattern: { within, skip: { kind: 'noSkip' }, stages: [{ name: 'start', quantifier: { kind: 'single' }, optional: false, greedy: false, consecutive: false, allowCombinations: false }] },
    emitTimeouts: false,
    lateOutput: false,
    select: [],
  };
}

function spec(steps: StepSpec[], outOfOrderness = 5 * SECOND): PipelineSpec {
  return { name: 'test', time: { field: 'timestamp', outOfOrderness }, steps };
}

const keysOf = (keys: number) => (): KeyCount => ({ keys, source: 'assumed' });
const count: AggregateSpec = { name: 'n', fn: 'count' };

test('windows alive per key = ceil((span + outOfOrderness + allowedLateness) / advance)', () => {
  const cases: Array<[string, WindowSpec, number, number, number]> = [
    ['tumbling 1m, 5s disorder: the closed window waits 5 s beside the open one', { type: 'tumbling', size: MINUTE, offset: 0 }, 5 * SECOND, 0, 2],
    ['tumbling 1m, no disorder', { type: 'tumbling', size: MINUTE, offset: 0 }, 0, 0, 1],
    ['tumbling 1m, 5s + 2m lateness: ceil(185/60) = 4', { type: 'tumbling', size: MINUTE, offset: 0 }, 5 * SECOND, 2 * MINUTE, 4],
    ['sliding 15m/1m, 5s: ceil(905/60) = 16', { type: 'sliding', size: 15 * MINUTE, slide: MINUTE, offset: 0 }, 5 * SECOND, 0, 16],
    ['session 30m gap, 5s + 1m lateness: ceil(1865/1800) = 2', { type: 'session', gap: 30 * MINUTE }, 5 * SECOND, MINUTE, 2],
  ];
  for (const [name, window, ooo, lateness, expected] of cases) assert.equal(windowsPerKey(window, ooo, lateness), expected, name);
});

test('window state = keys × windows per key × (accumulators + 64 B overhead), hand-computed', () => {
  const a = defaultAssumptions();
  const cases: Array<{ name: string; step: StepSpec; keys: number; eventsPerSec: number; bytes: number }> = [
    {
      name: 'tumbling 1m, count + avg: 1,000 × 2 × (8 + 16 + 64) = 176,000',
      step: windowStep('t', { type: 'tumbling', size: MINUTE, offset: 0 }, [count, { name: 'a', fn: 'avg', arg: 'x' }]),
      keys: 1_000,
      eventsPerSec: 100,
      bytes: 176_000,
    },
    {
      name: "trending (seeds/000): sliding 15m/1m, count_distinct over 100 ev/s and 50 keys: 1,800 values × 16 B + count 8 + 64 = 28,872 per window; × 16 × 50",
      step: windowStep('trending', { type: 'sliding', size: 15 * MINUTE, slide: MINUTE, offset: 0 }, [count, { name: 'users', fn: 'count_distinct', arg: 'userId' }]),
      keys: 50,
      eventsPerSec: 100,
      bytes: 23_097_600,
    },
    {
      name: 'session 30m with 1m lateness, sum: 10 × 2 × (8 + 64) = 1,440',
      step: windowStep('s', { type: 'session', gap: 30 * MINUTE }, [{ name: 's', fn: 'sum', arg: 'x' }], { allowedLateness: MINUTE }),
      keys: 10,
      eventsPerSec: 100,
      bytes: 1_440,
    },
    {
      name: 'traffic anomaly (seeds/000): non-keyed tumbling 1m count is one key: 1 × 2 × 72 = 144',
      step: windowStep('traffic', { type: 'tumbling', size: MINUTE, offset: 0 }, [count], { keyBy: { kind: 'none' } }),
      keys: 1_000,
      eventsPerSec: 100,
      bytes: 144,
    },
    {
      name: 'percentile keeps every value: 10 ev/s × 10 s on one key = 100 × 8 = 800 (+ 64) × 2 windows (5 s disorder)',
      step: windowStep('p', { type: 'tumbling', size: 10 * SECOND, offset: 0 }, [{ name: 'p95', fn: 'percentile', arg: 'x', quantile: 0.95 }], { keyBy: { kind: 'none' } }),
      keys: 1,
      eventsPerSec: 10,
      bytes: 2 * (800 + 64),
    },
  ];
  for (const c of cases) {
    const state = pipelineState(spec([c.step]), { eventsPerSec: c.eventsPerSec, eventBytes: 500 }, keysOf(c.keys), a);
    assert.equal(state.bytes, c.bytes, c.name);
    assert.equal(state.lowerBound, false, c.name);
    assert.equal(state.steps[0]!.bytes, c.bytes, c.name);
  }
});

test('pattern state = keys × events per key within `within` × (event + 64) + events waiting for the watermark', () => {
  // binge (seeds/000) shape: within 2h, 10 ev/s, 100 keys, 200 B events, 5 s disorder:
  // 100 × 720 × 264 + 50 × 264 = 19,008,000 + 13,200.
  const state = pipelineState(spec([patternStep('binge', 2 * 60 * MINUTE)]), { eventsPerSec: 10, eventBytes: 200 }, keysOf(100), defaultAssumptions());
  assert.equal(state.bytes, 19_021_200);
  assert.equal(state.lowerBound, false);
});

test('a pattern without `within` and a process step are unbounded: the total is a lower bound', () => {
  const steps: StepSpec[] = [
    patternStep('open-ended', undefined),
    { kind: 'process', name: 'fraud', keyBy: keyed, lateOutput: false, create: () => ({}) as never },
    windowStep('t', { type: 'tumbling', size: MINUTE, offset: 0 }, [count]),
  ];
  const state = pipelineState(spec(steps), { eventsPerSec: 100, eventBytes: 500 }, keysOf(10), defaultAssumptions());
  assert.deepEqual(state.steps.map((step) => step.bytes), [null, null, 10 * 2 * 72]);
  assert.equal(state.bytes, 1_440);
  assert.equal(state.lowerBound, true);
  assert.match(state.steps[0]!.workings, /add `within`/);
});

test('measured key counts are used and reported as measured', () => {
  const state = pipelineState(
    spec([windowStep('t', { type: 'tumbling', size: MINUTE, offset: 0 }, [count])], 0),
    { eventsPerSec: 100, eventBytes: 500 },
    () => ({ keys: 3, source: 'measured' }),
    defaultAssumptions(),
  );
  assert.deepEqual([state.steps[0]!.keys, state.steps[0]!.keySource, state.bytes], [3, 'measured', 3 * 1 * 72]);
});
