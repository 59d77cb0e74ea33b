/**
 * `sw export flink-sql` as a user runs it: the script on stdout or in --out, the report on stderr
 * (exit 0, since the rest of the script is valid), --json, --sample types, and one-line errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSw } from '../cli/run-sw.js';

const tmp = mkdtempSync(join(tmpdir(), 'sw-export-'));

interface Case {
  readonly what: string;
  readonly args: readonly string[];
  readonly status: number;
  readonly stdout?: RegExp;
  readonly stderr?: RegExp;
  /** stderr must be exactly one line. */
  readonly oneLine?: boolean;
}

const BAD = join(tmp, 'bad.pipeline.yaml');
writeFileSync(BAD, "name: bad\ntime: { field: ts, outOfOrderness: 0 }\nsteps:\n  s:\n    where: price = 100\n    window: { type: tumbling, size: 1m }\n    aggregate: { n: count() }\n");
const SAMPLE = join(tmp, 'sample.jsonl');
writeFileSync(SAMPLE, '{"timestamp":"2026-01-01T00:00:00.000Z","userId":"u1","eventType":"content.watched"}\n');

const CASES: readonly Case[] = [
  {
    what: 'writes the script to stdout with the Kafka options',
    args: ['export', 'flink-sql', 'scenarios/binge.pipeline.yaml', '--brokers', 'k1:9092,k2:9092', '--source-topic', 'views', '--sink-topic-prefix', 'out.'],
    status: 0,
    stdout: /'topic' = 'views',[\s\S]*'properties.bootstrap.servers' = 'k1:9092,k2:9092'[\s\S]*'topic' = 'out.binge'/,
    stderr: /^steps\.binge: differs: /m,
  },
  {
    what: 'process steps are reported on stderr, the rest is exported, exit 0',
    args: ['export', 'flink-sql', 'scenarios/financial.pipeline.ts'],
    status: 0,
    stdout: /INSERT INTO metrics_sink/,
    stderr: /^steps\.fraud: not exported: a TypeScript process function[^\n]*DataStream API/m,
  },
  {
    what: 'an invalid spec exits 1 with one line naming the place',
    args: ['export', 'flink-sql', BAD],
    status: 1,
    stderr: /bad\.pipeline\.yaml.*steps\.s\.where.*use == to compare/,
    oneLine: true,
  },
  {
    what: 'a missing pipeline exits 3 with one line',
    args: ['export', 'flink-sql', join(tmp, 'none.pipeline.yaml')],
    status: 3,
    stderr: /cannot read the pipeline/,
    oneLine: true,
  },
  {
    what: '--sample reads ISO time text and casts it',
    args: ['export', 'flink-sql', 'scenarios/binge.pipeline.yaml', '--sample', SAMPLE],
    status: 0,
    stdout: /`timestamp` STRING,[\s\S]*event_time AS CAST\(REPLACE\(REPLACE\(`timestamp`, 'T', ' '\), 'Z', ''\) AS TIMESTAMP\(3\)\)/,
  },
  {
    what: '--help shows examples',
    args: ['export', 'flink-sql', '--help'],
    status: 0,
    stdout: /Examples:\n\s+\$ sw export flink-sql scenarios\/binge\.pipeline\.yaml/,
  },
];

for (const c of CASES) {
  test(`sw export flink-sql: ${c.what}`, () => {
    const r = runSw(c.args);
    assert.equal(r.status, c.status, r.stderr);
    if (c.stdout) assert.match(r.stdout, c.stdout);
    if (c.stderr) assert.match(r.stderr, c.stderr);
    if (c.oneLine) assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  });
}

test('sw export flink-sql --json --out: the report as JSON, the script in the file', () => {
  const out = join(tmp, 'financial.sql');
  const r = runSw(['export', 'flink-sql', 'scenarios/financial.pipeline.ts', '--json', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { pipeline: string; out: string; report: Array<{ step: string; kind: string; reason: string; suggestion: string }> };
  assert.equal(json.pipeline, 'financial');
  assert.equal(json.out, out);
  assert.deepEqual(json.report.map((f) => [f.step, f.kind]), [
    ['fraud', 'unsupported'],
    ['fraud_alerts', 'unsupported'],
  ]);
  assert.match(readFileSync(out, 'utf8'), /^-- step fraud \(process\): not exported$/m);
  assert.equal(r.stderr, '');
});
