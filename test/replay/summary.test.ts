import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatThousands } from '../../src/replay/summary.js';

const intl = new Intl.NumberFormat('en-US');

test('formatThousands writes counts as Intl.NumberFormat(en-US) does', () => {
  const boundaries = [0, -0, 1, 9, 10, 99, 100, 999, 1000, 1001, 9999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 2_000_000, 220_874, 10_000_000, -1, -999, -1000, -1_234_567, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
  for (const n of boundaries) assert.equal(formatThousands(n), intl.format(n), String(n));
  fc.assert(fc.property(fc.maxSafeInteger(), (n) => formatThousands(n) === intl.format(n)), { numRuns: 2000 });
});

test('formatThousands: what is not a safe integer is still written as Intl writes it', () => {
  for (const n of [1.5, 1234.5678, 2 ** 60, NaN, Infinity, -Infinity]) assert.equal(formatThousands(n), intl.format(n), String(n));
});
