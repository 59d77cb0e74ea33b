import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffRecords, formatDiff, isClean } from '../../src/golden/golden-diff.js';

const w = (key: string, start: number, n: number, firing = 'onTime') =>
  JSON.stringify({ step: 't', kind: 'window', key, start, end: start + 60_000, firing, fields: { n } });

test('identical outputs are clean', () => {
  const lines = [w('a', 0, 1), w('b', 0, 2)];
  assert.ok(isClean(diffRecords(lines, [...lines])));
});

test('a changed aggregate is one changed record naming the field, not a removal plus an addition', () => {
  const diff = diffRecords([w('a', 0, 1), w('b', 0, 2)], [w('a', 0, 1), w('b', 0, 3)]);
  assert.equal(diff.missing.length, 0);
  assert.equal(diff.unexpected.length, 0);
  assert.equal(diff.changed.length, 1);
  assert.deepEqual(diff.changed[0]!.fields, ['fields.n: 2 → 3']);
});

test('missing and unexpected records are listed with readable window times', () => {
  const diff = diffRecords([w('a', 0, 1), w('c', 1_767_225_600_000, 5)], [w('a', 0, 1), w('d', 60_000, 1)]);
  const text = formatDiff(diff).join('\n');
  assert.match(text, /missing \(1\):\n {2}- t window key="c" \[2026-01-01T00:00:00Z \.\. 2026-01-01T00:01:00Z\) onTime \{"n":5\}/);
  assert.match(text, /unexpected \(1\):\n {2}\+ t window key="d" \[1970-01-01T00:01:00Z/);
});

test('a late re-firing is a different record from the on-time firing', () => {
  const diff = diffRecords([w('a', 0, 1)], [w('a', 0, 1), w('a', 0, 2, 'late')]);
  assert.equal(diff.unexpected.length, 1);
  assert.equal(diff.changed.length, 0);
});

test('the same records in another order are reported as reordered', () => {
  const diff = diffRecords([w('a', 0, 1), w('b', 0, 2)], [w('b', 0, 2), w('a', 0, 1)]);
  assert.equal(diff.orderDiffersAt, 0);
  assert.ok(!isClean(diff));
  assert.match(formatDiff(diff).join('\n'), /same records in another order, first at record 1/);
});

test('key order inside a record does not count as a change', () => {
  const a = JSON.stringify({ step: 't', kind: 'window', key: 'a', start: 0, end: 1, firing: 'onTime', fields: { x: 1, y: 2 } });
  const b = JSON.stringify({ step: 't', kind: 'window', key: 'a', start: 0, end: 1, firing: 'onTime', fields: { y: 2, x: 1 } });
  assert.ok(isClean(diffRecords([a], [b])));
});
