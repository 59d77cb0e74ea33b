/**
 * Pattern steps keep buffered records as their decoded fields plus the line's text, and decode a
 * record whole only when it is output (retained-record.ts). The output must be what keeping the
 * whole record gave: events are the original records (fields no expression reads included, number
 * and string forms as JSON.parse gives them), select reads fields the reader never decoded, and a
 * step whose condition reads an earlier stage's events keeps whole records as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputRecord } from '../../src/engine/operator.js';
import { originalOf, RAW_TEXT, retainFields } from '../../src/engine/retained-record.js';
import { SOURCE_POSITION } from '../../src/engine/snapshot/binary.js';
import { Replay } from '../../src/replay/replay.js';
import { compileSpec } from '../../src/spec/compile.js';
import { parsePipelineText } from '../../src/spec/load.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-retained-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('originalOf: a plain record is itself; a retained one is its text parsed (again at each call, nothing kept), with its source position', () => {
  const plain = { a: 1 };
  assert.equal(originalOf(plain), plain);
  const fields = retainFields({ type: 'a' }, '{"type":"a","n":1.50,"s":"\\u00e9"}', 42);
  const original = originalOf(fields);
  assert.equal(JSON.stringify(original), '{"type":"a","n":1.5,"s":"é"}');
  const again = originalOf(fields);
  assert.notEqual(again, original);
  assert.deepEqual(again, original);
  assert.equal((again as Record<symbol, unknown>)[SOURCE_POSITION], 42);
  // The retained record gained nothing: its symbols are the text and the position.
  assert.equal(Object.getOwnPropertySymbols(fields).length, 2);
  assert.equal((original as Record<symbol, unknown>)[SOURCE_POSITION], 42);
  assert.equal((original as Record<symbol, unknown>)[RAW_TEXT], undefined);
});

// Per user: an "a" then a "b" right after it, within 1 s. Lines vary key order, spacing, number
// forms and escapes, and carry fields no expression reads.
const lines: string[] = [];
for (let i = 0; i < 400; i++) {
  const user = `u${i % 7}`;
  const type = i % 3 === 0 ? 'b' : 'a';
  const ts = 1_767_225_600_000 + i * 100 - (i % 4) * 30;
  lines.push(
    i % 2 === 0
      ? `{"ts":${ts},"user":"${user}","type":"${type}","extra":{"n":${i}.50,"tags":["x","\\u00e9"]},"z":1e2}`
      : `{ "type" : "${type}", "user":"${user}", "ts": ${ts}, "note": "line ${i} \\"quoted\\"" }`,
  );
}

function pipeline(bWhere: string): string {
  return `
name: retained
time: { field: ts, outOfOrderness: 200ms }
steps:
  pair:
    keyBy: user
    pattern:
      within: 1s
      stages:
        - { name: a, where: "type == 'a'" }
        - { name: b, contiguity: next, where: "${bWhere}" }
    emitTimeouts: true
    select:
      note: "has(a[0].note) ? a[0].note : 'none'"
`;
}

let snapshotRecords = 0;

/** Every input record (an object with a "user") anywhere in a snapshot's plain form. */
function recordsIn(value: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const v of value) recordsIn(v, found);
  else if (value !== null && typeof value === 'object') {
    if ('user' in value && 'type' in value) found.push(value as Record<string, unknown>);
    else for (const v of Object.values(value)) recordsIn(v, found);
  }
  return found;
}

async function replay(spec: string, checkpointed: boolean): Promise<string[]> {
  const path = join(dir, 'in.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  const replay = new Replay({ recording: path, compiled: compileSpec(parsePipelineText(spec, 'retained.yaml')), speed: Infinity, deadLetterPath: null });
  const out: OutputRecord[] = [];
  replay.onOutput((record) => out.push(record));
  if (checkpointed) {
    // A snapshot every 50 records, taken and encoded as a checkpoint does (the records it holds are whole).
    let next = 50;
    replay.checkpointWith({
      dueAt: () => ({ records: next, time: NaN }),
      due: (records) => {
        if (records < next) return false;
        next += 50;
        return true;
      },
      take: (position) => {
        const records = recordsIn(JSON.parse(JSON.stringify(position().engine)));
        for (const record of records) assert.ok('extra' in record || 'note' in record, `a snapshot holds a partial record: ${JSON.stringify(record)}`);
        snapshotRecords += records.length;
      },
    });
  }
  await replay.run();
  return out.map((r) => JSON.stringify(r));
}

test('a pattern step retaining decoded fields outputs what keeping whole records gave', async () => {
  const retained = await replay(pipeline("type == 'b'"), false);
  // Reading an earlier stage's events (a[0]) keeps whole records: the reference output.
  const whole = await replay(pipeline("type == 'b' && a[0].user == user"), false);
  assert.ok(retained.some((r) => r.includes('"kind":"match"')) && retained.some((r) => r.includes('"kind":"timeout"')));
  assert.deepEqual(retained, whole);
  const byText = new Map(lines.map((line) => [JSON.stringify(JSON.parse(line)), line]));
  for (const text of retained) {
    const record = JSON.parse(text) as { events: Record<string, unknown[]> };
    for (const events of Object.values(record.events)) for (const event of events) assert.ok(byText.has(JSON.stringify(event)), `not a whole input record: ${JSON.stringify(event)}`);
  }
  assert.ok(retained.some((r) => r.includes('"note":"line ')), 'select read a field the reader does not decode');
  assert.deepEqual(await replay(pipeline("type == 'b'"), true), retained);
  assert.ok(snapshotRecords > 0, 'the snapshots held buffered records');
});
