import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec } from '../../src/engine/spec.js';
import { buildDesign } from '../../src/design/design-report.js';
import { flagLayer, resolveRequest, type DesignFlags } from '../../src/design/design-request.js';
import { DisorderTracker } from '../../src/design/lateness.js';
import type { RecordingProfile } from '../../src/design/recording-profile.js';

function request(flags: DesignFlags) {
  return resolveRequest({}, flagLayer(flags));
}

/** A profile as the profiler would report it; disorder from the given lags. */
function profile(overrides: Partial<RecordingProfile>, lags: number[] = []): RecordingProfile {
  const tracker = new DisorderTracker();
  tracker.add(1_000_000);
  for (const lag of lags) tracker.add(1_000_000 - lag);
  for (let i = lags.length + 1; i < 1000; i++) tracker.add(1_000_000 + i);
  return {
    records: 1000,
    unreadable: 0,
    missingTime: 0,
    timeField: 'timestamp',
    firstEventTime: 0,
    lastEventTime: 99_000,
    seconds: 100,
    meanEventsPerSec: 10,
    peakEventsPerSec: 40,
    peakToMean: 4,
    meanEventBytes: 300,
    maxEventBytes: 900,
    keys: [{ name: 'userId', records: 1000, distinct: 25, capped: false, topKey: 'u1', topShare: 0.1, skew: 2.5 }],
    disorder: tracker.finish(),
    ...overrides,
  };
}

test('a recording supplies rate, event size and peak factor unless flags give them', () => {
  const measured = buildDesign({ request: request({ from: 'r.jsonl' }), profile: profile({}) });
  assert.deepEqual([measured.inputs.eventsPerSec, measured.inputs.eventBytes, measured.inputs.peakFactor], [10, 300, 4]);
  assert.deepEqual([measured.inputs.sources.eventsPerSec, measured.inputs.sources.eventBytes, measured.inputs.sources.peakFactor, measured.inputs.sources.velocity], ['recording', 'recording', 'recording', 'mean rate']);
  const flagged = buildDesign({ request: request({ from: 'r.jsonl', eventsPerSec: '5000', peakFactor: '3' }), profile: profile({}) });
  assert.deepEqual([flagged.inputs.eventsPerSec, flagged.inputs.eventBytes, flagged.inputs.peakFactor], [5000, 300, 3]);
});

test('the measured peak factor needs 60 s of data at >= 10 events/s; otherwise the default 2', () => {
  const cases: Array<[string, Partial<RecordingProfile>, number]> = [
    ['100 s at 10/s', {}, 4],
    ['59 s', { seconds: 59 }, 2],
    ['sparse: 9.9/s', { meanEventsPerSec: 9.9 }, 2],
  ];
  for (const [name, overrides, expected] of cases) assert.equal(buildDesign({ request: request({ from: 'r' }), profile: profile(overrides) }).inputs.peakFactor, expected, name);
});

const windowPipeline = (outOfOrderness: number): PipelineSpec => ({
  name: 'p',
  time: { field: 'timestamp', outOfOrderness },
  steps: [
    {
      kind: 'window',
      name: 'perUser',
      keyBy: { kind: 'fields', paths: ['userId'], composite: false },
      window: { type: 'tumbling', size: 60_000, offset: 0 },
      allowedLateness: 0,
      lateOutput: false,
      aggregate: [{ name: 'n', fn: 'count' }],
      select: [],
    },
  ],
});

test("state uses the recording's measured key count for a field key", () => {
  const report = buildDesign({ request: request({ from: 'r' }), profile: profile({}), pipeline: windowPipeline(0) });
  // 25 keys × 1 window × (8 + 64).
  assert.deepEqual([report.state!.steps[0]!.keys, report.state!.steps[0]!.keySource, report.state!.bytes], [25, 'measured', 1_800]);
});

test("a pipeline whose outOfOrderness makes more than 0.1% late is warned about", () => {
  // 5 of 1000 records trail by 3 s: late at 1 s (0.5%), not at 5 s.
  const lags = [3_000, 3_000, 3_000, 3_000, 3_000];
  const tight = buildDesign({ request: request({ from: 'r' }), profile: profile({}, lags), pipeline: windowPipeline(1_000) });
  assert.ok(tight.warnings.some((w) => /outOfOrderness 1s makes 0.5% of this recording's records late; the advisor recommends 5s/.test(w)), tight.warnings.join('\n'));
  const loose = buildDesign({ request: request({ from: 'r' }), profile: profile({}, lags), pipeline: windowPipeline(5_000) });
  assert.ok(!loose.warnings.some((w) => /outOfOrderness/.test(w)));
});

test('warnings: exactly-once under a tight latency, replication at min ISR, retention.bytes, linger', () => {
  const cases: Array<[string, DesignFlags, RegExp | null]> = [
    ['exactly-once at 100ms', { velocity: 'low', exactlyOnce: true, latency: '100ms' }, /latency cannot hold end to end/],
    ['exactly-once at 1s is fine', { velocity: 'low', exactlyOnce: true, latency: '1s' }, null],
    ['RF 2 = min ISR', { velocity: 'low', replication: '2' }, /equals min.insync.replicas/],
    ['RF 1 < min ISR', { velocity: 'low', replication: '1' }, /below min.insync.replicas/],
    // 1,000 × 1,024 × 604,800 / 1 partition = 619 GB > 1 GiB.
    ['retention.bytes', { velocity: 'low' }, /above log.retention.bytes 1 GiB/],
    ['linger at 10ms', { velocity: 'low', latency: '10ms' }, /linger.ms=5 .* spends 50% of a 10ms budget/],
  ];
  for (const [name, flags, pattern] of cases) {
    const warnings = buildDesign({ request: request(flags) }).warnings;
    if (pattern) assert.ok(warnings.some((w) => pattern.test(w)), `${name}: ${warnings.join(' | ')}`);
    else assert.ok(!warnings.some((w) => /latency cannot hold/.test(w)), name);
  }
});

test('when retention drives the broker count the warning names the levers', () => {
  // 20,000 × 1,024 B × 7 d × 3 × 1.1 = 40.87 TB: 47 brokers for storage, 3 for traffic.
  const report = buildDesign({ request: request({ eventsPerSec: '20000' }) });
  assert.equal(report.sizing.kafkaBrokers.value, 47);
  assert.ok(report.warnings.some((w) => /retention, not throughput, sets the broker count \(47 for storage vs 3 for traffic\)/.test(w)), report.warnings.join('\n'));
  const short = buildDesign({ request: request({ eventsPerSec: '20000', retention: '6h' }) });
  assert.ok(!short.warnings.some((w) => /sets the broker count/.test(w)));
});

test('a key hotter than one slot at peak is warned about', () => {
  // u1 holds 10% of 1,000,000 × 2 events/s = 200,000/s > 10,000 per slot; at 10 events/s it is 2/s.
  const hot = buildDesign({ request: request({ from: 'r', eventsPerSec: '1000000', peakFactor: '2' }), profile: profile({}) });
  assert.ok(hot.warnings.some((w) => /hot key: userId=u1 carries 10% of the stream, 200,000 events\/s at peak/.test(w)), hot.warnings.join('\n'));
  const calm = buildDesign({ request: request({ from: 'r' }), profile: profile({}) });
  assert.ok(!calm.warnings.some((w) => /hot key/.test(w)));
});
