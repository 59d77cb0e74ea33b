import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileChunks, readLines, readLineBlocks } from '../../src/replay/lines.js';
import { InputError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-lines-'));

async function collect(path: string) {
  const out: Array<[number, string]> = [];
  for await (const r of readLines(path)) out.push([r.line, r.text]);
  return out;
}

test('lines keep their 1-based numbers across blank lines, CRLF and a missing final newline', async () => {
  const path = join(dir, 'a.jsonl');
  writeFileSync(path, '{"a":1}\r\n\n{"a":"é"}\n{"a":3}');
  assert.deepEqual(await collect(path), [
    [1, '{"a":1}'],
    [3, '{"a":"é"}'],
    [4, '{"a":3}'],
  ]);
});

test('gzip recordings read the same as plain ones', async () => {
  const text = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(i % 300) })).join('\n') + '\n';
  writeFileSync(join(dir, 'b.jsonl'), text);
  writeFileSync(join(dir, 'b.jsonl.gz'), gzipSync(text));
  const plain = await collect(join(dir, 'b.jsonl'));
  assert.equal(plain.length, 5000);
  assert.deepEqual(await collect(join(dir, 'b.jsonl.gz')), plain);
});

test('plain files read into reused buffers give the same lines as a gzip stream, over many chunks', async () => {
  // ~5 MB: lines cross the 1 MB chunk boundaries, and each buffer is read into again twice.
  const text = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ i, pad: 'z'.repeat((i * 7919) % 311) })).join('\n') + '\n';
  writeFileSync(join(dir, 'd.jsonl'), text);
  writeFileSync(join(dir, 'd.jsonl.gz'), gzipSync(text));
  const plain = await collect(join(dir, 'd.jsonl'));
  assert.equal(plain.length, 30_000);
  assert.deepEqual(plain, await collect(join(dir, 'd.jsonl.gz')));
});

test('file chunks from an offset are the file bytes from there', async () => {
  const path = join(dir, 'e.jsonl');
  writeFileSync(path, Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 31) % 251)));
  for (const offset of [0, 1, 1 << 20, 2_999_999, 3_000_000]) {
    const parts: Buffer[] = [];
    // Copied as they come: a chunk's buffer is read into again two chunks later.
    for await (const chunk of readFileChunks(path, offset)) parts.push(Buffer.from(chunk));
    assert.ok(Buffer.concat(parts).equals(readFileSync(path).subarray(offset)), `offset ${offset}`);
  }
});

test('blocks always end on a line boundary, even for lines longer than a chunk', async () => {
  const long = 'y'.repeat(3 << 20);
  writeFileSync(join(dir, 'c.jsonl'), `{"s":"${long}"}\n{"n":2}\n`);
  let lines = 0;
  for await (const block of readLineBlocks(join(dir, 'c.jsonl'))) {
    assert.equal(block.buffer[block.buffer.length - 1], 10);
    lines += block.buffer.toString().split('\n').length - 1;
  }
  assert.equal(lines, 2);
});

test('a missing file is an InputError that names the path', async () => {
  await assert.rejects(collect(join(dir, 'nope.jsonl')), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.match(error.message, /nope\.jsonl: cannot read the recording \(ENOENT\)/);
    return true;
  });
});
