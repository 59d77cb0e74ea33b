/**
 * The checkpoint store on its own: newest valid checkpoint first, bad rows passed over with the
 * reason, pruning to the newest three, and the `--checkpoint-every` parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CHECKPOINT_FORMAT, CheckpointStore, checksumOf, type Checkpoint } from '../../src/replay/checkpoint-store.js';
import { parseCheckpointEvery } from '../../src/replay/checkpointing.js';
import { UsageError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-checkpoint-store-'));

function checkpoint(records: number): Checkpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: 1,
    recording: 'events.jsonl',
    pipelineHash: 'abc',
    source: { byteOffset: records * 10, nextLine: records + 1, lastSeq: null },
    engine: { format: 'sw-pipeline', records, watermarks: { maxTime: -Infinity, current: -Infinity, firstSplit: null, splits: [] }, operators: [] },
    replay: { skipped: 0, outputs: 0, minTime: Infinity },
    output: { bytes: 0, records: 0 },
    deadLetters: { bytes: 0, count: 0 },
  };
}

/** Writes checkpoints at 100, 200, ... and applies `damage` to the rows by id (newest last). */
function storeWith(name: string, count: number, damage: (db: Database.Database, ids: number[]) => void): CheckpointStore {
  const path = join(dir, `${name}.db`);
  const store = CheckpointStore.open(path);
  for (let i = 1; i <= count; i++) store.write(checkpoint(i * 100));
  store.close();
  const db = new Database(path);
  const ids = (db.prepare('SELECT id FROM checkpoints ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  damage(db, ids);
  db.close();
  return CheckpointStore.open(path);
}

const cases: [string, (db: Database.Database, ids: number[]) => void, number | null, RegExp[]][] = [
  ['intact: the newest wins; only three are kept', () => {}, 500, []],
  ['flipped byte in the newest body', (db, ids) => db.prepare("UPDATE checkpoints SET body = replace(body, '\"records\"', '\"recordz\"') WHERE id = ?").run(ids.at(-1)), 400, [/checksum mismatch/]],
  ['partly written newest body', (db, ids) => db.prepare('UPDATE checkpoints SET body = substr(body, 1, 40) WHERE id = ?').run(ids.at(-1)), 400, [/checksum mismatch/]],
  [
    'valid checksum over a body that is not a checkpoint',
    (db, ids) => db.prepare('UPDATE checkpoints SET body = ?, checksum = ? WHERE id = ?').run('{"format":"other"}', checksumOf('{"format":"other"}'), ids.at(-1)),
    400,
    [/not a checkpoint \(format "other"\)/],
  ],
  ['every row bad: nothing to resume from', (db) => db.prepare("UPDATE checkpoints SET checksum = 'x'").run(), null, [/checksum/, /checksum/, /checksum/]],
];

for (const [name, damage, expected, reasons] of cases) {
  test(`latestValid: ${name}`, () => {
    const store = storeWith(name.replace(/\W+/g, '-'), 5, damage);
    const { latest, rejected } = store.latestValid();
    assert.equal(latest?.checkpoint.engine.records ?? null, expected);
    assert.equal(rejected.length, reasons.length);
    reasons.forEach((reason, i) => assert.match(rejected[i]!.reason, reason));
    assert.equal(store.list().length, 3);
    if (latest !== null) assert.equal(latest.checkpoint.engine.watermarks.current, -Infinity);
    store.close();
  });
}

test('--checkpoint-every: record counts and event-time durations; anything else is a usage error', () => {
  const good: [string, ReturnType<typeof parseCheckpointEvery>][] = [
    ['500', { kind: 'records', every: 500 }],
    ['100000', { kind: 'records', every: 100_000 }],
    ['10m', { kind: 'eventTime', every: 600_000 }],
    ['1h', { kind: 'eventTime', every: 3_600_000 }],
  ];
  for (const [text, policy] of good) assert.deepEqual(parseCheckpointEvery(text), policy, text);
  for (const bad of ['0', 'often', '-5', '0s', '']) assert.throws(() => parseCheckpointEvery(bad), UsageError, bad);
});
