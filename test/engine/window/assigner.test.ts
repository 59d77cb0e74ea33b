/**
 * Window assignment, ported from Flink's TumblingEventTimeWindowsTest, SlidingEventTimeWindowsTest
 * and EventTimeSessionWindowsTest (their inputs and expected windows, named after the test), plus
 * negative timestamps and a slide that does not divide the size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slidingStarts, windowSpecProblem, windowStart } from '../../../src/engine/window/assigner.js';
import { intersectingRange, type Span } from '../../../src/engine/window/session-set.js';
import type { WindowSpec } from '../../../src/engine/spec.js';

const tumblingCases: Array<{ name: string; size: number; offset: number; ts: number; window: [number, number] }> = [
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignment', size: 5000, offset: 0, ts: 0, window: [0, 5000] },
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignment', size: 5000, offset: 0, ts: 4999, window: [0, 5000] },
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignment', size: 5000, offset: 0, ts: 5000, window: [5000, 10000] },
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignmentWithGlobalOffset', size: 5000, offset: 100, ts: 100, window: [100, 5100] },
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignmentWithGlobalOffset', size: 5000, offset: 100, ts: 5099, window: [100, 5100] },
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignmentWithGlobalOffset', size: 5000, offset: 100, ts: 5100, window: [5100, 10100] },
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignmentWithNegativeGlobalOffset', size: 5000, offset: -100, ts: 0, window: [-100, 4900] },
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignmentWithNegativeGlobalOffset', size: 5000, offset: -100, ts: 4899, window: [-100, 4900] },
  { name: 'TumblingEventTimeWindowsTest.testWindowAssignmentWithNegativeGlobalOffset', size: 5000, offset: -100, ts: 4900, window: [4900, 9900] },
  { name: 'TumblingEventTimeWindowsTest.testTimeUnits', size: 5000, offset: 1000, ts: 1000, window: [1000, 6000] },
  { name: 'TumblingEventTimeWindowsTest.testTimeUnits', size: 5000, offset: 1000, ts: 5999, window: [1000, 6000] },
  { name: 'TumblingEventTimeWindowsTest.testTimeUnits', size: 5000, offset: 1000, ts: 6000, window: [6000, 11000] },
  { name: 'negative timestamp (getWindowStartWithOffset, negative remainder)', size: 5000, offset: 0, ts: -1, window: [-5000, 0] },
  { name: 'negative timestamp on a window boundary', size: 5000, offset: 0, ts: -5000, window: [-5000, 0] },
  { name: 'negative timestamp with an offset', size: 5000, offset: 100, ts: -4901, window: [-9900, -4900] },
];

for (const c of tumblingCases) {
  test(`${c.name}: ${c.ts} → [${c.window[0]}, ${c.window[1]})`, () => {
    const start = windowStart(c.ts, c.offset, c.size);
    assert.deepEqual([start, start + c.size], c.window);
  });
}

const slidingCases: Array<{ name: string; size: number; slide: number; offset: number; ts: number; windows: Array<[number, number]> }> = [
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignment',
    size: 5000, slide: 1000, offset: 0, ts: 0,
    windows: [[-4000, 1000], [-3000, 2000], [-2000, 3000], [-1000, 4000], [0, 5000]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignment',
    size: 5000, slide: 1000, offset: 0, ts: 4999,
    windows: [[0, 5000], [1000, 6000], [2000, 7000], [3000, 8000], [4000, 9000]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignment',
    size: 5000, slide: 1000, offset: 0, ts: 5000,
    windows: [[1000, 6000], [2000, 7000], [3000, 8000], [4000, 9000], [5000, 10000]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignmentWithOffset',
    size: 5000, slide: 1000, offset: 100, ts: 100,
    windows: [[-3900, 1100], [-2900, 2100], [-1900, 3100], [-900, 4100], [100, 5100]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignmentWithOffset',
    size: 5000, slide: 1000, offset: 100, ts: 5099,
    windows: [[100, 5100], [1100, 6100], [2100, 7100], [3100, 8100], [4100, 9100]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignmentWithOffset',
    size: 5000, slide: 1000, offset: 100, ts: 5100,
    windows: [[1100, 6100], [2100, 7100], [3100, 8100], [4100, 9100], [5100, 10100]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignmentWithNegativeOffset',
    size: 5000, slide: 1000, offset: -100, ts: 0,
    windows: [[-4100, 900], [-3100, 1900], [-2100, 2900], [-1100, 3900], [-100, 4900]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignmentWithNegativeOffset',
    size: 5000, slide: 1000, offset: -100, ts: 4899,
    windows: [[-100, 4900], [900, 5900], [1900, 6900], [2900, 7900], [3900, 8900]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testWindowAssignmentWithNegativeOffset',
    size: 5000, slide: 1000, offset: -100, ts: 4900,
    windows: [[900, 5900], [1900, 6900], [2900, 7900], [3900, 8900], [4900, 9900]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testTimeUnits',
    size: 5000, slide: 1000, offset: 500, ts: 100,
    windows: [[-4500, 500], [-3500, 1500], [-2500, 2500], [-1500, 3500], [-500, 4500]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testTimeUnits',
    size: 5000, slide: 1000, offset: 500, ts: 5499,
    windows: [[500, 5500], [1500, 6500], [2500, 7500], [3500, 8500], [4500, 9500]],
  },
  {
    name: 'SlidingEventTimeWindowsTest.testTimeUnits',
    size: 5000, slide: 1000, offset: 500, ts: 5100,
    windows: [[500, 5500], [1500, 6500], [2500, 7500], [3500, 8500], [4500, 9500]],
  },
  {
    name: 'slide not dividing the size: 2 or 3 windows of 5000 every 2000',
    size: 5000, slide: 2000, offset: 0, ts: 4500,
    windows: [[0, 5000], [2000, 7000], [4000, 9000]],
  },
  {
    name: 'slide not dividing the size: 2 or 3 windows of 5000 every 2000',
    size: 5000, slide: 2000, offset: 0, ts: 5500,
    windows: [[2000, 7000], [4000, 9000]],
  },
  {
    name: 'negative timestamps, slide not dividing the size',
    size: 5000, slide: 2000, offset: 0, ts: -1,
    windows: [[-4000, 1000], [-2000, 3000]],
  },
];

for (const c of slidingCases) {
  test(`${c.name}: ${c.ts} → ${c.windows.length} windows`, () => {
    const starts = slidingStarts(c.ts, c.size, c.slide, c.offset, []);
    const windows = starts.map((s) => [s, s + c.size]).sort((a, b) => a[0]! - b[0]!);
    assert.deepEqual(windows, c.windows);
    for (const [start, end] of windows) assert.ok(start! <= c.ts && c.ts < end!, 'every window holds the timestamp');
  });
}

const invalid: Array<{ name: string; window: WindowSpec; message: string | null }> = [
  { name: 'TumblingEventTimeWindowsTest.testInvalidParameters', window: { type: 'tumbling', size: -1000, offset: 0 }, message: 'abs(offset) < size' },
  { name: 'TumblingEventTimeWindowsTest.testInvalidParameters', window: { type: 'tumbling', size: 10000, offset: 20000 }, message: 'abs(offset) < size' },
  { name: 'TumblingEventTimeWindowsTest.testInvalidParameters', window: { type: 'tumbling', size: 10000, offset: -11000 }, message: 'abs(offset) < size' },
  { name: 'SlidingEventTimeWindowsTest.testInvalidParameters', window: { type: 'sliding', size: -2000, slide: 1000, offset: 0 }, message: 'abs(offset) < slide and size > 0' },
  { name: 'SlidingEventTimeWindowsTest.testInvalidParameters', window: { type: 'sliding', size: 2000, slide: -1000, offset: 0 }, message: 'abs(offset) < slide and size > 0' },
  { name: 'SlidingEventTimeWindowsTest.testInvalidParameters', window: { type: 'sliding', size: -20000, slide: 10000, offset: -1000 }, message: 'abs(offset) < slide and size > 0' },
  { name: 'SlidingEventTimeWindowsTest.testInvalidParameters', window: { type: 'sliding', size: 20000, slide: 10000, offset: -11000 }, message: 'abs(offset) < slide and size > 0' },
  { name: 'SlidingEventTimeWindowsTest.testInvalidParameters', window: { type: 'sliding', size: 20000, slide: 10000, offset: 11000 }, message: 'abs(offset) < slide and size > 0' },
  { name: 'EventTimeSessionWindowsTest.testInvalidParameters', window: { type: 'session', gap: -1000 }, message: '0 < size' },
  { name: 'EventTimeSessionWindowsTest.testInvalidParameters', window: { type: 'session', gap: 0 }, message: '0 < size' },
  { name: 'a valid sliding window', window: { type: 'sliding', size: 900000, slide: 60000, offset: 0 }, message: null },
];

for (const c of invalid) {
  test(`${c.name}: ${JSON.stringify(c.window)}`, () => {
    const problem = windowSpecProblem(c.window);
    if (c.message === null) assert.equal(problem, null);
    else assert.ok(problem?.includes(c.message), `${problem} names ${c.message}`);
  });
}

/**
 * Adds windows one at a time, as the operator adds each record's session window; returns the
 * final sessions and, per added window, whether it merged (Flink's merge function was called:
 * an existing session grew or several joined, not when the new window lies inside one).
 */
