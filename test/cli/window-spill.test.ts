/**
 * Window keys spilled to the SQLite state file, end to end through the built CLI: a pipeline of
 * keyed tumbling, session and sliding windows over the binge recording's ~21K events (hundreds of
 * users, thousands of sessions and contents) replayed with `--state-backend sqlite --state-cache 2`
 * (every key switch evicts a key to the file) gives the memory run's output byte for byte, the
 * file holds a spill table per window step, and a checkpointed run with the spill resumes to the
 * same output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT, runSw } from './run-sw.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-cli-spill-'));
const RECORDING = join(ROOT, 'scenarios', 'binge.jsonl');
const PIPELINE = join(tmp, 'windows.yaml');
const TIMEOUT = 180_000;

writeFileSync(
  PIPELINE,
  `name: binge-windows
time: { field: timestamp, outOfOrderness: 5s }
steps:
  per_user:
    keyBy: userId
    window: { type: tumbling, size: 10m }
    allowedLateness: 1m
    lateOutput: true
    aggregate: { events: count(), kinds: count_distinct(eventType), last: last(eventType) }
  sessions:
    keyBy: sessionId
    window: { type: session, gap: 5m }
    aggregate: { events: count(), first: first(eventType), devices: count_distinct(device) }
  per_content:
    where: contentId != null
    keyBy: "[contentId, device]"
    window: { type: sliding, size: 30m, slide: 10m }
    aggregate: { views: count(), users: count_distinct(userId) }
`,
);

function replay(out: string, ...extra: string[]): void {
  const r = runSw(['replay', RECORDING, '--pipeline', PIPELINE, '--no-ui', '--out', out, '--dead-letter', join(tmp, 'dead.jsonl'), ...extra], {
    timeout: TIMEOUT,
    env: { TMPDIR: tmp },
  });
  assert.equal(r.status, 0, r.stderr);
}

let golden = '';

test('the window pipeline on the memory backend (the reference output)', { timeout: TIMEOUT }, () => {
  const out = join(tmp, 'memory.jsonl');
  replay(out);
  golden = readFileSync(out, 'utf8');
  const steps = new Set(golden.trim().split('\n').map((l) => (JSON.parse(l) as { step: string }).step));
  assert.deepEqual([...steps].sort(), ['per_content', 'per_user', 'sessions']);
});

test('--state-backend sqlite --state-cache 2: byte-identical; every window step has its spill table', { timeout: TIMEOUT }, () => {
  const out = join(tmp, 'sqlite.jsonl');
  const db = join(tmp, 'state.db');
  replay(out, '--state-backend', 'sqlite', '--state-cache', '2', '--state-db', db);
  assert.equal(readFileSync(out, 'utf8'), golden);
  const file = new Database(db, { readonly: true });
  const tables = file.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'spill:%' ORDER BY name").pluck().all();
  file.close();
  assert.deepEqual(tables, ['spill:per_content', 'spill:per_user', 'spill:sessions']);
});

test('a checkpointed run with spilled keys resumes (with the spill again, and on the heap) to the same output', { timeout: TIMEOUT }, () => {
  for (const resumed of [['--state-backend', 'sqlite', '--state-cache', '2'], ['--state-backend', 'memory']]) {
    const out = join(tmp, `resumed-${resumed[1]}.jsonl`);
    replay(out, '--state-backend', 'sqlite', '--state-cache', '2', '--checkpoint-every', '5000');
    replay(out, ...resumed, '--checkpoint-every', '5000', '--resume');
    assert.equal(readFileSync(out, 'utf8'), golden);
  }
});
