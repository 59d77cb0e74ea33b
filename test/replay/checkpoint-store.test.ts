/**
 * The checkpoint store on its own: newest valid checkpoint first, bad rows passed over with the
 * reason, pruning to the newest three, and the `--checkpoint-every` parser.
 */
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointStore, checksumOf, type Checkpoint } from '../../src/replay/checkpoint-store.js';
import { Checkpointer, parseCheckpointEvery, type CheckpointerOptions } from '../../src/replay/checkpointing.js';
import { InputError, UsageError } from '../../src/errors.js';
import { parsePipelineText } from '../../src/spec/load.js';
import { compileSpec } from '../../src/spec/compile.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Fields, RecordContext } from '../../src/engine/operator.js';
import { toSnapshotJson } from '../../src/engine/snapshot/snapshot-json.js';
import { DeferredState, EncodedState, SOURCE_POSITION } from '../../src/engine/snapshot/binary.js';
import type { PatternKeysCopy } from '../../src/engine/cep/pattern-snapshot-copy.js';
import { RAW_TEXT, retainFields } from '../../src/engine/retained-record.js';
import { aliveAfterGc } from '../garbage-collection.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-checkpoint-store-'));


function checkpoint(records: number): Checkpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
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

test('a record-count checkpointer is due every n records from the start, or from a resumed checkpoint; an event-time one at each boundary after the first record', () => {
  // A store that is never reached: due only says when.
  const untouched = new Proxy({}, { get: () => assert.fail('due touched the store') }) as CheckpointerOptions['store'];
  const options = (every: number, after?: number) =>
    ({ policy: { kind: 'records', every }, store: untouched, ...(after === undefined ? {} : { after: { engine: { records: after } } }) }) as unknown as CheckpointerOptions;
  for (const [every, after] of [[1000, undefined], [1000, 2500], [128, undefined], [7, 14]] as const) {
    const checkpointer = new Checkpointer(options(every, after));
    const start = after ?? 0;
    const due: number[] = [];
    for (let records = start + 1; records <= start + 3 * every; records++) if (checkpointer.due(records, 0)) due.push(records);
    assert.deepEqual(due, [start + every, start + 2 * every, start + 3 * every], `every ${every} after ${after}`);
  }
  // The first record only sets the first boundary.
  const byTime = new Checkpointer({ policy: { kind: 'eventTime', every: 60_000 }, store: untouched } as unknown as CheckpointerOptions);
  // dueAt, which the replay loop compares after every line: before the first record (the largest
  // event time is −∞) nothing is reached, so skipped or bad lines do not stop the loop; any record's
  // time reaches the first boundary.
  const first = byTime.dueAt();
  assert.ok(!(-Infinity >= first.time) && !(0 >= first.records), `before the first record: ${JSON.stringify(first)}`);
  assert.ok(-8.64e15 >= first.time, 'the earliest event time reaches the first boundary');
  const byTimeDue = Array.from({ length: 100 }, (_, i) => byTime.due(i + 1, 30_000 + i * 500)).flatMap((isDue, i) => (isDue ? [i + 1] : []));
  assert.deepEqual(byTimeDue, [61]);
});

/**
 * A pattern pipeline (per key: a then b within 1 min) fed `n` records from `from` on: its snapshots
 * hold buffered records. With `recording`, each record is a line appended to that JSONL file, parsed
 * and given its SOURCE_POSITION as a checkpointed replay does.
 */
/**
 * `retained`: the step keeps records as their decoded fields (`ts`, `k`, `v`) and line text, as a
 * replay's pattern step does (retained-record.ts), instead of whole.
 */
