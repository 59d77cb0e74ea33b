import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSpread, ratioSpread } from '../../bench/ratio-spread.js';

const cases: ReadonlyArray<{ name: string; ratios: number[]; median: number; min: number; max: number }> = [
  { name: 'one round', ratios: [0.9], median: 0.9, min: 0.9, max: 0.9 },
  { name: 'odd count, unsorted', ratios: [1.02, 0.85, 0.93, 0.97, 0.88], median: 0.93, min: 0.85, max: 1.02 },
  { name: 'even count: the mean of the middle two', ratios: [0.8, 1.0, 0.9, 0.95], median: 0.925, min: 0.8, max: 1.0 },
];

for (const { name, ratios, median, min, max } of cases) {
  test(`ratioSpread: ${name}`, () => {
    const before = [...ratios];
    const spread = ratioSpread(ratios);
    assert.ok(Math.abs(spread.median - median) < 1e-12, `median ${spread.median}`);
    assert.equal(spread.min, min);
    assert.equal(spread.max, max);
    assert.deepEqual(ratios, before, 'the rounds keep their order');
  });
}

test('ratioSpread: no rounds is an error, formatSpread shows median then range', () => {
  assert.throws(() => ratioSpread([]), /no ratios/);
  assert.equal(formatSpread({ median: 0.925, min: 0.8, max: 1 }), '0.93 (0.80-1.00)');
});

test('live-view bench rounds: each pass once, live between the two headless passes, which swap places every round', async () => {
  const { roundOrder } = await import('../../bench/suites/live-view.js');
  for (let round = 0; round < 6; round++) {
    const order = roundOrder(round);
    assert.deepEqual([...order].sort(), ['control', 'headless', 'live']);
    assert.equal(order[1], 'live');
    assert.equal(order[0], round % 2 === 0 ? 'headless' : 'control');
  }
});
