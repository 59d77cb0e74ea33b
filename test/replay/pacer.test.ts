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