/** `linear`: b followedBy a (the linear matcher runs it, linear-snapshot-copy.ts), not followedByAny (the NFA). */
function patternPipeline(recording?: string, { retained = false, linear = false, window = false } = {}): { pipeline: Pipeline; feed: (from: number, n: number) => void } {
  const windowStep = window ? '  w:\n    keyBy: k\n    window: { type: tumbling, size: 1m }\n    aggregate: { n: count() }\n' : '';
  const yaml = `name: t
time: { field: ts, outOfOrderness: 0 }
steps:
${windowStep}  ab:
    keyBy: k
    pattern:
      within: 1m
      stages:
        - { name: a, where: "v == 'a'" }
        - { name: b, contiguity: ${linear ? 'followedBy' : 'followedByAny'}, where: "v == 'b'" }
`;
  const compiled = compileSpec(parsePipelineText(yaml, 't.yaml'));
  const pipeline = new Pipeline(compiled.operators, compiled.spec.time, { emit: () => {} });
  const feed = (from: number, n: number): void => {
    for (let i = from; i < from + n; i++) {
      let record = { ts: i * 1000, k: `k${i % 7}`, v: i % 5 === 0 ? 'b' : 'a', note: 'Zoë 名前' };
      const text = JSON.stringify(record);
      let position: number | undefined;
      if (recording !== undefined) {
        position = statSync(recording).size;
        // Some lines end in CRLF, some have spaces: the record is what JSON.parse gives.
        appendFileSync(recording, i % 3 === 0 ? `${JSON.stringify(record, null, 1).replace(/\n/g, '')}\r\n` : `${text}\n`);
        record = Object.assign(JSON.parse(text) as typeof record, { [SOURCE_POSITION]: position });
      }
      const fields = retained ? { ts: record.ts, k: record.k, v: record.v } : record;
      const ctx = { line: i + 1, original: () => record, ...(retained ? { retain: (f: Fields) => retainFields({ ...f }, text, position) } : {}) };
      pipeline.process(fields as unknown as Fields, record.ts, ctx as RecordContext);
    }
  };
  return { pipeline, feed };
}

function patternCheckpoint(pipeline: Pipeline, recording = 'events.jsonl'): Checkpoint {
  const engine = pipeline.snapshot({ encoded: true });
  return { ...checkpoint(engine.records), recording, engine };
}

test('pattern state: records are written once, shared by later checkpoints, and come back equal', () => {
  const path = join(dir, 'segments.db');
  const store = CheckpointStore.open(path);
  store.clear();
  const { pipeline, feed } = patternPipeline();
  const segmentRows = (): { id: number; n: number }[] => {
    const db = new Database(path, { readonly: true });
    const rows = (db.prepare('SELECT id, body FROM segments ORDER BY id').all() as { id: number; body: string }[]).map((r) => ({ id: r.id, n: (JSON.parse(r.body) as unknown[]).length }));
    db.close();
    return rows;
  };
  feed(0, 40);
  store.write(patternCheckpoint(pipeline));
  const first = segmentRows();
  assert.equal(first.length, 1);
  // Ten more records: the next checkpoint writes only those it holds that are new.
  feed(40, 10);
  store.write(patternCheckpoint(pipeline));
  const second = segmentRows();
  assert.equal(second.length, 2);
  assert.ok(first[0]!.n > 20 && second[1]!.n <= 10, `${first[0]!.n} records, then ${second[1]!.n} written again`);
  const { latest } = store.latestValid();
  assert.equal(toSnapshotJson(latest!.checkpoint.engine), toSnapshotJson(pipeline.snapshot()));
  // Three more checkpoints much later: the first records are no longer held, their segments go.
  for (let round = 0; round < 3; round++) {
    feed(1000 + round * 100, 100);
    store.write(patternCheckpoint(pipeline));
  }
  assert.ok(!segmentRows().some((s) => s.id === first[0]!.id), 'the first segment was pruned');
  assert.equal(toSnapshotJson(store.latestValid().latest!.checkpoint.engine), toSnapshotJson(pipeline.snapshot()));
  store.close();
});