function addAll(windows: Array<[number, number]>): { sessions: Array<[number, number]>; merges: boolean[] } {
  const sessions: Span[] = [];
  const merges: boolean[] = [];
  for (const [start, end] of windows) {
    const [lo, hi] = intersectingRange(sessions, start, end);
    if (lo === hi) {
      sessions.splice(lo, 0, { start, end });
      merges.push(false);
      continue;
    }
    const merged = { start: Math.min(start, sessions[lo]!.start), end: Math.max(end, sessions[hi - 1]!.end) };
    merges.push(hi - lo > 1 || merged.start !== sessions[lo]!.start || merged.end !== sessions[lo]!.end);
    sessions.splice(lo, hi - lo, merged);
  }
  return { sessions: sessions.map((s) => [s.start, s.end]), merges };
}

const merges: Array<{ name: string; windows: Array<[number, number]>; merged: Array<[number, number]>; merges?: boolean[] }> = [
  { name: 'EventTimeSessionWindowsTest.testMergeSinglePointWindow', windows: [[0, 0]], merged: [[0, 0]] },
  { name: 'EventTimeSessionWindowsTest.testMergeSingleWindow', windows: [[0, 1]], merged: [[0, 1]] },
  { name: 'EventTimeSessionWindowsTest.testMergeConsecutiveWindows', windows: [[0, 1], [1, 2], [2, 3], [4, 5], [5, 6]], merged: [[0, 3], [4, 6]] },
  { name: 'EventTimeSessionWindowsTest.testMergeCoveringWindow', windows: [[1, 1], [0, 2], [4, 7], [5, 6]], merged: [[0, 2], [4, 7]] },
  {
    name: 'MergingWindowSetTest.testLateMerging',
    windows: [[0, 3], [5, 8], [10, 13], [8, 10], [5, 8], [8, 10], [10, 13], [3, 5]],
    merged: [[0, 13]],
    merges: [false, false, false, true, false, false, false, true],
  },
  { name: 'MergingWindowSetTest.testMergeLargeWindowCoveringSingleWindow', windows: [[1, 2], [0, 3]], merged: [[0, 3]], merges: [false, true] },
  { name: 'MergingWindowSetTest.testAddingIdenticalWindows', windows: [[1, 2], [1, 2]], merged: [[1, 2]], merges: [false, false] },
  {
    name: 'MergingWindowSetTest.testMergeLargeWindowCoveringMultipleWindows',
    windows: [[1, 3], [5, 8], [10, 13], [0, 13]],
    merged: [[0, 13]],
    merges: [false, false, false, true],
  },
  { name: 'a window bridging two sessions', windows: [[0, 3000], [8500, 11500], [7000, 10000], [2000, 5000], [5000, 8000]], merged: [[0, 11500]] },
  { name: 'windows added out of order stay sorted', windows: [[9000, 9500], [100, 200], [4000, 4100]], merged: [[100, 200], [4000, 4100], [9000, 9500]] },
];

for (const c of merges) {
  test(`${c.name}: ${JSON.stringify(c.windows)} → ${JSON.stringify(c.merged)}`, () => {
    const result = addAll(c.windows);
    assert.deepEqual(result.sessions, c.merged);
    if (c.merges) assert.deepEqual(result.merges, c.merges);
  });
}
