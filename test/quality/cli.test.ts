import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRules } from '../../src/quality/rules-file.js';
import { compileRules } from '../../src/quality/compile-rules.js';
import { ALL_CHECKS_RULES, merchantsCsv, transactionStream } from './fault-stream.js';

const SW = fileURLToPath(new URL('../../../bin/sw', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sw-quality-cli-'));
writeFileSync(join(dir, 'rules.yaml'), ALL_CHECKS_RULES);
writeFileSync(join(dir, 'merchants.csv'), merchantsCsv());
writeFileSync(join(dir, 'clean.jsonl'), transactionStream(1500).text);
writeFileSync(join(dir, 'faulty.jsonl'), transactionStream(1500, { faults: true, perKind: 1 }).text);

// Only LOW-severity faults: a bad currency pattern (tx_currency is LOW).
const lowOnly = transactionStream(1500).text.replace('"currency":"USD"', '"currency":"usd"');
writeFileSync(join(dir, 'low-only.jsonl'), lowOnly);
writeFileSync(join(dir, 'bad-rules.yaml'), "- {id: p, type: pattern, config: {field_patterns: {a: '(a+)+'}}}\n");

function sw(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [SW, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const rules = join(dir, 'rules.yaml');
const exitCases: Array<{ name: string; args: string[]; code: number; stdout?: RegExp; stderr?: RegExp }> = [
  { name: 'clean data: all pass', args: ['quality', 'check', join(dir, 'clean.jsonl'), '--rules', rules], code: 0, stdout: /PASS\n$/ },
  { name: 'only a LOW rule fails: warnings only', args: ['quality', 'check', join(dir, 'low-only.jsonl'), '--rules', rules], code: 1, stdout: /WARN \(warnings only\)/ },
  { name: 'a LOW failure with --fail-on LOW fails', args: ['quality', 'check', join(dir, 'low-only.jsonl'), '--rules', rules, '--fail-on', 'low'], code: 2 },
  { name: 'CRITICAL and HIGH rules fail: failures', args: ['quality', 'check', join(dir, 'faulty.jsonl'), '--rules', rules], code: 2, stdout: /FAIL \(failing rules at or above HIGH\)/ },
  { name: 'bad rules file: error', args: ['quality', 'check', join(dir, 'clean.jsonl'), '--rules', join(dir, 'bad-rules.yaml')], code: 3, stderr: /bad-rules\.yaml:1: rule "p" \(rules\[0\]\) config\.field_patterns\.a: .*catastrophic backtracking/ },
  { name: 'missing rules file: error', args: ['quality', 'check', join(dir, 'clean.jsonl'), '--rules', join(dir, 'nope.yaml')], code: 3, stderr: /nope\.yaml: cannot read the rules file/ },
  { name: 'unreadable input: error', args: ['quality', 'check', join(dir, 'missing.jsonl'), '--rules', rules], code: 3, stderr: /missing\.jsonl: cannot read the recording/ },
  { name: 'bad --fail-on: error', args: ['quality', 'check', join(dir, 'clean.jsonl'), '--fail-on', 'SEVERE'], code: 3, stderr: /--fail-on SEVERE: expected LOW, MEDIUM, HIGH or CRITICAL/ },
  { name: 'unknown flag: error, not "checks failed"', args: ['quality', 'check', join(dir, 'clean.jsonl'), '--bogus'], code: 3, stderr: /^sw: quality check: unknown option '--bogus'/ },
  { name: '--help exits 0 with examples', args: ['quality', 'check', '--help'], code: 0, stdout: /Examples:\n  \$ sw quality check/ },
];

for (const c of exitCases) {
  test(`sw quality check exit ${c.code}: ${c.name}`, () => {
    const result = sw(c.args);
    assert.equal(result.code, c.code, result.stderr + result.stdout);
    if (c.stdout) assert.match(result.stdout, c.stdout);
    if (c.stderr) {
      assert.match(result.stderr, c.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, 'one-line error');
    }
  });
}

test('standard input, --json: the verdict and exit code agree, malformed lines are listed', () => {
  const result = sw(['quality', 'check', '-', '--rules', rules, '--json'], readFileSync(join(dir, 'faulty.jsonl'), 'utf8'));
  assert.equal(result.code, 2);
  const report = JSON.parse(result.stdout);
  assert.equal(report.exitCode, 2);
  assert.equal(report.verdict, 'FAIL');
  assert.equal(report.input, '-');
  assert.equal(report.records + report.malformed.count, 1500);
  assert.equal(report.malformed.count, 1);
  assert.equal(report.rules.length, 8);
  assert.equal(report.score.basis, 'per-record score (mean of its rules), EMA α = 0.1');
});

test('--markdown renders a table per rule', () => {
  const result = sw(['quality', 'check', join(dir, 'faulty.jsonl'), '--rules', rules, '--markdown']);
  assert.match(result.stdout, /^## Data quality: .*faulty\.jsonl — FAIL/);
  assert.match(result.stdout, /\| tx_duplicates \| duplicates \| CRITICAL \| FAIL \| \d+ \| 1 \| \d+ \|/);
  assert.match(result.stdout, /### Failures by check type/);
});

test('NO_COLOR and a pipe: no escape codes in the terminal report', () => {
  const result = sw(['quality', 'check', join(dir, 'faulty.jsonl'), '--rules', rules]);
  assert.ok(!result.stdout.includes('\u001b['));
  assert.match(result.stdout, /│ tx_schema +│ schema +│ CRITICAL │ FAIL/);
});

test('--quarantine writes each failing record with its line and rule ids', () => {
  const quarantine = join(dir, 'q.jsonl');
  const result = sw(['quality', 'check', join(dir, 'faulty.jsonl'), '--rules', rules, '--quarantine', quarantine]);
  assert.equal(result.code, 2);
  const entries = readFileSync(quarantine, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(entries.length >= 9);
  const duplicate = entries.find((e) => e.rules?.includes('tx_duplicates'));
  assert.equal(typeof duplicate.line, 'number');
  assert.equal(typeof duplicate.record.transaction_id, 'string');
  assert.match(duplicate.messages[0], /duplicate of transaction_id/);
});

test('no --rules: the built-in set is named on stderr and in the report', () => {
  const result = sw(['quality', 'check', join(dir, 'clean.jsonl')]);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /rules: default:financial/);
  assert.match(result.stderr, /used the built-in financial rule set/);
});

test('profile: the starter rule set loads back as valid rules and the profiled data passes it', async () => {
  const out = join(dir, 'profiled.yaml');
  const result = sw(['quality', 'profile', join(dir, 'clean.jsonl'), '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const yaml = readFileSync(out, 'utf8');
  const set = parseRules(yaml, out, dir);
  const compiled = await compileRules(set);
  const types = new Set(set.rules.map((r) => r.type));
  for (const type of ['schema', 'completeness', 'value_range', 'duplicates', 'freshness', 'statistical_anomaly', 'pattern']) assert.ok(types.has(type as never), `profile wrote no ${type} rule`);
  assert.ok(compiled.length >= 7);
  assert.match(yaml, /transaction_type:\n\s+allowed_values:\n\s+- deposit/);
  assert.match(yaml, /key_fields:\n\s+- transaction_id/);
  const check = sw(['quality', 'check', join(dir, 'clean.jsonl'), '--rules', out]);
  assert.equal(check.code, 0, check.stdout);
  const faulty = sw(['quality', 'check', join(dir, 'faulty.jsonl'), '--rules', out]);
  assert.equal(faulty.code, 2, 'the profiled rules catch injected faults');
});

test('profile to stdout from standard input', () => {
  const result = sw(['quality', 'profile', '-'], readFileSync(join(dir, 'clean.jsonl'), 'utf8'));
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^# Starter rules profiled from standard input: 1500 records/);
});

test('freshness clock: piped standard input is live input (now); --event-clock or a redirected file use the stream clock', () => {
  const clockOf = (stdout: string) => (JSON.parse(stdout) as { rules: Array<{ id: string; details: { clock?: string } }> }).rules.find((r) => r.id === 'tx_freshness')!.details.clock;
  const text = readFileSync(join(dir, 'clean.jsonl'), 'utf8');
  const piped = sw(['quality', 'check', '-', '--rules', rules, '--json'], text);
  assert.equal(clockOf(piped.stdout), 'now');
  assert.match(piped.stderr, /standard input is live input; freshness is measured against the wall clock/);
  // The 2026-01-01 records are hours or more behind the wall clock: all stale, a MEDIUM rule, so warnings.
  assert.equal(piped.code, 1);

  const recording = sw(['quality', 'check', '-', '--rules', rules, '--json', '--event-clock'], text);
  assert.equal(clockOf(recording.stdout), 'event time (max seen)');
  assert.equal(recording.code, 0, recording.stderr);

  const fd = openSync(join(dir, 'clean.jsonl'), 'r');
  try {
    const redirected = spawnSync(process.execPath, [SW, 'quality', 'check', '-', '--rules', rules, '--json'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
    assert.equal(clockOf(redirected.stdout), 'event time (max seen)');
    assert.equal(redirected.status, 0, redirected.stderr);
  } finally {
    closeSync(fd);
  }

  const both = sw(['quality', 'check', '-', '--rules', rules, '--now', '--event-clock'], text);
  assert.equal(both.code, 3);
  assert.match(both.stderr, /--now and --event-clock: choose one clock/);
});

// `sw replay --quality` (issue 8): the replay reads the same lines as `sw quality check`, so its
// report must be the same — malformed lines, records the replay dead-letters for want of an event
// time, blank lines and CRLF endings included, with line numbers in the file.
test('sw replay --quality-report equals sw quality check --json on a file with bad lines', () => {
  const stream = transactionStream(1500, { faults: true, perKind: 1 });
  const lines = stream.text.trimEnd().split('\n');
  const extra = new Map<number, string>([
    [200, '[1,2]'],
    [400, ''],
    [600, lines[599]!.replace(/"timestamp":\d+/, '"timestamp":"soon"')],
    [800, `${lines[799]!}\r`],
    [1000, '{"transaction_id": '],
  ]);
  const text = lines.map((line, i) => extra.get(i + 1) ?? line).join('\n') + '\n';
  const file = join(dir, 'bad-lines.jsonl');
  writeFileSync(file, text);
  const pipeline = join(dir, 'tx.pipeline.yaml');
  writeFileSync(pipeline, 'name: tx\ntime: { field: timestamp, outOfOrderness: 5s }\nsteps:\n  perMerchant:\n    keyBy: merchant_id\n    window: { type: tumbling, size: 1m }\n    aggregate: { n: count() }\n');
  const reportPath = join(dir, 'replay-quality.json');
  const replay = sw(['replay', file, '--pipeline', pipeline, '--no-ui', '--out', join(dir, 'replay-out.jsonl'), '--dead-letter', join(dir, 'replay.dl'), '--quality', rules, '--quality-report', reportPath]);
  assert.equal(replay.code, 0, replay.stderr);
  const check = sw(['quality', 'check', file, '--rules', rules, '--json', '--examples', '5']);
  assert.equal(check.code, 2, check.stderr);
  const fromReplay = JSON.parse(readFileSync(reportPath, 'utf8'));
  const fromCheck = JSON.parse(check.stdout);
  assert.deepEqual(fromReplay, fromCheck);

  // The replay dead-lettered lines 200 (a list), 600 (no event time) and 1000 (cut JSON), plus
  // the stream's own malformed fault; the report counts each as `sw quality check` does.
  const deadLetters = readFileSync(join(dir, 'replay.dl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number });
  const malformedFault = stream.faults.find((f) => f.kind === 'malformed')!.line;
  assert.deepEqual(deadLetters.map((d) => d.line).sort((a, b) => a - b), [200, 600, 1000, malformedFault].sort((a, b) => a - b));
  assert.equal(fromReplay.malformed.count, 3);
  assert.deepEqual(fromReplay.malformed.first.map((m: { line: number }) => m.line), [200, 1000, malformedFault].sort((a, b) => a - b));
  assert.equal(fromReplay.records, 1500 - 1 - 3, 'every line but the blank one and the three malformed ones is a record');
  const freshness = fromReplay.rules.find((r: { id: string }) => r.id === 'tx_freshness');
  assert.ok(freshness.firstFailures.some((f: { line: number; message: string }) => f.line === 600), 'the record without an event time is checked, at its line');
  const duplicates = fromReplay.rules.find((r: { id: string }) => r.id === 'tx_duplicates');
  assert.deepEqual(duplicates.firstFailures.map((f: { line: number }) => f.line), stream.faults.filter((f) => f.kind === 'duplicate').map((f) => f.line));
});

test('sw replay --quality-report without --quality is a usage error', () => {
  const result = sw(['replay', join(dir, 'clean.jsonl'), '--pipeline', join(dir, 'tx.pipeline.yaml'), '--no-ui', '--quality-report', join(dir, 'x.json')]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--quality-report goes with --quality <rules\.yaml>/);
});
