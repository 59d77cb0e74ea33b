/**
 * Progress through a recording (the live view's bar and ETA, issue 5): the fraction the replay
 * reports at a record is the fraction of the recording's records before it, within one block's
 * worth, for each format. Before: a .gz counted decompressed bytes over the compressed size (at
 * a tenth of the file the bar was full), and a SQLite recording counted row text over the
 * database file's size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Replay } from '../../src/replay/replay.js';
import { SqliteRecordingWriter } from '../../src/replay/sqlite-recording.js';
import { compileSpec } from '../../src/spec/compile.js';
import { parsePipelineText } from '../../src/spec/load.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-progress-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const RECORDS = 30_000;
/**
 * Random hex payloads in the second half, repeated ones in the first: gzip shrinks the first half
 * ~50 times and the second ~2 times, so the file spans many gunzip chunks and a .gz's progress
 * cannot come out right from one average ratio.
 */
const lines = Array.from({ length: RECORDS }, (_, i) =>
  JSON.stringify({ ts: 1_767_225_600_000 + i, user: `u${i % 50}`, pad: i < RECORDS / 2 ? 'ab'.repeat(160) : randomBytes(160).toString('hex') }),
);
const text = lines.join('\n') + '\n';

const PIPELINE = `
name: progress
time: { field: ts, outOfOrderness: 1s }
steps:
  perUser:
    keyBy: user
    window: { type: tumbling, size: 1s }
    aggregate: { n: count() }
`;

function writeSqlite(path: string): void {
  const writer = new SqliteRecordingWriter(path, { source: 'test' });
  for (const value of lines) writer.append({ value, timestamp: null });
  writer.close();
}

/**
 * The .gz file as gzip members of 1,000 records each, one after the other (gunzip reads them as
 * one stream): where each member starts in compressed bytes is known, so the compressed fraction
 * at a record is too (interpolated inside a member).
 */
const MEMBER = 1_000;
const members = Array.from({ length: RECORDS / MEMBER }, (_, m) => gzipSync(lines.slice(m * MEMBER, (m + 1) * MEMBER).join('\n') + '\n'));
const gzipBytes = members.reduce((n, m) => n + m.length, 0);
function compressedFraction(record: number): number {
  const m = Math.floor(record / MEMBER);
  const before = members.slice(0, m).reduce((n, b) => n + b.length, 0);
  return (before + ((members[m]?.length ?? 0) * (record % MEMBER)) / MEMBER) / gzipBytes;
}

/**
 * Inside one block the bar moves by decompressed bytes, so where the ratio jumps (record 15,000)
 * the block around it is off by up to its compressed size: the .gz case is checked away from the
 * jump (2 MiB of lines either side) to 1%, and for never going back everywhere.
 */
const RECORDS_PER_MIB = Math.ceil((1 << 20) / (Buffer.byteLength(text) / RECORDS));
const awayFromJump = (record: number) => Math.abs(record - RECORDS / 2) > 2 * RECORDS_PER_MIB;

const cases: { name: string; file: string; write: (path: string) => void; expected: (record: number) => number; tolerance: number; checked?: (record: number) => boolean }[] = [
  { name: 'plain JSONL: bytes read over the file size', file: 'plain.jsonl', write: (path) => writeFileSync(path, text), expected: (i) => Buffer.byteLength(lines.slice(0, i).join('\n') + (i > 0 ? '\n' : '')) / Buffer.byteLength(text), tolerance: 1e-9 },
  { name: '.gz: compressed bytes consumed over the size on disk', file: 'packed.jsonl.gz', write: (path) => writeFileSync(path, Buffer.concat(members)), expected: compressedFraction, tolerance: 0.01, checked: awayFromJump },
  { name: 'SQLite: rows read over the rows', file: 'rows.db', write: writeSqlite, expected: (i) => i / RECORDS, tolerance: 1e-3 },
];

for (const c of cases) {
  test(`progress, ${c.name}`, async () => {
    const path = join(dir, c.file);
    c.write(path);
    const replay = new Replay({ recording: path, compiled: compileSpec(parsePipelineText(PIPELINE, 'progress.yaml')), speed: Infinity, deadLetterPath: null });
    assert.equal(replay.progress(), 0, 'nothing read yet');
    const seen: { at: number; progress: number }[] = [];
    let records = 0;
    // The input listener runs before each record is processed, after its line was read: `records`
    // records are behind it, and the bytes read stop at its start.
    replay.onInput(() => {
      if (records % 997 === 0) seen.push({ at: records, progress: replay.progress()! });
      records++;
    });
    const summary = await replay.run();
    assert.equal(summary.records, RECORDS);
    assert.equal(replay.progress(), 1, 'done at the end');
    assert.ok(seen.length > 25);
    for (let i = 0; i < seen.length; i++) {
      const { at, progress } = seen[i]!;
      if (i > 0) assert.ok(progress >= seen[i - 1]!.progress, 'never goes back');
      if (c.checked && !c.checked(at)) continue;
      const expected = c.expected(at);
      assert.ok(Math.abs(progress - expected) <= c.tolerance, `at record ${at} the bar shows ${(progress * 100).toFixed(2)}%, not ${(expected * 100).toFixed(2)}%`);
    }
  });
}

test('progress is unknown for stdin', () => {
  const replay = new Replay({ recording: '-', compiled: compileSpec(parsePipelineText(PIPELINE, 'progress.yaml')), speed: Infinity, deadLetterPath: null });
  assert.equal(replay.progress(), null);
});
