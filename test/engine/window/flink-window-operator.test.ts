/**
 * Cases ported from Flink's WindowOperatorTest (flink-streaming-java, runtime/operators/windowing),
 * keeping their inputs, watermarks and expected results. Flink's `(key, sum)` tuples with the
 * window's maxTimestamp become our results' key, [start, end) and `sum`; its session tests'
 * "key2-6" strings are key and sum. Flink compares output sorted; we check the exact order, which
 * our rule fixes (end, then key in first-seen order, then start).
 *
 * Not ported, because a pipeline cannot express them: tests of other triggers (CountTrigger,
 * ContinuousEventTimeTrigger, PurgingTrigger: testSessionWindowsWithCountTrigger,
 * testSessionWindowsWithContinuousEventTimeTrigger, testDropDueToLatenessSessionWithLatenessPurgingTrigger),
 * custom assigners (testPointSessions), dynamic gaps, processing time, and snapshot/restore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kv, replay, windowStep, type Row } from './scenario.js';
import type { WindowSpec } from '../../../src/engine/spec.js';

interface Case {
  readonly name: string;
  readonly window: WindowSpec;
  readonly allowedLateness?: number;
  readonly rows: readonly Row[];
  readonly timeline: readonly string[];
}

const tumbling3s: WindowSpec = { type: 'tumbling', size: 3000, offset: 0 };
const sliding3s1s: WindowSpec = { type: 'sliding', size: 3000, slide: 1000, offset: 0 };
const session3s: WindowSpec = { type: 'session', gap: 3000 };

/** The out-of-order input testTumblingEventTimeWindows and testSlidingEventTimeWindows share. */
const outOfOrder: Row[] = [
  kv('key2', 1, 3999),
  kv('key2', 1, 3000),
  kv('key1', 1, 20),
  kv('key1', 1, 0),
  kv('key1', 1, 999),
  kv('key2', 1, 1998),
  kv('key2', 1, 1999),
  kv('key2', 1, 1000),
];

/** The session input of testSideOutputDueToLatenessSession* and testNotSideOutputDueToLatenessSession*. */
const sessionsUpTo14600: Row[] = [
  kv('key2', 1, 1000),
  { watermark: 1999 },
  kv('key2', 1, 2000),
  { watermark: 4998 },
  kv('key2', 1, 4500), // extends the session: its end is after the watermark
  kv('key2', 1, 8500), // a new session
  { watermark: 7400 },
  kv('key2', 1, 7000), // merges the two sessions into one
  { watermark: 11501 },
  kv('key2', 1, 11600), // a new session
  { watermark: 14600 },
];

const sessionsTimelineUpTo14600 = [
  '@1999',
  '@4998',
  '@7400',
  '@11501',
  'key2 [1000,11500) onTime {"sum":5}',
  '@14600',
  'key2 [11600,14600) onTime {"sum":1}',
];

