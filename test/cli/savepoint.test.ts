/**
 * `sw savepoint list | inspect | create` as a person and a script see them: the table and the
 * --json forms, an unusable file in the folder, help with examples, one-line errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSw } from './run-sw.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-savepoint-cli-'));
const savepoints = join(dir, 'sp');
const pipeline = join(dir, 'p.pipeline.yaml');
writeFileSync(
  pipeline,
  `name: cli
time: { field: ts, outOfOrderness: 2s }
steps:
  counts:
    keyBy: k
    window: { type: tumbling, size: 10s }
    aggregate: { n: count() }
  pairs:
    keyBy: k
    pattern:
      within: 1m
      stages:
        - { name: a, where: "v == 1" }
        - { name: b, contiguity: followedBy, where: "v == 2" }
`,
);
const recording = join(dir, 'events.jsonl');
writeFileSync(recording, Array.from({ length: 300 }, (_, i) => JSON.stringify({ ts: 1_767_225_600_000 + i * 1000, k: `k${i % 4}`, v: i % 3 })).join('\n') + '\n');
const made = runSw(['replay', recording, '--pipeline', pipeline, '--out', join(dir, 'out.jsonl'), '--no-ui', '--savepoint-at', '150', '--savepoint-dir', savepoints, '--savepoint-name', 'half']);
assert.equal(made.status, 0, made.stderr);
writeFileSync(join(savepoints, 'broken.savepoint.json'), '{"format":"sw-savepoint","version":1,"checksum":"00"}\n{}\n');

test('sw savepoint list: a table oldest first, unusable files with their problem, and --json', () => {
  const table = runSw(['savepoint', 'list', '--dir', savepoints]);
  assert.equal(table.status, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^name\s+created\s+records\s+watermark\s+steps\s+bytes\s+recording$/);
  assert.match(table.stdout, /half\s+\S+Z\s+150\s+2026-01-01T00:02:26\.999Z\s+2\s+\d+\s+.*events\.jsonl/);
  assert.match(table.stdout, /broken\s+-\s+-\s+-\s+-\s+\d+\s+unusable: the savepoint is corrupted or partly written/);
  const json = JSON.parse(runSw(['savepoint', 'list', '--dir', savepoints, '--json']).stdout) as { name: string; records: number; problem: string | null }[];
  assert.deepEqual(
    json.map((l) => [l.name, l.records, l.problem === null]),
    [
      ['broken', 0, false],
      ['half', 150, true],
    ],
  );
  const empty = runSw(['savepoint', 'list', '--dir', join(dir, 'none')]);
  assert.equal(empty.status, 0);
  assert.match(empty.stdout, /no savepoints in .*none\/ \(make one with sw savepoint create or sw replay --savepoint-at\)/);
});

test('sw savepoint inspect: recording, pipeline, position, watermark and per-step state', () => {
  const file = join(savepoints, 'half.savepoint.json');
  const text = runSw(['savepoint', 'inspect', file]);
  assert.equal(text.status, 0, text.stderr);
  const expected = [
    /^savepoint half \(.*half\.savepoint\.json\)$/m,
    /^ {2}created {5}\S+ from stopped replay \(--savepoint-at\)$/m,
    /^ {2}recording {3}.*events\.jsonl$/m,
    /^ {2}pipeline {4}.*p\.pipeline\.yaml \(hash [0-9a-f]{16}\)$/m,
    /^ {2}position {4}after record 150, line 150, byte \d+$/m,
    /^ {2}watermark {3}2026-01-01T00:02:26\.999Z \(max event time 2026-01-01T00:02:29\.000Z\)$/m,
    /^step\s+kind\s+keyBy\s+keys\s+entries\s+bytes\s+state$/m,
    /^counts\s+window\s+k\s+4\s+4\s+\d+\s+4 open windows$/m,
    // A linear pattern's keys are saved in the linear matcher's form (linear-snapshot-copy.ts).
    /^pairs\s+pattern\s+k\s+3\s+\d+\s+\d+\s+\d+ partial matches over \d+ events \(linear form\), \d+ records waiting for the watermark$/m,
  ];
  for (const line of expected) assert.match(text.stdout, line);
  const json = JSON.parse(runSw(['savepoint', 'inspect', file, '--json']).stdout) as {
    position: { records: number; line: number };
    watermark: number;
    steps: { step: string; kind: string; keys: number; shape: { window?: string; stages?: string[] } }[];
  };
  assert.deepEqual(json.position.records, 150);
  assert.equal(json.watermark, Date.parse('2026-01-01T00:02:26.999Z'));
  assert.deepEqual(
    json.steps.map((s) => [s.step, s.kind, s.keys, s.shape.window ?? s.shape.stages]),
    [
      ['counts', 'window', 4, 'tumbling 10s'],
      ['pairs', 'pattern', 3, ['a first once', 'b followedBy once']],
    ],
  );
});

test('every savepoint command has --help with examples; errors are one line with the fix', () => {
  for (const args of [['savepoint'], ['savepoint', 'create'], ['savepoint', 'list'], ['savepoint', 'inspect']]) {
    const help = runSw([...args, '--help']);
    assert.equal(help.status, 0, args.join(' '));
    assert.match(help.stdout, /Examples:\n\s+\$ sw /, args.join(' '));
  }
  const cases: [string, string[], number, RegExp][] = [
    ['inspect a missing file', ['savepoint', 'inspect', join(dir, 'nope.savepoint.json')], 3, /cannot read the savepoint \(ENOENT\); check the path, or list them with sw savepoint list/],
    ['create from a missing store', ['savepoint', 'create', join(dir, 'nope.db')], 3, /no such checkpoint store; pass the --checkpoint-db of a run/],
    ['create with a bad name', ['savepoint', 'create', join(dir, 'nope.db'), '--name', 'a b'], 2, /--name a b: a savepoint name is letters, digits, '\.', '_' and '-'; e\.g\. --name before-v2/],
  ];
  for (const [name, args, status, message] of cases) {
    const r = runSw(args);
    assert.equal(r.status, status, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.equal(r.stderr.trim().split('\n').length, 1, name);
  }
});