test('pattern state: a damaged or missing segment makes its checkpoints unusable; the one before is used', () => {
  for (const damage of ['flip', 'delete'] as const) {
    const path = join(dir, `segment-${damage}.db`);
    const store = CheckpointStore.open(path);
    store.clear();
    const { pipeline, feed } = patternPipeline();
    feed(0, 30);
    store.write(patternCheckpoint(pipeline));
    const before = toSnapshotJson(pipeline.snapshot());
    feed(30, 30);
    store.write(patternCheckpoint(pipeline));
    store.close();
    const db = new Database(path);
    const newest = db.prepare('SELECT max(id) AS id FROM segments').get() as { id: number };
    if (damage === 'flip') db.prepare("UPDATE segments SET body = replace(body, 'Zo', 'zo') WHERE id = ?").run(newest.id);
    else db.prepare('DELETE FROM segments WHERE id = ?').run(newest.id);
    db.close();
    const reopened = CheckpointStore.open(path);
    const { latest, rejected } = reopened.latestValid();
    assert.equal(rejected.length, 1, damage);
    assert.match(rejected[0]!.reason, damage === 'flip' ? /segment \d+: checksum mismatch \(corrupted or partly written\)/ : /segment \d+ is missing/);
    assert.equal(toSnapshotJson(latest!.checkpoint.engine), before);
    reopened.close();
  }
});