const cases: Case[] = [
  {
    name: 'testTumblingEventTimeWindows',
    window: tumbling3s,
    rows: [...outOfOrder, { watermark: 999 }, { watermark: 1999 }, { watermark: 2999 }, { watermark: 3999 }, { watermark: 4999 }, { watermark: 5999 }, { watermark: 6999 }, { watermark: 7999 }],
    timeline: ['@999', '@1999', '@2999', 'key2 [0,3000) onTime {"sum":3}', 'key1 [0,3000) onTime {"sum":3}', '@3999', '@4999', '@5999', 'key2 [3000,6000) onTime {"sum":2}', '@6999', '@7999'],
  },
  {
    name: 'testSlidingEventTimeWindows',
    window: sliding3s1s,
    rows: [...outOfOrder, { watermark: 999 }, { watermark: 1999 }, { watermark: 2999 }, { watermark: 3999 }, { watermark: 4999 }, { watermark: 5999 }, { watermark: 6999 }, { watermark: 7999 }],
    timeline: [
      '@999',
      'key1 [-2000,1000) onTime {"sum":3}',
      '@1999',
      'key2 [-1000,2000) onTime {"sum":3}',
      'key1 [-1000,2000) onTime {"sum":3}',
      '@2999',
      'key2 [0,3000) onTime {"sum":3}',
      'key1 [0,3000) onTime {"sum":3}',
      '@3999',
      'key2 [1000,4000) onTime {"sum":5}',
      '@4999',
      'key2 [2000,5000) onTime {"sum":2}',
      '@5999',
      'key2 [3000,6000) onTime {"sum":2}',
      '@6999',
      '@7999',
    ],
  },
  {
    name: 'testSessionWindows (also testReduceSessionWindows: same input and results)',
    window: session3s,
    rows: [
      kv('key2', 1, 0),
      kv('key2', 2, 1000),
      kv('key2', 3, 2500),
      kv('key1', 1, 10),
      kv('key1', 2, 1000),
      kv('key1', 3, 2500),
      kv('key2', 4, 5501),
      kv('key2', 5, 6000),
      kv('key2', 5, 6000),
      kv('key2', 6, 6050),
      { watermark: 12000 },
      kv('key2', 10, 15000),
      kv('key2', 20, 15000),
      { watermark: 17999 },
    ],
    timeline: ['@12000', 'key2 [0,5500) onTime {"sum":6}', 'key1 [10,5500) onTime {"sum":6}', 'key2 [5501,9050) onTime {"sum":20}', '@17999', 'key2 [15000,18000) onTime {"sum":30}'],
  },
  {
    name: 'testSideOutputDueToLatenessTumbling',
    window: { type: 'tumbling', size: 2000, offset: 0 },
    rows: [
      kv('key2', 1, 1000),
      { watermark: 1985 },
      kv('key2', 1, 1980), // not late: window.maxTimestamp() + allowedLateness > watermark
      { watermark: 1999 },
      kv('key2', 1, 1998), // late: the window [0, 2000) is past cleanup
      kv('key2', 1, 2001),
      { watermark: 2999 },
      { watermark: 3999 },
    ],
    timeline: ['@1985', '@1999', 'key2 [0,2000) onTime {"sum":2}', 'late key2 {"key":"key2","value":1}', '@2999', '@3999', 'key2 [2000,4000) onTime {"sum":1}'],
  },
  {
    name: 'testSideOutputDueToLatenessSliding',
    window: sliding3s1s,
    rows: [
      kv('key2', 1, 1000),
      { watermark: 1999 },
      kv('key2', 1, 2000),
      { watermark: 3000 },
      kv('key1', 1, 3001),
      // Each goes to [1000,4000) and [2000,5000); [0,3000) is already late and skips them.
      kv('key2', 1, 2400),
      kv('key2', 1, 2400),
      kv('key1', 1, 3001),
      kv('key2', 1, 3900),
      { watermark: 6000 },
      kv('key1', 1, 3001), // every window of 3001 is late now
      { watermark: 25000 },
    ],
    timeline: [
      '@1999',
      'key2 [-1000,2000) onTime {"sum":1}',
      '@3000',
      'key2 [0,3000) onTime {"sum":2}',
      '@6000',
      'key2 [1000,4000) onTime {"sum":5}',
      'key1 [1000,4000) onTime {"sum":2}',
      'key2 [2000,5000) onTime {"sum":4}',
      'key1 [2000,5000) onTime {"sum":2}',
      'key2 [3000,6000) onTime {"sum":1}',
      'key1 [3000,6000) onTime {"sum":2}',
      'late key1 {"key":"key1","value":1}',
      '@25000',
    ],
  },
  {
    name: 'testSideOutputDueToLatenessSessionZeroLateness',
    window: session3s,
    rows: [
      ...sessionsUpTo14600,
      kv('key2', 1, 10000), // late: its session [10000, 13000) is past cleanup and touches no open one
      kv('key2', 1, 14500),
      { watermark: 20000 },
      { watermark: 100000 },
    ],
    timeline: [
      ...sessionsTimelineUpTo14600,
      'late key2 {"key":"key2","value":1}',
      '@20000',
      'key2 [14500,17500) onTime {"sum":1}',
      '@100000',
    ],
  },
  {
    name: 'testNotSideOutputDueToLatenessSessionWithLateness',
    window: session3s,
    allowedLateness: 10,
    rows: [
      ...sessionsUpTo14600,
      // Merges into the session [11600, 14600), which is still within the allowed lateness:
      // the merged session's end is behind the watermark, so it fires at once.
      kv('key2', 1, 10000),
      kv('key2', 1, 14500),
      { watermark: 20000 },
      { watermark: 100000 },
    ],
    timeline: [
      ...sessionsTimelineUpTo14600,
      'key2 [10000,14600) late {"sum":2}',
      '@20000',
      'key2 [10000,17500) onTime {"sum":3}',
      '@100000',
    ],
  },
  {
    name: 'testNotSideOutputDueToLatenessSessionWithHugeLateness (a late record bridges two sessions)',
    window: session3s,
    allowedLateness: 10000,
    rows: [
      ...sessionsUpTo14600,
      // [10000, 13000) touches both [1000, 11500) (kept: huge lateness) and [11600, 14600).
      kv('key2', 1, 10000),
      kv('key2', 1, 14500),
      { watermark: 20000 },
      { watermark: 100000 },
    ],
    timeline: [
      ...sessionsTimelineUpTo14600,
      'key2 [1000,14600) late {"sum":7}',
      '@20000',
      'key2 [1000,17500) onTime {"sum":8}',
      '@100000',
    ],
  },
  {
    // Flink's version uses PurgingTrigger.of(EventTimeTrigger), so its late firing re-emits 1;
    // a pipeline's trigger is the accumulating EventTimeTrigger, which re-emits the whole window.
    name: 'testLateness (with the accumulating EventTimeTrigger)',
    window: { type: 'tumbling', size: 2000, offset: 0 },
    allowedLateness: 500,
    rows: [
      kv('key2', 1, 500),
      { watermark: 1500 },
      kv('key2', 1, 1300),
      { watermark: 2300 },
      kv('key2', 1, 1997), // not late: maxTimestamp 1999 + 500 > 2300, so it fires at once
      { watermark: 6000 },
      kv('key2', 1, 1998), // late: 1999 + 500 <= 6000
      { watermark: 7000 },
    ],
    timeline: ['@1500', '@2300', 'key2 [0,2000) onTime {"sum":2}', 'key2 [0,2000) late {"sum":3}', '@6000', 'late key2 {"key":"key2","value":1}', '@7000'],
  },
  {
    name: 'testCleanupTimerWithEmptyReduceStateForTumblingWindows',
    window: { type: 'tumbling', size: 2000, offset: 0 },
    allowedLateness: 1,
    rows: [kv('key2', 1, 1000), { watermark: 1599 }, { watermark: 1999 }, { open: true }, { watermark: 2000 }, { open: true }, { watermark: 5000 }],
    timeline: ['@1599', '@1999', 'key2 [0,2000) onTime {"sum":1}', 'open 1', '@2000', 'open 0', '@5000'],
  },
  {
    name: 'testCleanupTimerWithEmptyReduceStateForSessionWindows',
    window: session3s,
    allowedLateness: 10,
    // Fires at 3999 and is cleaned at 3999 + 10, both behind the watermark 4998.
    rows: [kv('key2', 1, 1000), { watermark: 4998 }, { open: true }, { watermark: 14600 }],
    timeline: ['@4998', 'key2 [1000,4000) onTime {"sum":1}', 'open 0', '@14600'],
  },
];

