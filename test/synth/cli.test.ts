import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRecording } from '../../src/replay/sqlite-recording.js';

const bin = resolve('bin/sw');
const dir = mkdtempSync(join(tmpdir(), 'sw-synth-cli-'));
const sw = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('sw synth --help shows the usage and examples', () => {
  const run = sw('synth', '--help');
  assert.equal(run.status, 0);
  assert.match(run.stdout, /Usage: sw synth \[options\] <domain>/);
  assert.match(run.stdout, /Examples:\n {2}\$ sw synth media --seed 7/);
});

test('writes JSONL and the truth sidecar beside it; the same command twice gives the same bytes', () => {
  const args = ['synth', 'financial', '--seed', '5', '--count', '5000', '--faults', 'dup:0.01,malformed:0.01', '--cases', '1', '--quiet'];
  const first = sw(...args, '--out', join(dir, 'a.jsonl'));
  assert.equal(first.status, 0, first.stderr);
  const second = sw(...args, '--out', join(dir, 'b.jsonl'));
  assert.equal(second.status, 0, second.stderr);
  const duplicates = readFileSync(join(dir, 'a.truth.jsonl'), 'utf8').match(/"kind":"duplicate"/g)?.length ?? 0;
  assert.ok(duplicates > 10);
  assert.equal(readFileSync(join(dir, 'a.jsonl'), 'utf8').split('\n').length - 1, 5000 + duplicates);
  assert.equal(sha(join(dir, 'a.jsonl')), sha(join(dir, 'b.jsonl')));
  assert.equal(sha(join(dir, 'a.truth.jsonl')), sha(join(dir, 'b.truth.jsonl')));
});

test('stdout output without --truth writes no sidecar; --truth names one', () => {
  const run = sw('synth', 'media', '--seed', '1', '--count', '300', '--truth', join(dir, 'stdout.truth.jsonl'), '--faults', 'malformed:0.05');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trimEnd().split('\n').length, 300);
  assert.match(run.stderr, /^sw synth: 300 lines \(300 events\) of media to stdout/);
  assert.ok(readFileSync(join(dir, 'stdout.truth.jsonl'), 'utf8').includes('"malformed"'));
});

test('--out x.db writes a SQLite recording with the same records as JSONL', () => {
  // Two hours at 1/s: buyers take > 15 min to order, so all three streams appear.
  const args = ['synth', 'ecommerce', '--seed', '2', '--duration', '2h', '--rate', 'constant:1/s', '--entities', '100', '--quiet'];
  assert.equal(sw(...args, '--out', join(dir, 'r.jsonl')).status, 0);
  const run = sw(...args, '--out', join(dir, 'r.db'));
  assert.equal(run.status, 0, run.stderr);
  assert.ok(existsSync(join(dir, 'r.truth.jsonl')));
  const jsonl = readFileSync(join(dir, 'r.jsonl'), 'utf8').trimEnd().split('\n');
  const rows = [...readRecording(join(dir, 'r.db'))];
  assert.deepEqual(rows.map((r) => r.value), jsonl);
  assert.deepEqual(rows.map((r) => r.timestamp), jsonl.map((l) => JSON.parse(l).timestamp));
  assert.deepEqual(new Set(rows.map((r) => r.topic)), new Set(['user_events', 'product_analytics', 'order_events']));
});

test('bad input: exit 2 and one line on stderr naming the problem', () => {
  const cases: Array<[string[], RegExp]> = [
    [['synth', 'sports', '--seed', '1', '--count', '10'], /unknown domain/],
    [['synth', 'media', '--count', '10'], /--seed <n> is required/],
    [['synth', 'media', '--seed', '1'], /exactly one of --count/],
    [['synth', 'media', '--seed', '1', '--count', '10', '--duration', '1h'], /exactly one of --count/],
    [['synth', 'media', '--seed', 'x', '--count', '10'], /--seed x: expected a whole number/],
    [['synth', 'media', '--seed', '1', '--duration', '3 days'], /--duration: "3 days" is not a duration/],
    [['synth', 'media', '--seed', '1', '--count', '10', '--rate', 'fast'], /--rate fast: unknown profile/],
    [['synth', 'media', '--seed', '1', '--count', '10', '--faults', 'lost:0.1'], /--faults lost:0.1/],
    [['synth', 'media', '--seed', '1', '--count', '10', '--out', 'x.csv'], /--out x.csv: end the name in .jsonl/],
    [['synth', 'media', '--seed', '1', '--count', '10', '--start', 'yesterday'], /--start yesterday: not a time/],
  ];
  for (const [args, message] of cases) {
    const run = sw(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
});
