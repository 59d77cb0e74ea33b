import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, runSw } from './run-sw.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-cli-replay-'));
const CLICKS = join(FIXTURES, 'clicks.jsonl');
const PIPELINE = join(FIXTURES, 'clicks.pipeline.yaml');

function jsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('sw replay --speed max --out writes the fixed output records, dead letters with line and reason', () => {
  const out = join(tmp, 'results.jsonl');
  const r = runSw(['replay', CLICKS, '--pipeline', PIPELINE, '--speed', 'max', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(jsonl(out), [
    { step: 'perPage', kind: 'window', key: 'home', start: 1767225600000, end: 1767225660000, firing: 'onTime', fields: { clicks: 3, users: 3 } },
    { step: 'perPage', kind: 'window', key: 'cart', start: 1767225600000, end: 1767225660000, firing: 'onTime', fields: { clicks: 1, users: 1 } },
    { step: 'perPage', kind: 'window', key: 'home', start: 1767225660000, end: 1767225720000, firing: 'onTime', fields: { clicks: 1, users: 1 } },
    { step: 'perPage', kind: 'window', key: 'home', start: 1767225720000, end: 1767225780000, firing: 'onTime', fields: { clicks: 1, users: 1 } },
  ]);
  const dead = jsonl(join(tmp, 'results.dead-letter.jsonl'));
  assert.deepEqual(dead.map((d) => [d.line, d.reason]), [
    [4, dead[0]!.reason],
    [5, "no event time: field 'ts' is missing"],
  ]);
  assert.match(String(dead[0]!.reason), /^bad JSON: /);
  assert.equal(dead[0]!.file, CLICKS);
  assert.match(r.stderr, /7 records/);
  assert.match(r.stderr, /2 dead-letter records → .*results\.dead-letter\.jsonl/);
});

test('late records beyond the watermark go to the late output when lateOutput is set', () => {
  const pipeline = join(tmp, 'late.pipeline.yaml');
  writeFileSync(pipeline, readFileSync(PIPELINE, 'utf8').replace('outOfOrderness: 15s', 'outOfOrderness: 0'));
  const r = runSw(['replay', CLICKS, '--pipeline', pipeline, '--dead-letter', join(tmp, 'dl.jsonl')]);
  assert.equal(r.status, 0, r.stderr);
  const records = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const late = records.filter((x) => x.kind === 'late');
  assert.deepEqual(late, [
    { step: 'perPage', kind: 'late', key: 'home', event: { ts: '2026-01-01T00:00:59Z', user: 'u3', page: 'home', action: 'click' } },
  ]);
});

test('two runs give byte-identical output', () => {
  const a = runSw(['replay', CLICKS, '--pipeline', PIPELINE, '--dead-letter', join(tmp, 'a.dl')]);
  const b = runSw(['replay', CLICKS, '--pipeline', PIPELINE, '--dead-letter', join(tmp, 'b.dl')]);
  assert.equal(a.status, 0);
  assert.ok(a.stdout.length > 0);
  assert.equal(a.stdout, b.stdout);
});

test('stdin works with --pipeline, and --stats-json writes the run summary', () => {
  const stats = join(tmp, 'stats.json');
  const r = runSw(['replay', '-', '--pipeline', PIPELINE, '--stats-json', stats, '--dead-letter', join(tmp, 'c.dl')], {
    input: readFileSync(CLICKS, 'utf8'),
  });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(readFileSync(stats, 'utf8')) as Record<string, unknown>;
  assert.equal(summary.records, 7);
  assert.equal(summary.deadLetters, 2);
  assert.ok((summary.maxRssBytes as number) > 0);
  assert.equal((summary.steps as { results: number }[])[0]!.results, 4);
});

test('--from/--to keep an event-time range', () => {
  const r = runSw(['replay', CLICKS, '--pipeline', PIPELINE, '--from', '2026-01-01T00:01:00Z', '--to', '2026-01-01T00:02:00Z', '--dead-letter', join(tmp, 'd.dl')]);
  assert.equal(r.status, 0, r.stderr);
  const keys = r.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { start: number }).start);
  assert.deepEqual(keys, [1767225660000]);
});

const FAILURES: Array<[string, string[], number, RegExp]> = [
  ['an invalid spec exits 1 naming file, line and path', ['--pipeline', join(FIXTURES, 'bad-duration.pipeline.yaml')], 1, /bad-duration\.pipeline\.yaml:\d+: steps\.perPage\.window\.size: "1 minute" is not a duration; use 1m/],
  ['a bad expression exits 1 naming its spec path', ['--pipeline', join(FIXTURES, 'bad-expression.pipeline.yaml')], 1, /bad-expression\.pipeline\.yaml: steps\.perPage\.where/],
  ['a bad --speed exits 2', ['--pipeline', PIPELINE, '--speed', 'fast'], 2, /--speed fast: not a speed/],
  ['a bad --from exits 2', ['--pipeline', PIPELINE, '--from', 'yesterday'], 2, /--from yesterday: not a time/],
];

for (const [title, args, code, message] of FAILURES) {
  test(`sw replay: ${title}`, () => {
    const r = runSw(['replay', CLICKS, ...args]);
    assert.equal(r.status, code, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line expected, got: ${r.stderr}`);
  });
}

test('sw replay: an unreadable recording exits 3 with a one-line reason', () => {
  const r = runSw(['replay', join(tmp, 'missing.jsonl'), '--pipeline', PIPELINE]);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /missing\.jsonl: cannot read the recording \(ENOENT\)/);
  assert.ok(!existsSync(join(tmp, 'missing.dead-letter.jsonl')));
});

test('sw replay: without --pipeline and none beside the recording, exit 2 says how to fix it', () => {
  const lonely = join(tmp, 'lonely.jsonl');
  writeFileSync(lonely, '{"ts":1}\n');
  const r = runSw(['replay', lonely]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no pipeline beside it \(looked for lonely\.pipeline\.yaml\); pass --pipeline <spec>/);
});

test('sw --help and sw replay --help show examples', () => {
  const top = runSw(['--help']);
  assert.equal(top.status, 0);
  assert.match(top.stdout, /replay/);
  const help = runSw(['replay', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Examples:\n {2}\$ sw replay/);
});

test('a process function that throws is counted, the run goes on, and the summary quotes the first error', () => {
  const pipeline = join(tmp, 'throws.pipeline.ts');
  writeFileSync(
    pipeline,
    `export default {
  name: 'throws',
  time: { field: 'ts', outOfOrderness: '15s' },
  steps: {
    picky: {
      keyBy: 'user',
      process: () => ({
        processElement(fields, ctx) {
          if (fields.page === 'cart') throw new Error('no carts here');
          ctx.emit({ page: fields.page });
        },
      }),
    },
  },
};
`,
  );
  const r = runSw(['replay', CLICKS, '--pipeline', pipeline, '--dead-letter', join(tmp, 't.dl')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /picky \(process\): 5 results, 7\/7 records passed, 2 expression errors/);
  assert.match(r.stderr, /first error: step picky, line 3: no carts here/);
  assert.ok(r.stdout.split('\n').filter(Boolean).length > 0, 'the records without a cart still produce output');
});