for (const c of cases) {
  test(`WindowOperatorTest.${c.name}`, () => {
    const step = windowStep({ window: c.window, allowedLateness: c.allowedLateness ?? 0, lateOutput: true });
    assert.deepEqual(replay(step, c.rows).timeline, c.timeline);
  });
}

test('WindowOperatorTest.testCleanupTimeOverflow: no premature cleanup near the largest timestamp', () => {
  // Flink checks that maxTimestamp + allowedLateness, which wraps around in a long, does not
  // clean the window early. JavaScript numbers do not wrap, but lose integer precision past 2^53:
  // the same check at the largest safe integer.
  const timestamp = Number.MAX_SAFE_INTEGER - 1750;
  const step = windowStep({ window: { type: 'tumbling', size: 1000, offset: 0 }, allowedLateness: 2000 });
  const start = timestamp - (timestamp % 1000);
  const maxTimestamp = start + 1000 - 1;
  const { timeline } = replay(step, [kv('key2', 1, timestamp), { watermark: Number.MAX_SAFE_INTEGER - 1500 }, { open: true }, { watermark: maxTimestamp }]);
  assert.deepEqual(timeline, [`@${Number.MAX_SAFE_INTEGER - 1500}`, 'open 1', `@${maxTimestamp}`, `key2 [${start},${start + 1000}) onTime {"sum":1}`]);
});
