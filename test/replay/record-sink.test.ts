import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { LineWriter } from '../../src/replay/record-sink.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-line-writer-'));
let files = 0;

/** Writes `lines` through a LineWriter to a file and returns the file's bytes and the writer's figures. */
function written(lines: readonly string[], { syncEvery = 0 } = {}) {
  const path = join(tmp, `out-${files++}.jsonl`);
  const writer = LineWriter.open(path);
  const positions: number[] = [];
  lines.forEach((line, i) => {
    writer.write(line);
    if (syncEvery > 0 && (i + 1) % syncEvery === 0) positions.push(writer.durablePosition());
  });
  const count = writer.lines;
  writer.close();
  return { bytes: readFileSync(path), count, positions };
}

/** What the lines must become: their UTF-8, one per line, as Buffer.from encodes a string. */
function expected(lines: readonly string[]): Buffer {
  return Buffer.from(lines.map((line) => line + '\n').join(''));
}

test('lines are written as UTF-8, one per line, across buffer boundaries and past the buffer size', () => {
  const lines = [
    '{"step":"views","key":"c1"}',
    '',
    'naïve café ✓ 日本語 😀',
    'lone surrogates \ud800 and \udfff become U+FFFD, as Buffer.from writes them',
    'x'.repeat(70_000),
    '😀'.repeat(30_000),
    ...Array.from({ length: 5_000 }, (_, i) => `{"n":${i},"text":"${'é'.repeat(i % 40)}"}`),
    'é'.repeat(21_845),
    'the end',
  ];
  const { bytes, count } = written(lines);
  assert.equal(count, lines.length);
  assert.ok(bytes.equals(expected(lines)));
});

test('durablePosition is the byte length of the lines written so far', () => {
  const lines = Array.from({ length: 3_000 }, (_, i) => `{"i":${i},"s":"${'ü'.repeat(i % 50)}"}`);
  const { bytes, positions } = written(lines, { syncEvery: 700 });
  assert.ok(bytes.equals(expected(lines)));
  assert.deepEqual(positions, [700, 1400, 2100, 2800].map((n) => expected(lines.slice(0, n)).length));
});

test('generated lines of any text come out as Buffer.from writes them', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 3_000 }), { maxLength: 80 }), (texts) => {
      const lines = texts.map((t) => t.replaceAll('\n', ' '));
      assert.ok(written(lines).bytes.equals(expected(lines)));
    }),
    { numRuns: 200 },
  );
});