test('linear pattern state (sw-pattern-linear/1): written on the replay thread or the writer thread, it reads back as the step snapshot; a part of a layout this sw does not know is refused in one line and the one before is used', () => {
  const path = join(dir, 'linear.db');
  const recording = join(dir, 'linear.jsonl');
  writeFileSync(recording, '');
  const reopened = CheckpointStore.open(path);
  reopened.clear();
  const { pipeline, feed } = patternPipeline(recording, { linear: true });
  feed(0, 40);
  reopened.write(patternCheckpoint(pipeline, recording));
  const before = toSnapshotJson(pipeline.snapshot());
  assert.match(before, /"linear":\{/);
  feed(40, 30);
  const out = join(dir, 'linear.out');
  writeFileSync(out, 'x\n');
  reopened.writeInBackground([out], patternCheckpoint(pipeline, recording));
  reopened.settle();
  assert.equal(toSnapshotJson(reopened.latestValid().latest!.checkpoint.engine), toSnapshotJson(pipeline.snapshot()));
  reopened.close();
  // The newest row's pattern part renamed to a layout no sw writes, its checksum made to match.
  const db = new Database(path);
  const row = db.prepare('SELECT id, body, state, segments FROM checkpoints ORDER BY id DESC LIMIT 1').get() as { id: number; body: string; state: Buffer; segments: string };
  const state = Buffer.from(row.state);
  const at = state.indexOf('sw-pattern-linear/1');
  assert.ok(at > 0);
  state.write('9', at + 'sw-pattern-linear/'.length);
  db.prepare('UPDATE checkpoints SET state = ?, checksum = ? WHERE id = ?').run(state, checksumOf(row.body, state, row.segments), row.id);
  db.close();
  const again = CheckpointStore.open(path);
  const { latest, rejected } = again.latestValid();
  assert.equal(rejected.length, 1);
  assert.match(rejected[0]!.reason, /^[^\n]*a state part of layout sw-pattern-linear\/9, which this sw does not read[^\n]*$/);
  assert.equal(toSnapshotJson(latest!.checkpoint.engine), before);
  again.close();
});

test('pattern state held as decoded fields: a checkpoint refers to it by position without parsing it; without a position its whole record is written', () => {
  for (const positioned of [true, false]) {
    const path = join(dir, `retained-${positioned}.db`);
    const recording = positioned ? join(dir, 'retained.jsonl') : undefined;
    if (recording !== undefined) writeFileSync(recording, '');
    const store = CheckpointStore.open(path);
    store.clear();
    const { pipeline, feed } = patternPipeline(recording, { retained: true });
    feed(0, 40);
    store.write(patternCheckpoint(pipeline, recording));
    feed(40, 25);
    const engine = pipeline.snapshot({ encoded: true });
    const held = (engine.operators[0]!.state as { keys: EncodedState }).keys.records as Record<symbol, unknown>[];
    assert.ok(held.length > 10 && held.every((r) => r[RAW_TEXT] !== undefined), 'the step holds retained records');
    // Parses of held records' texts (originalOf) while the checkpoint is written.
    const texts = new Set(held.map((r) => r[RAW_TEXT]));
    const parse = JSON.parse;
    const parsesOf = (write: () => void): number => {
      let parsed = 0;
      JSON.parse = ((text: string, ...rest: []) => {
        if (texts.has(text)) parsed++;
        return parse(text, ...rest);
      }) as typeof JSON.parse;
      try {
        write();
      } finally {
        JSON.parse = parse;
      }
      return parsed;
    };
    const next = { ...checkpoint(engine.records), ...(recording === undefined ? {} : { recording }), engine };
    const first = parsesOf(() => store.write(next));
    if (positioned) assert.equal(first, 0, 'the checkpoint parsed no held record');
    else assert.ok(first > 0 && first <= held.length, `only records not written before were parsed for the segment: ${first} parses, ${held.length} records`);
    // The same state again: every held record is in a kept segment already, found by its held object.
    assert.equal(parsesOf(() => store.write(next)), 0, 'a second checkpoint of the same state parsed no held record');
    const db = new Database(path, { readonly: true });
    const segments = db.prepare('SELECT body FROM segments').all() as { body: Uint8Array }[];
    db.close();
    if (positioned) assert.equal(segments.length, 0);
    else assert.ok(segments.length > 0 && segments.every((s) => Buffer.from(s.body).toString().includes('"note":"Zoë 名前"')), 'segments hold whole records');
    const { latest, rejected } = store.latestValid();
    assert.deepEqual(rejected, []);
    assert.equal(toSnapshotJson(latest!.checkpoint.engine), toSnapshotJson(pipeline.snapshot()));
    store.close();
  }
});

/** An empty store `<name>.db` and a pattern pipeline reading from the new recording `<name>.jsonl`. */
function positionedStore(name: string, options: Parameters<typeof CheckpointStore.open>[1] = {}, linear = false) {
  const path = join(dir, `${name}.db`);
  const recording = join(dir, `${name}.jsonl`);
  writeFileSync(recording, '');
  const store = CheckpointStore.open(path, options);
  store.clear();
  return { path, recording, store, ...patternPipeline(recording, { linear }) };
}

test('pattern state: records read from the recording are referred to by position, not written, and read back from it', () => {
  const { path, recording, store, pipeline, feed } = positionedStore('positions');
  feed(0, 40);
  store.write(patternCheckpoint(pipeline, recording));
  feed(40, 25);
  store.write(patternCheckpoint(pipeline, recording));
  const db = new Database(path, { readonly: true });
  assert.equal((db.prepare('SELECT count(*) AS n FROM segments').get() as { n: number }).n, 0, 'no record text is stored');
  db.close();
  const { latest, rejected } = store.latestValid();
  assert.deepEqual(rejected, []);
  assert.equal(toSnapshotJson(latest!.checkpoint.engine), toSnapshotJson(pipeline.snapshot()));
  // The records read back carry their positions: a resumed run's checkpoints refer to them again.
  const keys = (latest!.checkpoint.engine.operators[0]!.state as { keys: { records: Record<symbol, unknown>[]; nfa: { events: { value: Record<symbol, unknown> }[] } }[] }).keys;
  const held = keys.flatMap((k) => [...k.records, ...k.nfa.events.map((e) => e.value)]);
  assert.ok(held.length > 10, `${held.length} records held`);
  for (const record of held) assert.equal(typeof record[SOURCE_POSITION], 'number');
  store.close();
});

test('linear pattern state: the store refers to held records by the positions copied beside them, reading no record', () => {
  const { recording, store, pipeline, feed } = positionedStore('positions-beside', {}, true);
  // A first copy (the run's first checkpoint): the records taken from then on have their positions kept.
  pipeline.snapshot({ encoded: true });
  feed(0, 60);
  const cp = patternCheckpoint(pipeline, recording);
  const copy = (cp.engine.operators[0]!.state as { keys: DeferredState }).keys;
  assert.ok(copy.positions !== null && copy.held.length > 10, `${copy.held.length} records held`);
  // Each held record's position read through a getter that counts.
  let reads = 0;
  for (const record of copy.held as Record<symbol, unknown>[]) {
    const position = record[SOURCE_POSITION];
    Object.defineProperty(record, SOURCE_POSITION, { get: () => (reads++, position), configurable: true });
  }
  store.write(cp);
  assert.equal(reads, 0, 'no held record was read for its position');
  const { latest, rejected } = store.latestValid();
  assert.deepEqual(rejected, []);
  assert.equal(toSnapshotJson(latest!.checkpoint.engine), toSnapshotJson(pipeline.snapshot()));
  store.close();
});

test('pattern state: a recording changed under a checkpoint makes it unusable, with the place named', () => {
  for (const [change, reason] of [
    ['shift', /byte \d+ does not start a line \(the recording changed since the checkpoint\?\)/],
    ['garble', /the line at byte \d+ is not a record \(the recording changed since the checkpoint\?\)/],
    ['truncate', /has no line at byte \d+ \(the recording changed since the checkpoint\?\)/],
  ] as const) {
    const { path, recording, store, pipeline, feed } = positionedStore(`changed-${change}`);
    feed(0, 30);
    store.write(patternCheckpoint(pipeline, recording));
    store.close();
    const text = readFileSync(recording, 'utf8');
    writeFileSync(recording, change === 'shift' ? ` ${text}` : change === 'garble' ? text.replace(/\{/g, '[') : text.slice(0, 10));
    const reopened = CheckpointStore.open(path);
    const { latest, rejected } = reopened.latestValid();
    assert.equal(latest, null, change);
    assert.equal(rejected.length, 1, change);
    assert.match(rejected[0]!.reason, reason, change);
    assert.ok(rejected[0]!.reason.startsWith(recording), rejected[0]!.reason);
    // A listing checks the rows themselves, and reads the recording only when asked.
    assert.deepEqual(reopened.list().map((r) => r.valid), [true], change);
    assert.deepEqual(reopened.list({ readRecords: true }).map((r) => r.valid), [false], change);
    reopened.close();
  }
});

for (const form of [1, 2, 3, 4]) {
  test(`a store of checkpoint form ${form} is refused for resuming, and emptied by a fresh run`, () => {
    const path = join(dir, `form${form}.db`);
    const db = new Database(path);
    db.exec('CREATE TABLE checkpoints (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, records INTEGER NOT NULL, body TEXT NOT NULL, checksum TEXT NOT NULL)');
    db.prepare('INSERT INTO checkpoints (created_at, records, body, checksum) VALUES (?, ?, ?, ?)').run('2026-01-01', 100, `{"format":"sw-checkpoint","version":${form}}`, 'x');
    if (form > 1) db.pragma(`user_version = ${form}`);
    db.close();
    const store = CheckpointStore.open(path);
    const refusal = new RegExp(`holds checkpoints of form ${form}, written by another sw version \\(this one reads form ${CHECKPOINT_VERSION}\\); start the replay over without --resume`);
    assert.throws(() => store.latestValid(), (error: Error) => error instanceof UsageError && refusal.test(error.message));
    store.clear();
    store.write(checkpoint(100));
    assert.equal(store.latestValid().latest?.checkpoint.engine.records, 100);
    store.close();
  });
}

/** The store at `path` reopened, after checking that it holds `count` intact checkpoints, the newest equal to the pipeline's snapshot. */
function reopenedWithNewest(path: string, pipeline: Pipeline, count: number): CheckpointStore {
  const reopened = CheckpointStore.open(path);
  const { latest, rejected } = reopened.latestValid();
  assert.deepEqual(rejected, []);
  assert.equal(toSnapshotJson(latest!.checkpoint.engine), toSnapshotJson(pipeline.snapshot()));
  assert.equal(reopened.list().length, count);
  return reopened;
}

test('writeDurable: small rows commit on the replay thread, and a row of backgroundBytes or more starts the writer thread', () => {
  for (const backgroundBytes of [Infinity, 1]) {
    const { path, recording, store, pipeline, feed } = positionedStore(`durable-${backgroundBytes}`, { backgroundBytes });
    const out = join(dir, `durable-${backgroundBytes}.out`);
    writeFileSync(out, 'x\n');
    for (let i = 0; i < 4; i++) {
      feed(i * 20, 20);
      store.writeDurable([out], patternCheckpoint(pipeline, recording));
    }
    assert.equal(store.writerThread, backgroundBytes === 1, `backgroundBytes ${backgroundBytes}`);
    store.settle();
    // The writer thread's own CPU time comes with its replies (it loaded SQLite and this module: never 0).
    if (backgroundBytes === 1) assert.ok(store.writerThreadMs > 0, `writer thread ${store.writerThreadMs} ms`);
    else assert.equal(store.writerThreadMs, 0);
    store.close();
    reopenedWithNewest(path, pipeline, 3).close();
  }
});

/** The ids of the checkpoints at `path`, read by another connection (what a resume after a kill would see). */
function committedIds(path: string): number[] {
  const db = new Database(path, { readonly: true });
  const ids = (db.prepare('SELECT id FROM checkpoints ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  db.close();
  return ids;
}

test('writeDurable: a small row commits once its files are synced, while the replay goes on; or at once when the next checkpoint comes first', async () => {
  const { path, recording, store, pipeline, feed } = positionedStore('durable-later');
  const out = join(dir, 'durable-later.out');
  writeFileSync(out, 'x\n');
  feed(0, 20);
  store.writeDurable([out], patternCheckpoint(pipeline, recording));
  // Nothing commits before the output is synced (the fsync runs on libuv's thread pool).
  assert.deepEqual(committedIds(path), []);
  // The replay reads its next block: the sync's callback commits the row here.
  for (let turns = 0; committedIds(path).length === 0 && turns < 500; turns++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.deepEqual(committedIds(path), [1]);
  // The next checkpoint before the event loop turns: settle syncs and commits the one in flight first.
  feed(20, 20);
  store.writeDurable([out], patternCheckpoint(pipeline, recording));
  feed(40, 20);
  store.writeDurable([out], patternCheckpoint(pipeline, recording));
  assert.deepEqual(committedIds(path), [1, 2]);
  store.close();
  assert.deepEqual(committedIds(path), [1, 2, 3]);
  reopenedWithNewest(path, pipeline, 3).close();
});

/** The pattern step's copy in a checkpoint (lent to the writer thread by writeInBackground). */
function copyIn(cp: Checkpoint): DeferredState & { data: PatternKeysCopy } {
  const keys = (cp.engine.operators[0]!.state as { keys: unknown }).keys;
  assert.ok(keys instanceof DeferredState);
  return keys as DeferredState & { data: PatternKeysCopy };
}

const oneLine = (pattern: RegExp) => (error: Error) => error instanceof InputError && pattern.test(error.message) && !error.message.includes('\n');

test('a writer thread that gives no answer in time is ended: one line, its copy never reused, a new thread for the next checkpoint', () => {
  const { path, recording, store, pipeline, feed } = positionedStore('no-answer', { writerTimeouts: { startMs: 20_000, answerMs: 300 } });
  const out = join(dir, 'no-answer.out');
  writeFileSync(out, 'x\n');
  feed(0, 30);
  // Another connection holds the store's write lock: the thread's commit waits for it (SQLite's busy timeout, 5 s).
  const locker = new Database(path);
  locker.exec('BEGIN EXCLUSIVE');
  const first = patternCheckpoint(pipeline, recording);
  store.writeInBackground([out], first);
  assert.throws(() => store.settle(), oneLine(new RegExp(`^${path}: cannot write a checkpoint \\(the writer thread gave no answer in 0.3 s\\); run without --checkpoint-every$`)));
  // The ended thread may read the copy until its end takes effect: lent for good.
  assert.equal(copyIn(first).busy, true);
  // Held past the busy timeout: the ended thread's commit fails, if it still runs.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5_500);
  locker.exec('ROLLBACK');
  locker.close();
  feed(30, 30);
  const second = patternCheckpoint(pipeline, recording);
  for (const part of ['meta', 'arenas', 'dewey'] as const) assert.notEqual(copyIn(second).data[part].buffer, copyIn(first).data[part].buffer, `${part}: the ended thread's buffer is not reused`);
  store.writeInBackground([out], second);
  store.settle();
  assert.equal(copyIn(second).busy, false);
  store.close();
  reopenedWithNewest(path, pipeline, 1).close();
});

test('a writer thread that does not load in time is ended: one line, its copy never reused', () => {
  const { path, recording, store, pipeline, feed } = positionedStore('no-start', { backgroundBytes: 1, writerTimeouts: { startMs: 1, answerMs: 300_000 } });
  const out = join(dir, 'no-start.out');
  writeFileSync(out, 'x\n');
  feed(0, 30);
  const first = patternCheckpoint(pipeline, recording);
  store.writeDurable([out], first);
  assert.throws(() => store.settle(), oneLine(new RegExp(`^${path}: cannot write a checkpoint \\(the checkpoint writer thread did not start in 0.001 s\\); run without --checkpoint-every$`)));
  assert.equal(copyIn(first).busy, true);
  // The store goes on: a synchronous write (sw savepoint create's) commits.
  feed(30, 30);
  const second = patternCheckpoint(pipeline, recording);
  for (const part of ['meta', 'arenas', 'dewey'] as const) assert.notEqual(copyIn(second).data[part].buffer, copyIn(first).data[part].buffer, part);
  store.write(second);
  store.close();
  reopenedWithNewest(path, pipeline, 1).close();
});

test('a writer thread given up on before it loaded skips the job waiting on its port: nothing commits after the failure was reported', async () => {
  let thread: Worker | null = null;
  const { path, recording, store, pipeline, feed } = positionedStore('abandoned', { backgroundBytes: 1, writerTimeouts: { startMs: 1, answerMs: 300_000, started: (t) => (thread = t) } });
  const out = join(dir, 'abandoned.out');
  writeFileSync(out, 'x\n');
  feed(0, 30);
  store.writeDurable([out], patternCheckpoint(pipeline, recording));
  assert.throws(() => store.settle(), /did not start in 0.001 s/);
  // The thread loads later, finds the job (a message sent before the port closed still arrives),
  // and must end without committing it: the replay has reported that checkpoint as failed.
  const started = thread as Worker | null;
  assert.ok(started !== null);
  started.ref();
  await new Promise((resolve) => started.once('exit', resolve));
  assert.deepEqual(committedIds(path), []);
  store.close();
});

for (const linear of [false, true]) {
test(`neither the copier nor the store keeps a copy once committed: the records it held go when the operator lets them go (${linear ? 'linear' : 'NFA'} pattern state)`, async () => {
  const { recording, store, pipeline, feed } = positionedStore(`gc-${linear}`, {}, linear);
  const out = join(dir, 'gc.out');
  writeFileSync(out, 'x\n');
  feed(0, 40);
  let cp: Checkpoint | null = patternCheckpoint(pipeline, recording);
  const held = copyIn(cp).held.filter((record): record is object => typeof record === 'object' && record !== null);
  assert.ok(held.length > 10, `${held.length} records held`);
  const records = held.map((record) => new WeakRef(record));
  held.length = 0;
  const copy = new WeakRef(copyIn(cp));
  store.writeInBackground([out], cp);
  store.settle();
  cp = null;
  // Past `within` (1m): the operator prunes every partial match of the first 40 records.
  feed(40, 200);
  assert.equal(await aliveAfterGc([copy]), 0, 'the last copy is not kept');
  assert.equal(await aliveAfterGc(records), 0, 'the records it held are not kept');
  store.close();
});
}

test('background writes: the writer thread encodes the pattern state as it was at the checkpoint, though the pipeline went on', () => {
  for (const recording of [true, false]) {
    // With a recording, records go by position; without, their text goes to segments.
    const path = join(dir, `background-copy-${recording}.db`);
    const jsonl = join(dir, `background-copy-${recording}.jsonl`);
    writeFileSync(jsonl, '');
    const store = CheckpointStore.open(path);
    store.clear();
    const { pipeline, feed } = patternPipeline(recording ? jsonl : undefined);
    const out = join(dir, 'background-copy.out');
    writeFileSync(out, 'x\n');
    const expected: string[] = [];
    for (let i = 0; i < 3; i++) {
      feed(i * 40, 40);
      expected.push(toSnapshotJson(pipeline.snapshot()));
      store.writeInBackground([out], patternCheckpoint(pipeline, jsonl));
    }
    // Records arriving while the thread encodes (before anything waits for it).
    feed(120, 40);
    store.settle();
    const { latest, rejected } = store.latestValid();
    assert.deepEqual(rejected, []);
    assert.equal(toSnapshotJson(latest!.checkpoint.engine), expected[2]);
    assert.deepEqual(
      store.list().map((c) => c.records),
      [120, 80, 40],
    );
    assert.equal(toSnapshotJson(store.checkpoint(store.list()[1]!.id).engine), expected[1]);
    store.close();
  }
});

test('writeDurable on the writer thread: a row with a window part (sw-window-keys/2) and a pattern part, their buffers transferred, reads back as the pipeline was', () => {
  const path = join(dir, 'mixed-parts.db');
  const store = CheckpointStore.open(path, { backgroundBytes: 1 });
  store.clear();
  const { pipeline, feed } = patternPipeline(undefined, { window: true });
  const out = join(dir, 'mixed-parts.out');
  writeFileSync(out, 'x\n');
  let expected = '';
  for (let c = 0; c < 5; c++) {
    feed(c * 30, 30);
    const cp = patternCheckpoint(pipeline);
    if (c === 0) {
      const layouts = cp.engine.operators.map((op) => Object.values(op.state ?? {}).flatMap((v) => (v instanceof EncodedState ? [v.layout] : [])));
      assert.deepEqual(layouts[0], ['sw-window-keys/2']);
      assert.ok(layouts[1]!.length > 0, 'the pattern step has a binary part');
    }
    store.writeDurable([out], cp);
    expected = toSnapshotJson(pipeline.snapshot());
  }
  assert.equal(store.writerThread, true, 'the rows went to the writer thread');
  store.close();
  const reopened = CheckpointStore.open(path);
  const { latest, rejected } = reopened.latestValid();
  assert.deepEqual(rejected, []);
  assert.equal(toSnapshotJson(latest!.checkpoint.engine), expected);
  reopened.close();
});

test('background writes: committed on the writer thread, read back after settle; a failed commit is reported by the next call', () => {
  const { path, recording, store, pipeline, feed } = positionedStore('background');
  const out = join(dir, 'background.out');
  writeFileSync(out, 'x\n');
  feed(0, 30);
  store.writeInBackground([out], patternCheckpoint(pipeline, recording));
  feed(30, 30);
  // The second write waits for the first; close waits for the second.
  store.writeInBackground([out], patternCheckpoint(pipeline, recording));
  store.close();
  const reopened = reopenedWithNewest(path, pipeline, 2);
  // A commit that fails on the thread (the table is gone) surfaces as a one-line error.
  reopened.writeInBackground([out], patternCheckpoint(pipeline, recording));
  reopened.settle();
  const db = new Database(path);
  db.exec('DROP TABLE checkpoints');
  db.close();
  reopened.writeInBackground([out], patternCheckpoint(pipeline, recording));
  assert.throws(
    () => reopened.settle(),
    (error: Error) => error instanceof InputError && error.message.startsWith(`${path}: cannot write a checkpoint (`) && error.message.endsWith('check the disk, or run without --checkpoint-every') && !error.message.includes('\n'),
  );
  reopened.close();
});
