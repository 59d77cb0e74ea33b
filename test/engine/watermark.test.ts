import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkGenerator } from '../../src/engine/watermark.js';

// Each case: outOfOrderness, idle timeout, records as [ts, split], and the watermark after each.
const CASES: Array<[string, number, number | undefined, Array<[number, number]>, number[]]> = [
  ['max − outOfOrderness − 1, per record (Flink BoundedOutOfOrdernessWatermarks)', 5000, undefined,
    [[10_000, 0], [12_000, 0], [11_000, 0], [20_000, 0]], [4_999, 6_999, 6_999, 14_999]],
  ['never moves backwards on a late record', 0, undefined, [[100, 0], [50, 0], [101, 0]], [99, 99, 100]],
  ['zero disorder: watermark is ts − 1', 0, undefined, [[1, 0], [2, 0]], [0, 1]],
  ['splits: the slowest split holds the watermark', 0, undefined,
    [[100, 0], [500, 1], [200, 0], [900, 1]], [99, 99, 199, 199]],
  ['idle split stops holding once the stream moved on by idleTimeout', 0, 1000,
    [[100, 0], [500, 1], [1_000, 1], [1_200, 1], [1_300, 0]], [99, 99, 99, 1_199, 1_199]],
];

for (const [title, ooo, idle, records, expected] of CASES) {
  test(`watermark: ${title}`, () => {
    const gen = new WatermarkGenerator(ooo, idle);
    const seen = records.map(([ts, split]) => {
      gen.observe(ts, split);
      return gen.watermark;
    });
    assert.deepEqual(seen, expected);
  });
}

test('watermark: observe says whether the watermark advanced, and finish gives +∞', () => {
  const gen = new WatermarkGenerator(10);
  assert.equal(gen.observe(100), true);
  assert.equal(gen.watermark, 89);
  assert.equal(gen.observe(95), false);
  assert.equal(gen.watermark, 89);
  assert.equal(gen.finish(), Infinity);
  assert.equal(gen.watermark, Infinity);
});
