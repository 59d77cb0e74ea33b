import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/synth/random.js';
import { Zipf } from '../../src/synth/zipf.js';

/** The binary search the guide table replaced: the first CDF entry above u. Same draws, same items. */
function bySearch(cdf: ArrayLike<number>, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const cases = [
  { n: 1, exponent: 1.1 },
  { n: 7, exponent: 0 },
  { n: 50, exponent: 1.1 },
  { n: 2000, exponent: 0.6 },
  { n: 2000, exponent: 1.1 },
  { n: 100_000, exponent: 1.4 },
];

for (const { n, exponent } of cases) {
  test(`zipf n=${n} s=${exponent}: the guide table draws exactly what a binary search over the CDF draws`, () => {
    const zipf = new Zipf(n, exponent, new Random(3, 'order'));
    // The stored CDF (private): the reference search must run on the very same numbers.
    const cdf = (zipf as unknown as { cdf: Float64Array }).cdf;
    const draws = new Random(9, 'draws');
    const same = new Random(9, 'draws');
    for (let i = 0; i < 50_000; i++) {
      const item = zipf.sample(draws);
      const u = same.float();
      assert.equal(item, zipf.itemOfRank(bySearch(cdf, u)), `draw ${i}: u=${u}`);
    }
  });
}
