import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteRecordingWriter, readRecording, readRecordingMeta, isSqlitePath } from '../../src/replay/sqlite-recording.js';
import { InputError } from '../../src/errors.js';
import { readSqliteBlocks } from '../../src/replay/sqlite-blocks.js';
import Database from 'better-sqlite3';

const dir = mkdtempSync(join(tmpdir(), 'sw-sqlite-'));

for (const mode of [{}, { bulk: true }]) test(`rows written in batches (64 per INSERT and the rest one by one) read back in order, with every column, streaming${mode.bulk ? ' (bulk mode, WAL once closed)' : ''}`, () => {
  const path = join(dir, mode.bulk ? 'a-bulk.db' : 'a.db');
  const writer = new SqliteRecordingWriter(path, { source: 'test' }, 1000, mode);
  const rows = Array.from({ length: 2500 }, (_, i) => ({
    value: i === 7 ? '{"broken' : JSON.stringify({ i }),
    key: i % 3 === 0 ? null : `k${i % 5}`,
    headers: i % 2 ? JSON.stringify({ trace: `t${i}` }) : null,
    topic: 'events',
    partition: i % 4,
    offset: 1000 + i,
    timestamp: 1_767_225_600_000 + i * 10,
  }));
  for (const row of rows) writer.append(row);
  assert.equal(writer.count, 2500);
  writer.close();
  const read = [...readRecording(path)];
  assert.equal(read.length, 2500);
  read.forEach((row, i) => assert.deepEqual(row, { seq: i + 1, ...rows[i] }));
  const meta = readRecordingMeta(path);
  assert.equal(meta.format, 'sw-recording');
  assert.equal(meta.version, '1');
  assert.equal(meta.source, 'test');
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
});

test('from / to select by timestamp; rows without one are kept', () => {
  const path = join(dir, 'b.db');
  const writer = new SqliteRecordingWriter(path, {});
  for (let i = 0; i < 10; i++) writer.append({ value: `{"i":${i}}`, timestamp: i === 5 ? null : i * 100 });
  writer.close();
  assert.deepEqual([...readRecording(path, { from: 300, to: 700 })].map((r) => r.seq), [4, 5, 6, 7]);
});

test('committed rows survive a writer that never closes (Ctrl-C after a batch)', () => {
  const path = join(dir, 'c.db');
  const writer = new SqliteRecordingWriter(path, {}, 3);
  for (let i = 0; i < 7; i++) writer.append({ value: `{"i":${i}}` });
  // No close(): the 6 rows of two full batches are committed, the 7th is not.
  assert.equal([...readRecording(path)].length, 6);
  writer.close();
});

test('unreadable recordings are input errors naming the file', () => {
  const text = join(dir, 'not.db');
  writeFileSync(text, 'just text\n');
  const cases = [join(dir, 'missing.db'), text];
  for (const path of cases) assert.throws(() => [...readRecording(path)], (e: unknown) => e instanceof InputError && e.message.startsWith(path));
  assert.ok(isSqlitePath('x.db') && isSqlitePath('x.sqlite') && !isSqlitePath('x.jsonl'));
});

test('a SQLite recording read as blocks lets the event loop turn between blocks (I/O callbacks run during a replay)', async () => {
  const path = join(dir, 'turns.db');
  const writer = new SqliteRecordingWriter(path, { source: 'test' }, 1000);
  for (let i = 0; i < 10_000; i++) writer.append({ value: JSON.stringify({ i }), key: null, headers: null, topic: 'events', partition: 0, offset: i, timestamp: 1_767_225_600_000 + i });
  writer.close();
  let turns = 0;
  const seen: number[] = [];
  // A callback of the event loop's check phase, as a thread pool's completion is one of its poll phase.
  const tick = (): void => {
    turns++;
    if (seen.length < 3) setImmediate(tick);
  };
  setImmediate(tick);
  for await (const _ of readSqliteBlocks(path)) seen.push(turns);
  assert.equal(seen.length, 3);
  // Each block after the first comes after at least one more turn.
  assert.ok(seen[1]! > seen[0]! && seen[2]! > seen[1]!, `turns before each block: ${seen.join(', ')}`);
});
