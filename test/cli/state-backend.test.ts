/**
 * `--state-backend sqlite` end to end through the built CLI, on the financial fraud scenario (two
 * process steps with value, map and TTL state and timers, plus a window step): the output is
 * byte-identical to the memory backend's, with the default cache and with a 4-key cache that
 * spills nearly every user to the file; a checkpoint taken with one backend resumes with the other;
 * `sw test` runs its cases with either backend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT, runSw } from './run-sw.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-cli-state-'));
const RECORDING = join(ROOT, 'scenarios', 'financial.jsonl');
const PIPELINE = join(ROOT, 'scenarios', 'financial.pipeline.ts');
const TIMEOUT = 180_000;

function replay(out: string, ...extra: string[]): void {
  const r = runSw(['replay', RECORDING, '--pipeline', PIPELINE, '--no-ui', '--out', out, '--dead-letter', join(tmp, 'dead.jsonl'), ...extra], {
    timeout: TIMEOUT,
    env: { TMPDIR: join(tmp, 'scratch') },
  });
  assert.equal(r.status, 0, r.stderr);
}

mkdirSync(join(tmp, 'scratch'));
/** The SQLite backend's temporary folders in the runs' TMPDIR (tsx keeps its own cache there too). */
const stateDirsLeft = () => readdirSync(join(tmp, 'scratch')).filter((name) => name.startsWith('sw-state-'));
const golden = join(tmp, 'memory.jsonl');
let goldenText = '';

test('the financial scenario with the memory backend (the reference output)', { timeout: TIMEOUT }, () => {
  replay(golden, '--state-backend', 'memory');
  goldenText = readFileSync(golden, 'utf8');
  const records = goldenText.trim().split('\n').map((l) => JSON.parse(l) as { step: string });
  assert.ok(records.filter((r) => r.step === 'fraud').length > 1000, 'one assessment per transaction');
  assert.ok(records.some((r) => r.step === 'fraud_alerts'), 'some alerts');
});

const sqliteRuns: { name: string; flags: string[] }[] = [
  { name: 'default cache', flags: ['--state-backend', 'sqlite'] },
  { name: '4-key cache (most users live in the file)', flags: ['--state-backend', 'sqlite', '--state-cache', '4'] },
];

for (const run of sqliteRuns) {
  test(`--state-backend sqlite, ${run.name}: byte-identical output; the temporary state file is removed`, { timeout: TIMEOUT }, () => {
    const out = join(tmp, `sqlite-${run.flags.length}.jsonl`);
    replay(out, ...run.flags);
    assert.equal(readFileSync(out, 'utf8'), goldenText);
    assert.deepEqual(stateDirsLeft(), [], 'no state folder left in TMPDIR');
  });
}

test('--state-db keeps the state file: two tables per process step (cells, map entries) and one per window step spill, holding the final state', { timeout: TIMEOUT }, () => {
  const db = join(tmp, 'state.db');
  replay(join(tmp, 'kept.jsonl'), '--state-backend', 'sqlite', '--state-db', db, '--state-cache', '16');
  const r = runSw(['replay', '--help']);
  assert.match(r.stdout, /--state-backend <memory\|sqlite>/);
  const file = new Database(db, { readonly: true });
  const tables = (file.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]);
  // map:<step>: a row per map entry; spill:metrics: the window step's key spill (empty here: the metrics window has one key).
  assert.deepEqual(tables, ['map:fraud', 'map:fraud_alerts', 'spill:metrics', 'state:fraud', 'state:fraud_alerts', 'sw_state_steps']);
  const users = file.prepare('SELECT count(DISTINCT kid) FROM "state:fraud"').pluck().get() as number;
  const mapEntries = file.prepare('SELECT count(*) FROM "map:fraud"').pluck().get() as number;
  file.close();
  assert.ok(users > 16, `${users} users' state in the file`);
  assert.ok(mapEntries > users, `${mapEntries} map entries in the file (the scorer keeps velocity and location maps per user)`);
});

const crossings: { name: string; first: string[]; resumed: string[] }[] = [
  { name: 'memory → sqlite', first: ['--state-backend', 'memory'], resumed: ['--state-backend', 'sqlite', '--state-cache', '4'] },
  { name: 'sqlite → memory', first: ['--state-backend', 'sqlite', '--state-cache', '4'], resumed: ['--state-backend', 'memory'] },
];

for (const c of crossings) {
  test(`a checkpoint moves state across backends (${c.name}): the resumed output equals the uninterrupted one`, { timeout: TIMEOUT }, () => {
    const out = join(tmp, `cross-${c.first[1]}.jsonl`);
    replay(out, ...c.first, '--checkpoint-every', '4000');
    // Resuming a finished run goes back to its last checkpoint and replays the rest with the other backend.
    replay(out, ...c.resumed, '--checkpoint-every', '4000', '--resume');
    assert.equal(readFileSync(out, 'utf8'), goldenText);
  });
}

test('sw test --state-backend sqlite runs a case whose pipeline has process steps', { timeout: TIMEOUT }, () => {
  const dir = join(tmp, 'cases', 'financial');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'case.yaml'), `input: ${RECORDING}\npipeline: ${PIPELINE}\n`);
  writeFileSync(join(dir, 'expected.jsonl'), goldenText);
  const r = runSw(['test', join(tmp, 'cases'), '--state-backend', 'sqlite', '--state-cache', '4'], { timeout: TIMEOUT, env: { TMPDIR: join(tmp, 'scratch') } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 passed, 0 failed\n$/);
  assert.deepEqual(stateDirsLeft(), []);
});

const refusals: { args: string[]; message: RegExp }[] = [
  { args: ['--state-backend', 'rocksdb'], message: /--state-backend rocksdb: not a state backend; use memory or sqlite/ },
  { args: ['--state-db', join(tmp, 'x.db')], message: /--state-db needs --state-backend sqlite/ },
];

for (const tc of refusals) {
  test(`sw replay ${tc.args.join(' ')} is a usage error (exit 2) naming the fix`, () => {
    const r = runSw(['replay', RECORDING, '--pipeline', PIPELINE, '--no-ui', ...tc.args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, tc.message);
  });
}
