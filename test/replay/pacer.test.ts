import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer, parseSpeed, type PacingClock } from '../../src/replay/pacer.js';

/** A clock that only moves when the pacer sleeps: wall time is exactly what pacing asked for. */
function fakeClock(): PacingClock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

test('parseSpeed accepts max, 100x, 0.5x and bare numbers, rejects the rest', () => {
  assert.deepEqual(['max', '100x', '0.5x', '2', '0x', 'fast', '-1x'].map(parseSpeed), [Infinity, 100, 0.5, 2, null, null, null]);
});

test('at 100x, event-time gaps are played 100 times faster on the wall clock', async () => {
  const clock = fakeClock();
  const pacer = new Pacer(100, clock);
  const wall: number[] = [];
  for (const ts of [0, 1_000, 1_000, 11_000, 5_000, 61_000]) {
    await pacer.pace(ts);
    wall.push(clock.t);
  }
  // 1s → 10ms, equal timestamps and out-of-order records pass at once, 50s → 500ms.
  assert.deepEqual(wall, [0, 10, 10, 110, 110, 610]);
});

test('max speed never waits', async () => {
  const clock = fakeClock();
  const pacer = new Pacer(Infinity, clock);
  for (const ts of [0, 3_600_000, 7_200_000]) await pacer.pace(ts);
  assert.equal(clock.t, 0);
  assert.equal(pacer.mustWait(9_999_999), false);
});

test('a speed change re-anchors: the remaining gap is played at the new speed', async () => {
  const clock = fakeClock();
  const pacer = new Pacer(10, clock);
  await pacer.pace(0);
  await pacer.pace(1_000); // 100ms at 10x
  pacer.setSpeed(1000);
  await pacer.pace(11_000); // 10s at 1000x = 10ms
  assert.equal(clock.t, 110);
});

test('a speed change while a record waits: the part of its gap already played stays played, the rest goes at the new speed', async () => {
  // Pressing + in the live view while the replay sleeps towards the next record once left the
  // pacer without an anchor in mid-wait: it slept 1 ms slices forever and the replay stalled.
  for (const { to, expected } of [
    { to: 1000, expected: 505 }, // 5 s played in the first 500 ms at 10x; the other 5 s at 1000x: 5 ms
    { to: 5, expected: 1500 }, // the other 5 s at 5x: 1 s
  ]) {
    const clock = fakeClock();
    const pacer = new Pacer(10, clock);
    const base = clock.sleep;
    let sleeps = 0;
    clock.sleep = async (ms: number) => {
      await base(ms);
      if (clock.t === 500) pacer.setSpeed(to);
      if (++sleeps > 10_000) throw new Error(`the pacer never released the record (asked to sleep ${ms} ms)`);
    };
    await pacer.pace(0);
    await pacer.pace(10_000); // 1 s at 10x, changed half-way
    assert.equal(clock.t, expected, `10x → ${to}x`);
    assert.equal(pacer.eventTime, 10_000);
  }
});

test('pause holds records, step lets exactly one through, resume continues without catching up', async () => {
  const clock = fakeClock();
  const pacer = new Pacer(1000, clock);
  await pacer.pace(0);
  pacer.pause();
  const released: number[] = [];
  const run = (async () => {
    for (const ts of [1_000, 2_000, 3_000]) {
      await pacer.pace(ts);
      released.push(ts);
    }
  })();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(released, []);
  pacer.step();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(released, [1_000]);
  clock.t += 60_000; // a long pause on the wall clock
  pacer.resume();
  await run;
  assert.deepEqual(released, [1_000, 2_000, 3_000]);
  // After resuming, 2s of event time took 2ms: the pause was not "caught up" at full speed.
  assert.equal(clock.t, 60_000 + 2);
});

/**
 * Status under load, with a fake clock: each record costs `costMs` of processing (the clock moves
 * by hand), records are `gapMs` of event time apart, played at 100x. A pipeline faster than the
 * schedule is on time (every record within a timer tick of its slot); a slower one is reported
 * behind with the speed it really achieves, never the one asked for.
 */
const loads = [
  { name: 'keeps up', costMs: 0.05, gapMs: 100, behind: false, achieved: 100 },
  { name: 'cannot keep up', costMs: 4, gapMs: 100, behind: true, achieved: 25 },
];
for (const load of loads) {
  test(`pacing status at 100x when the pipeline ${load.name}`, async () => {
    const clock = fakeClock();
    const pacer = new Pacer(100, clock);
    for (let i = 0; i < 2_000; i++) {
      const ts = i * load.gapMs;
      if (pacer.mustWait(ts)) await pacer.pace(ts);
      else pacer.release(ts);
      clock.t += load.costMs;
    }
    const status = pacer.status();
    assert.equal(status.behind, load.behind);
    assert.ok(status.achieved !== null && Math.abs(status.achieved - load.achieved) / load.achieved < 0.03, `achieved ${status.achieved}`);
    if (!load.behind) assert.ok(status.maxLateMs <= 2, `worst lateness ${status.maxLateMs} ms`);
    else assert.ok(status.behindMs > 1000, `behind ${status.behindMs} ms`);
  });
}

test('max speed and a paused pacer are never reported behind', () => {
  const clock = fakeClock();
  const max = new Pacer(Infinity, clock);
  max.release(5);
  assert.deepEqual([max.status().behind, max.status().achieved], [false, null]);
});

test('the run summary says when --speed was not kept, and what was achieved', async () => {
  const { formatSummary } = await import('../../src/replay/summary.js');
  const base = { recording: 'r.db', pipeline: 'p', records: 10, skipped: 0, deadLetters: 0, deadLetterPath: null, outputs: 1, seconds: 1, eventsPerSec: 10, maxRssBytes: 0, cpuSeconds: 1, watermark: 0, maxEventTime: 0, steps: [], stopped: false };
  const cases = [
    { pacing: { speed: 1000, achieved: 78.4, maxLateMs: 50_000, behind: true }, says: '--speed 1000x not kept: achieved 78.4x' },
    { pacing: { speed: 100, achieved: 99.98, maxLateMs: 1, behind: false }, says: 'paced at 100x (achieved 100x)' },
  ];
  for (const { pacing, says } of cases) assert.ok(formatSummary({ ...base, pacing }).includes(says), says);
});
