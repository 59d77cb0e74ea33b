// The benchmark input must be what the engine-window suite assumes: deterministic, ~128 bytes an
// event, and never more than 5 s out of order (so 5 s out-of-orderness drops nothing and sw's
// window count equals DuckDB's GROUP BY count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureActivityFile } from '../../bench/activity-file.js';

const EVENTS = 30_000;

test('the activity file is deterministic, ~128 bytes an event, at most 5 s out of order, and cached', () => {
  const first = ensureActivityFile(mkdtempSync(join(tmpdir(), 'sw-bench-a-')), 'test', EVENTS);
  const second = ensureActivityFile(mkdtempSync(join(tmpdir(), 'sw-bench-b-')), 'test', EVENTS);
  const text = readFileSync(first.path, 'utf8');
  assert.equal(text, readFileSync(second.path, 'utf8'), 'same seed, same bytes');

  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, EVENTS);
  assert.ok(first.bytes / EVENTS > 120 && first.bytes / EVENTS < 140, `${first.bytes / EVENTS} bytes/event`);
  let maxSeen = -Infinity;
  let largestDisorder = 0;
  const contentIds = new Set<string>();
  for (const line of lines) {
    const event = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(Object.keys(event), ['userId', 'eventType', 'contentId', 'timestamp', 'sessionId', 'device']);
    const timestamp = event.timestamp as number;
    largestDisorder = Math.max(largestDisorder, maxSeen - timestamp);
    maxSeen = Math.max(maxSeen, timestamp);
    contentIds.add(event.contentId as string);
  }
  assert.ok(largestDisorder > 0 && largestDisorder <= 5000, `largest disorder ${largestDisorder} ms`);
  assert.ok(contentIds.size > 500 && contentIds.size <= 2000, `${contentIds.size} content ids`);

  const modified = statSync(first.path).mtimeMs;
  assert.equal(ensureActivityFile(join(first.path, '..', '..'), 'test', EVENTS).path, first.path);
  assert.equal(statSync(first.path).mtimeMs, modified, 'second call reuses the cached file');
});
