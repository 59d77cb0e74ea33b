import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaSink, parseHeaderChoice } from '../../src/replay/kafka-sink.js';
import type { OutgoingMessage, ProducerPort } from '../../src/replay/kafka-client.js';
import { Replay } from '../../src/replay/replay.js';
import { loadCompiledPipeline } from '../../src/spec/compile.js';
import { recordLines } from '../../src/replay/line-recorder.js';
import { openRecordingWriter } from '../../src/replay/recording-writer.js';
import { readRecording } from '../../src/replay/sqlite-recording.js';
import { SqliteOutputWriter } from '../../src/replay/sqlite-output.js';
import Database from 'better-sqlite3';
import { FakeBroker } from './fake-kafka.js';
import { FIXTURES, ROOT } from '../cli/run-sw.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-kafka-sink-'));

/** A producer whose sends complete only when the test releases them. */
class HeldProducer implements ProducerPort {
  readonly sends: OutgoingMessage[][] = [];
  private releases: Array<() => void> = [];
  inFlight = 0;
  maxInFlight = 0;
  fail: Error | null = null;
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  send(record: { topic: string; messages: OutgoingMessage[] }): Promise<unknown> {
    this.sends.push(record.messages);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) =>
      this.releases.push(() => {
        this.inFlight--;
        if (this.fail) reject(this.fail);
        else resolve([]);
      }),
    );
  }
  releaseAll(): void {
    const releases = this.releases;
    this.releases = [];
    for (const release of releases) release();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('batches: full batches are sent, the rest on flush; event time is the Kafka timestamp', async () => {
  const b = new FakeBroker();
  const sink = new KafkaSink(b.clients().producer(), { topic: 'out', batchSize: 3, lingerMs: 10_000 });
  for (let i = 0; i < 7; i++) await sink.add(`{"i":${i}}`, 1000 + i, `k${i}`, null);
  await sink.close();
  assert.deepEqual(b.sends.map((s) => s.messages.length), [3, 3, 1]);
  assert.deepEqual(b.sends.flatMap((s) => s.messages), Array.from({ length: 7 }, (_, i) => ({ key: `k${i}`, value: `{"i":${i}}`, timestamp: String(1000 + i) })));
  assert.equal(sink.sent, 7);
});

test('linger: a batch that does not fill is sent after lingerMs (slow speeds must not hold records back)', async () => {
  const b = new FakeBroker();
  const sink = new KafkaSink(b.clients().producer(), { topic: 'out', batchSize: 1000, lingerMs: 5 });
  sink.add('{}', 1, null, null);
  assert.equal(b.sends.length, 0);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(b.sends.length, 1);
  await sink.close();
});

test('backpressure: one send in flight; a full batch returns a promise that waits for it', async () => {
  const producer = new HeldProducer();
  const sink = new KafkaSink(producer, { topic: 'out', batchSize: 2, lingerMs: 10_000 });
  sink.add('a', 1, null, null);
  const first = sink.add('b', 2, null, null);
  assert.ok(first instanceof Promise);
  await first; // nothing in flight yet: the first batch is handed over at once
  sink.add('c', 3, null, null);
  const second = sink.add('d', 4, null, null)!;
  let secondDone = false;
  void second.then(() => (secondDone = true));
  await tick();
  assert.equal(secondDone, false, 'the replay waits while the broker has not acknowledged');
  producer.releaseAll();
  await second;
  assert.equal(producer.maxInFlight, 1);
  const closing = sink.close();
  await tick();
  producer.releaseAll();
  await closing;
  assert.deepEqual(producer.sends.map((s) => s.map((m) => m.value)), [['a', 'b'], ['c', 'd']]);
});

test('a failed send fails the replay: the next add or close throws the broker error', async () => {
  const producer = new HeldProducer();
  producer.fail = new Error('NOT_LEADER_FOR_PARTITION');
  const sink = new KafkaSink(producer, { topic: 'out', batchSize: 1, lingerMs: 10_000 });
  await sink.add('a', 1, null, null);
  producer.releaseAll();
  await tick();
  await assert.rejects(async () => sink.add('b', 2, null, null), /NOT_LEADER/);
  await assert.rejects(sink.close(), /NOT_LEADER/);
});

test('keys, headers and --retime now', async () => {
  const headers = JSON.stringify({ trace: 't1', tenant: 'acme', multi: ['a', 'b'] });
  const cases: Array<{ name: string; options: Partial<ConstructorParameters<typeof KafkaSink>[1]>; key: string | null; expect: OutgoingMessage }> = [
    { name: 'recording key and all headers', options: {}, key: 'k1', expect: { key: 'k1', value: '{"user":{"id":7}}', timestamp: '5000', headers: { trace: 't1', tenant: 'acme', multi: ['a', 'b'] } } },
    { name: 'no headers', options: { headers: parseHeaderChoice('none') }, key: 'k1', expect: { key: 'k1', value: '{"user":{"id":7}}', timestamp: '5000' } },
    { name: 'chosen headers', options: { headers: parseHeaderChoice('trace,multi') }, key: null, expect: { key: null, value: '{"user":{"id":7}}', timestamp: '5000', headers: { trace: 't1', multi: ['a', 'b'] } } },
    { name: '--key-field wins over the column', options: { keyField: 'user.id', headers: parseHeaderChoice('none') }, key: 'k1', expect: { key: '7', value: '{"user":{"id":7}}', timestamp: '5000' } },
    { name: '--retime now stamps the wall clock', options: { retimeNow: true, now: () => 1_800_000_000_000, headers: parseHeaderChoice('none') }, key: null, expect: { key: null, value: '{"user":{"id":7}}', timestamp: '1800000000000' } },
  ];
  for (const c of cases) {
    const b = new FakeBroker();
    const sink = new KafkaSink(b.clients().producer(), { topic: 'out', ...c.options });
    await sink.add('{"user":{"id":7}}', 5000, c.key, headers);
    await sink.close();
    assert.deepEqual(b.sends[0]!.messages[0], c.expect, c.name);
  }
});

test('replay --sink kafka sends every replayed input record in order, with the recording\'s keys; SQLite and JSONL agree', async () => {
  const jsonl = join(ROOT, 'scenarios', 'binge.jsonl');
  const db = join(dir, 'binge.db');
  await recordLines(jsonl, openRecordingWriter(db), { keyField: 'userId', timeField: 'timestamp' });
  const runs = [];
  for (const recording of [jsonl, db]) {
    const b = new FakeBroker();
    // A compiled pipeline holds its operators' state: one per run.
    const compiled = await loadCompiledPipeline(join(ROOT, 'scenarios', 'binge.pipeline.yaml'));
    const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
    const sink = new KafkaSink(b.clients().producer(), { topic: 'replayed', ...(recording === jsonl ? { keyField: 'userId' } : {}) });
    replay.onInput(sink.add);
    const outputs: string[] = [];
    replay.onOutput((r) => outputs.push(JSON.stringify(r)));
    const summary = await replay.run();
    await sink.close();
    const messages = b.sends.flatMap((s) => s.messages);
    assert.equal(messages.length, summary.records, 'one message per record the engine processed');
    assert.ok(outputs.length > 0);
    runs.push({ messages, outputs });
  }
  assert.deepEqual(runs[1], runs[0]);
  const rows = [...readRecording(db)];
  const first = runs[0]!.messages[0]!;
  assert.equal(first.value, rows[0]!.value);
  assert.equal(first.key, rows[0]!.key);
  assert.equal(first.timestamp, String(JSON.parse(rows[0]!.value).timestamp));
});

test('SQLite round trip: record (file/stdin path) then replay gives the same records and the same outputs', async () => {
  const jsonl = join(FIXTURES, 'clicks.jsonl');
  const db = join(dir, 'clicks.db');
  await recordLines(jsonl, openRecordingWriter(db));
  assert.deepEqual([...readRecording(db)].map((r) => r.value), readFileSync(jsonl, 'utf8').split('\n').filter((l) => l.trim() !== ''));
  const results = [];
  for (const recording of [jsonl, db]) {
    const compiled = await loadCompiledPipeline(join(FIXTURES, 'clicks.pipeline.yaml'));
    const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
    const inputs: string[] = [];
    const outputs: string[] = [];
    replay.onInput((value) => void inputs.push(value));
    replay.onOutput((r) => outputs.push(JSON.stringify(r)));
    await replay.run();
    results.push({ inputs, outputs });
  }
  assert.ok(results[0]!.outputs.length > 0);
  assert.deepEqual(results[1], results[0]);
});

test('--out results.db: every output record in the outputs table, exactly as the JSONL sink writes it', async () => {
  const compiled = await loadCompiledPipeline(join(FIXTURES, 'clicks.pipeline.yaml'));
  const path = join(dir, 'results.db');
  const writer = new SqliteOutputWriter(path, { pipeline: 'clicks' });
  const replay = new Replay({ recording: join(FIXTURES, 'clicks.jsonl'), compiled, speed: Infinity, deadLetterPath: null });
  const jsonl: string[] = [];
  replay.onOutput(writer.write);
  replay.onOutput((r) => jsonl.push(JSON.stringify(r)));
  await replay.run();
  writer.close();
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT step, kind, key, start, "end", record FROM outputs ORDER BY seq').all() as Array<{ step: string; kind: string; key: string; start: number | null; end: number | null; record: string }>;
  assert.deepEqual(rows.map((r) => r.record), jsonl);
  for (const row of rows) {
    const record = JSON.parse(row.record);
    assert.deepEqual([row.step, row.kind, row.key, row.start, row.end], [record.step, record.kind, JSON.stringify(record.key), record.start ?? null, record.end ?? null]);
  }
  assert.equal((db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string }).value, 'sw-results');
  db.close();
});
