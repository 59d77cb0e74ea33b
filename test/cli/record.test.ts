import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecording } from '../../src/replay/sqlite-recording.js';
import { FIXTURES, runSw } from './run-sw.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-cli-record-'));
const clicks = readFileSync(join(FIXTURES, 'clicks.jsonl'), 'utf8');
const clickLines = clicks.split('\n').filter((l) => l.trim() !== '');

test('sw record stdin --out x.db < in.jsonl, then sw replay x.db gives the same outputs as the JSONL', () => {
  const db = join(dir, 'clicks.db');
  const recorded = runSw(['record', 'stdin', '--out', db, '--key-field', 'user', '--time-field', 'ts'], { input: clicks });
  assert.equal(recorded.status, 0, recorded.stderr);
  assert.match(recorded.stderr, new RegExp(`recorded ${clickLines.length} records into`));
  const rows = [...readRecording(db)];
  assert.deepEqual(rows.map((r) => r.value), clickLines);
  assert.equal(rows[0]!.key, 'u1');
  assert.equal(rows[0]!.timestamp, Date.parse('2026-01-01T00:00:01Z'));
  const pipeline = join(FIXTURES, 'clicks.pipeline.yaml');
  // Dead letters go to the temporary folder, not the working directory (the repository).
  const fromDb = runSw(['replay', db, '--pipeline', pipeline, '--no-ui', '--dead-letter', join(dir, 'db.dead-letter.jsonl')]);
  const fromJsonl = runSw(['replay', join(FIXTURES, 'clicks.jsonl'), '--no-ui', '--dead-letter', join(dir, 'jsonl.dead-letter.jsonl')]);
  assert.equal(fromDb.status, 0, fromDb.stderr);
  assert.ok(fromJsonl.stdout.length > 0);
  assert.equal(fromDb.stdout, fromJsonl.stdout);
});

test('sw record file converts JSONL to JSONL or SQLite; replay --out results.db writes the outputs table', () => {
  const db = join(dir, 'file.db');
  const converted = runSw(['record', 'file', join(FIXTURES, 'clicks.jsonl'), '--out', db, '--json']);
  assert.equal(converted.status, 0, converted.stderr);
  assert.equal(JSON.parse(converted.stderr).messages, clickLines.length);
  const results = join(dir, 'results.db');
  const replayed = runSw(['replay', db, '--pipeline', join(FIXTURES, 'clicks.pipeline.yaml'), '--out', results, '--no-ui']);
  assert.equal(replayed.status, 0, replayed.stderr);
  assert.equal(replayed.stdout, '');
});

const errors: Array<{ args: string[]; status: number; stderr: RegExp }> = [
  { args: ['record', 'kafka', '--brokers', 'localhost', '--topic', 't', '--out', 'x.db'], status: 2, stderr: /--brokers localhost: 'localhost' is not host:port/ },
  { args: ['record', 'kafka', '--brokers', 'a:1', '--topic', 't', '--group', 'g', '--from-beginning', '--out', 'x.db'], status: 2, stderr: /--group and --from-beginning exclude each other/ },
  { args: ['record', 'kafka', '--brokers', 'a:1', '--topic', 't', '--from-timestamp', 'yesterday', '--out', 'x.db'], status: 2, stderr: /--from-timestamp yesterday: not a time/ },
  { args: ['record', 'kafka', '--brokers', 'a:1', '--topic', 't', '--count', '0', '--out', 'x.db'], status: 2, stderr: /--count 0: not a positive whole number/ },
  { args: ['record', 'kafka', '--brokers', 'a:1', '--topic', 't', '--duration', 'soon', '--out', 'x.db'], status: 2, stderr: /--duration soon: not a duration/ },
  { args: ['record', 'kafka', '--brokers', 'a:1', '--topic', 't', '--sasl', 'plain', '--out', 'x.db'], status: 2, stderr: /--sasl plain needs --username/ },
  { args: ['record', 'kafka', '--brokers', 'a:1', '--topic', 't', '--out', 'x.db', '--envelope'], status: 2, stderr: /--envelope is for JSONL/ },
  { args: ['record', 'kafka', '--topic', 't', '--out', 'x.db'], status: 2, stderr: /required option '--brokers <list>'/ },
  { args: ['record', 'stdin'], status: 2, stderr: /required option '-o, --out <file>'/ },
  { args: ['record', 'file', 'nope.jsonl', '--out', join(tmpdir(), 'nope.db')], status: 3, stderr: /nope.jsonl: cannot read the recording \(ENOENT\)/ },
  { args: ['replay', join(FIXTURES, 'clicks.jsonl'), '--sink', 'kafka', '--no-ui'], status: 2, stderr: /--sink kafka needs --brokers/ },
  { args: ['replay', join(FIXTURES, 'clicks.jsonl'), '--sink', 'pulsar', '--no-ui'], status: 2, stderr: /--sink pulsar: unknown sink/ },
  { args: ['replay', join(FIXTURES, 'clicks.jsonl'), '--topic', 't', '--no-ui'], status: 2, stderr: /--topic needs --sink kafka/ },
  { args: ['replay', join(FIXTURES, 'clicks.jsonl'), '--sink', 'kafka', '--brokers', 'a:1', '--topic', 't', '--retime', 'later', '--no-ui'], status: 2, stderr: /--retime later: use --retime now/ },
];

for (const c of errors) {
  test(`sw ${c.args.slice(0, 2).join(' ')}: ${c.stderr.source.slice(0, 50)} → exit ${c.status}`, () => {
    const result = runSw(c.args);
    assert.equal(result.status, c.status, result.stderr);
    assert.match(result.stderr, c.stderr);
    assert.equal(result.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help')).length, 1, 'one line');
  });
}

test('an unreachable broker is exit 3 with one line naming the brokers', () => {
  const out = join(dir, 'unreachable.db');
  const result = runSw(['record', 'kafka', '--brokers', '127.0.0.1:1', '--topic', 't', '--from-beginning', '--count', '1', '--out', out]);
  assert.equal(result.status, 3);
  assert.match(result.stderr, /^sw: 127\.0\.0\.1:1: recording t failed \(.*ECONNREFUSED.*\); check --brokers/);
  assert.deepEqual([...readRecording(out)], [], 'the recording exists and is closed');
});

test('--help of record and its subcommands shows examples', () => {
  for (const args of [['record', '--help'], ['record', 'kafka', '--help'], ['record', 'stdin', '--help'], ['record', 'file', '--help'], ['replay', '--help']]) {
    const result = runSw(args);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /Examples?:/);
  }
  assert.match(runSw(['record', 'kafka', '--help']).stdout, /--from-timestamp <t>[\s\S]*--sasl <mechanism>[\s\S]*SW_KAFKA_PASSWORD/);
  assert.match(runSw(['replay', '--help']).stdout, /--sink <kafka>[\s\S]*--retime <now>/);
});

writeFileSync(join(dir, '.keep'), '');
