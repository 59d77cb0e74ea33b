import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runSw } from './run-sw.js';

const GOLDEN = join(ROOT, 'test', 'golden');

test('sw test runs every golden case through the built CLI and ends with "N passed, N failed"', () => {
  const r = runSw(['test', GOLDEN]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[lines.length - 1]!, /^[1-9]\d* passed, 0 failed$/);
});

test('a changed expectation fails with a readable diff and exit 1; --update rewrites it and says what changed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-golden-'));
  cpSync(join(GOLDEN, 'lateness-refire'), join(dir, 'lateness-refire'), { recursive: true });
  const expected = join(dir, 'lateness-refire', 'expected.jsonl');
  const original = readFileSync(expected, 'utf8');
  const lines = original.trim().split('\n');
  // Change one aggregate and drop the late record.
  lines[0] = lines[0]!.replace('"n":2', '"n":9');
  writeFileSync(expected, lines.filter((l) => !l.includes('"kind":"late"')).join('\n') + '\n');
  const r = runSw(['test', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /✘ lateness-refire/);
  assert.match(r.stdout, /unexpected \(1\):\n {6}\+ counts late key="a"/);
  assert.match(r.stdout, /changed \(1\):\n {6}~ counts window key="a" \[1970-01-01T00:00:00Z \.\. 1970-01-01T00:00:10Z\) onTime/);
  assert.match(r.stdout, /fields\.n: 9 → 2/);
  assert.match(r.stdout, /0 passed, 1 failed\n$/);

  const u = runSw(['test', dir, '--update']);
  assert.equal(u.status, 0);
  assert.match(u.stdout, /↻ lateness-refire: 0 removed, 1 added, 1 changed/);
  assert.equal(readFileSync(expected, 'utf8'), original);
  rmSync(dir, { recursive: true });
});

test('a case without expected.jsonl fails and says how to create it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-golden-'));
  cpSync(join(GOLDEN, 'sliding-uneven'), join(dir, 'sliding-uneven'), { recursive: true });
  rmSync(join(dir, 'sliding-uneven', 'expected.jsonl'));
  const r = runSw(['test', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /no expected\.jsonl; run sw test .* --update to create it/);
});

test('sw test on a folder without cases is a usage error (exit 2)', () => {
  const r = runSw(['test', tmpdir() + '/does-not-exist']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not a folder/);
});
