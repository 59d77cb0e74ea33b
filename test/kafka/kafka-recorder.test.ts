import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaRecorder, type RecordStart } from '../../src/replay/kafka-recorder.js';
import { openRecordingWriter } from '../../src/replay/recording-writer.js';
import { readRecording, type StoredRow } from '../../src/replay/sqlite-recording.js';
import { recordLines } from '../../src/replay/line-recorder.js';
import { connectionFrom, parseBrokers, headersToJson } from '../../src/replay/kafka-client.js';
import { UsageError } from '../../src/errors.js';
import { FakeBroker } from './fake-kafka.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-kafka-rec-'));
const T0 = 1_767_225_600_000;

/** Two partitions of 4 messages each; partition p, index i has timestamp T0 + i*1000 + p. */
function broker(): FakeBroker {
  const b = new FakeBroker();
  b.createTopic('events', 2);
  for (let p = 0; p < 2; p++) {
    for (let i = 0; i < 4; i++) {
      b.append('events', p, {
        key: i === 3 ? null : `k${p}${i}`,
        value: i === 2 && p === 1 ? null : JSON.stringify({ p, i, ts: T0 + i * 1000 + p }),
        timestamp: T0 + i * 1000 + p,
        headers: i === 0 ? { trace: `t${p}`, multi: ['a', 'b'] } : {},
      });
    }
  }
  return b;
}

let n = 0;
async function record(b: FakeBroker, start: RecordStart, extra: { count?: number; durationMs?: number } = {}) {
  const out = join(dir, `r${n++}.db`);
  const recorder = new KafkaRecorder(b.clients(), { topics: ['events'], start, writer: openRecordingWriter(out), ...extra });
  const summary = await recorder.run();
  return { summary, rows: [...readRecording(out)] };
}

const cases: Array<{ name: string; start: RecordStart; count?: number; durationMs?: number; expect: string[]; stoppedBy: string }> = [
  { name: 'from-beginning with a count stops at exactly n', start: { kind: 'beginning' }, count: 5, expect: ['0/0', '0/1', '0/2', '1/0', '1/1'], stoppedBy: 'count' },
  { name: 'from-beginning, everything, until the duration', start: { kind: 'beginning' }, durationMs: 80, expect: ['0/0', '0/1', '0/2', '1/0', '1/1', '1/2', '0/3', '1/3'], stoppedBy: 'duration' },
  { name: 'from-timestamp seeks each partition to the first timestamp ≥ t', start: { kind: 'timestamp', ms: T0 + 2000 }, durationMs: 80, expect: ['0/2', '0/3', '1/2', '1/3'], stoppedBy: 'duration' },
  { name: 'from-timestamp after the last message records nothing', start: { kind: 'timestamp', ms: T0 + 99_000 }, durationMs: 50, expect: [], stoppedBy: 'duration' },
  { name: 'latest (no start option) skips what is already there', start: { kind: 'latest' }, durationMs: 50, expect: [], stoppedBy: 'duration' },
];

for (const c of cases) {
  test(`record kafka: ${c.name}`, async () => {
    const { summary, rows } = await record(broker(), c.start, { ...(c.count ? { count: c.count } : {}), ...(c.durationMs ? { durationMs: c.durationMs } : {}) });
    // The fake delivers batches of 3, partition by partition: order is per batch.
    assert.deepEqual(rows.map((r) => `${r.partition}/${r.offset}`).sort(), [...c.expect].sort());
    assert.equal(summary.messages, c.expect.length);
    assert.equal(summary.stoppedBy, c.stoppedBy);
  });
}

test('record kafka stores value, key, headers, topic, partition, offset and broker timestamp', async () => {
  const { rows, summary } = await record(broker(), { kind: 'beginning' }, { count: 8 });
  const byPlace = new Map(rows.map((r) => [`${r.partition}/${r.offset}`, r]));
  assert.deepEqual(byPlace.get('0/0'), { seq: byPlace.get('0/0')!.seq, value: JSON.stringify({ p: 0, i: 0, ts: T0 }), key: 'k00', headers: '{"trace":"t0","multi":["a","b"]}', topic: 'events', partition: 0, offset: 0, timestamp: T0 });
  assert.equal(byPlace.get('1/2')!.value, 'null', 'a tombstone is stored as JSON null');
  assert.equal(byPlace.get('1/3')!.key, null);
  assert.equal(byPlace.get('1/3')!.headers, null, 'no headers → NULL, not {}');
  assert.deepEqual(Object.fromEntries(summary.perPartition), { 'events/0': 4, 'events/1': 4 });
});

test('record kafka with a group starts at committed offsets and commits only what was stored', async () => {
  const b = broker();
  b.committed.set('sw-rec', new Map([['events/0', 1], ['events/1', 3]]));
  const { rows } = await record(b, { kind: 'group', groupId: 'sw-rec' }, { count: 2 });
  assert.equal(rows.length, 2);
  const committed = b.committed.get('sw-rec')!;
  // Everything stored is committed; nothing beyond the count is.
  const stored = rows.map((r) => `${r.partition}/${r.offset}`);
  for (const [tp, next] of committed) {
    const [, p] = tp.split('/');
    const last = Math.max(...stored.filter((s) => s.startsWith(`${p}/`)).map((s) => Number(s.split('/')[1])), next - 1);
    assert.equal(next, last + 1, `${tp} committed ${next}`);
  }
  const again = await record(b, { kind: 'group', groupId: 'sw-rec' }, { durationMs: 60 });
  const all = [...stored, ...again.rows.map((r) => `${r.partition}/${r.offset}`)].sort();
  assert.deepEqual(all, ['0/1', '0/2', '0/3', '1/3'], 'the second run continues where the first stopped, no gap, no repeat');
});

