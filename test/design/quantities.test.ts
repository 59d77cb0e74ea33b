import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatBytesExact, formatElapsed, formatPercent, parseBytes } from '../../src/design/quantities.js';

test('byte sizes parse in decimal and binary units', () => {
  const cases: Array<[string, number | undefined]> = [
    ['1024', 1024],
    ['512B', 512],
    ['2KB', 2000],
    ['1.5 MiB', 1.5 * 1024 ** 2],
    ['1TiB', 1024 ** 4],
    ['2 parsecs', undefined],
    ['-1KB', undefined],
  ];
  for (const [text, bytes] of cases) assert.equal(parseBytes(text), bytes, text);
});

test('formatting: decimal sizes, exact binary sizes, readable spans, percentages', () => {
  assert.equal(formatBytes(1_425_600_000_000), '1.43 TB');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytesExact(1024 ** 4), '1 TiB');
  assert.equal(formatBytesExact(1024 ** 3), '1 GiB');
  assert.equal(formatBytesExact(1500), '1.5 KB');
  const spans: Array<[number, string]> = [
    [0, '0ms'],
    [850, '850ms'],
    [1_644, '1.644s'],
    [148_038, '2m 28.038s'],
    [7_200_000, '2h'],
  ];
  for (const [ms, text] of spans) assert.equal(formatElapsed(ms), text, String(ms));
  assert.equal(formatPercent(0.00144), '0.144%');
  assert.equal(formatPercent(0.1), '10%');
});