test('record kafka without a group never commits offsets', async () => {
  const b = broker();
  await record(b, { kind: 'beginning' }, { count: 3 });
  assert.equal(b.committed.size, 0);
});

test('stop() (Ctrl-C) keeps every message received before it, recording closed and readable', async () => {
  const b = broker();
  b.batchSize = 1;
  const out = join(dir, 'stopped.db');
  const recorder = new KafkaRecorder(b.clients(), { topics: ['events'], start: { kind: 'beginning' }, writer: openRecordingWriter(out), onProgress: (p) => p.messages >= 3 && recorder.stop() });
  const summary = await recorder.run();
  assert.equal(summary.stoppedBy, 'signal');
  assert.equal([...readRecording(out)].length, summary.messages);
  assert.ok(summary.messages >= 3);
});

test('an unknown topic fails with the broker error, and the recording is still closed', async () => {
  const out = join(dir, 'unknown.db');
  const recorder = new KafkaRecorder(broker().clients(), { topics: ['nope'], start: { kind: 'beginning' }, writer: openRecordingWriter(out), durationMs: 1000 });
  await assert.rejects(recorder.run(), /does not host/);
  assert.deepEqual([...readRecording(out)], []);
});

test('JSONL recordings: bare values, or --envelope with metadata that `record file --envelope` restores', async () => {
  const b = broker();
  const plain = join(dir, 'plain.jsonl');
  await new KafkaRecorder(b.clients(), { topics: ['events'], start: { kind: 'beginning' }, writer: openRecordingWriter(plain), count: 8 }).run();
  const lines = readFileSync(plain, 'utf8').trim().split('\n');
  assert.equal(lines.length, 8);
  assert.ok(lines.includes('null'));
  assert.ok(lines.includes(JSON.stringify({ p: 0, i: 0, ts: T0 })));

  const enveloped = join(dir, 'env.jsonl');
  b.append('events', 0, { key: 'x', value: 'not json\nat all', timestamp: T0 + 9000 });
  await new KafkaRecorder(b.clients(), { topics: ['events'], start: { kind: 'beginning' }, writer: openRecordingWriter(enveloped, { envelope: true }), count: 9 }).run();
  const first = JSON.parse(readFileSync(enveloped, 'utf8').split('\n').find((l) => l.includes('"offset":0,') && l.includes('"partition":0'))!);
  assert.deepEqual(first, { topic: 'events', partition: 0, offset: 0, timestamp: T0, key: 'k00', headers: { trace: 't0', multi: ['a', 'b'] }, value: { p: 0, i: 0, ts: T0 } });
  const restored = join(dir, 'restored.db');
  await recordLines(enveloped, openRecordingWriter(restored), { envelope: true });
  const direct = join(dir, 'direct.db');
  await new KafkaRecorder(b.clients(), { topics: ['events'], start: { kind: 'beginning' }, writer: openRecordingWriter(direct), count: 9 }).run();
  const strip = (rows: StoredRow[]) => rows.map(({ seq: _seq, ...rest }) => rest).sort((x, y) => `${x.partition}/${x.offset}`.localeCompare(`${y.partition}/${y.offset}`));
  assert.deepEqual(strip([...readRecording(restored)]), strip([...readRecording(direct)]));
});

test('headers: Buffers and repeated headers become a JSON object of strings', () => {
  const cases: Array<[Parameters<typeof headersToJson>[0], string | null]> = [
    [undefined, null],
    [{}, null],
    [{ a: Buffer.from('1') }, '{"a":"1"}'],
    [{ a: [Buffer.from('1'), '2'], b: undefined }, '{"a":["1","2"]}'],
  ];
  for (const [input, expected] of cases) assert.equal(headersToJson(input), expected);
});

test('connection flags: brokers, SASL, SSL and their one-line errors', () => {
  const cases: Array<{ brokers: string; flags: Parameters<typeof connectionFrom>[1]; env?: NodeJS.ProcessEnv; error?: RegExp; sasl?: string; ssl?: boolean }> = [
    { brokers: 'localhost:9092', flags: {} },
    { brokers: 'a:1,b:2', flags: { ssl: true }, ssl: true },
    { brokers: 'a:1', flags: { sasl: 'SCRAM-SHA-512', username: 'u', password: 'p' }, sasl: 'scram-sha-512' },
    { brokers: 'a:1', flags: { sasl: 'plain', username: 'u' }, env: { SW_KAFKA_PASSWORD: 's' }, sasl: 'plain' },
    { brokers: 'a:1', flags: { sasl: 'plain', username: 'u' }, env: {}, error: /needs --password <secret> or the SW_KAFKA_PASSWORD/ },
    { brokers: 'a:1', flags: { sasl: 'gssapi', username: 'u', password: 'p' }, error: /unknown mechanism; use plain, scram-sha-256 or scram-sha-512/ },
    { brokers: 'a:1', flags: { username: 'u' }, error: /need --sasl/ },
    { brokers: 'a:1', flags: { ca: join(dir, 'missing.pem') }, error: /--ca .*missing.pem: cannot read/ },
    { brokers: 'localhost', flags: {}, error: /'localhost' is not host:port/ },
    { brokers: ',', flags: {}, error: /--brokers ,: empty/ },
  ];
  for (const c of cases) {
    const build = () => connectionFrom(parseBrokers(c.brokers), c.flags, c.env ?? {});
    if (c.error) {
      assert.throws(build, c.error);
      continue;
    }
    const connection = build();
    assert.equal(connection.sasl?.mechanism, c.sasl);
    assert.equal(connection.ssl, c.ssl);
  }
  assert.throws(() => parseBrokers('x'), UsageError);
});
