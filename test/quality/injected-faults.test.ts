import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQualityCheck } from '../../src/quality/check-run.js';
import { parseRules } from '../../src/quality/rules-file.js';
import { compileRules } from '../../src/quality/compile-rules.js';
import { QualityMonitor } from '../../src/quality/monitor.js';
import { ALL_CHECKS_RULES, FAULT_CHECKS, merchantsCsv, transactionStream, type FaultKind } from './fault-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-quality-faults-'));
writeFileSync(join(dir, 'rules.yaml'), ALL_CHECKS_RULES);
writeFileSync(join(dir, 'merchants.csv'), merchantsCsv());
const typeOfRule = new Map(parseRules(ALL_CHECKS_RULES, 'rules.yaml', dir).rules.map((r) => [r.id, r.type]));

interface QuarantineEntry {
  line: number;
  rules?: string[];
  error?: string;
}

function readQuarantine(path: string): QuarantineEntry[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as QuarantineEntry);
}

const streams = [
  { name: 'plain JSONL', file: 'faulty.jsonl', gzip: false },
  { name: 'gzip JSONL', file: 'faulty.jsonl.gz', gzip: true },
];

for (const s of streams) {
  test(`every injected fault is reported by its check, and no clean record fails (${s.name}, all eight check types)`, async () => {
    const stream = transactionStream(3000, { faults: true, perKind: 3 });
    const path = join(dir, s.file);
    writeFileSync(path, s.gzip ? gzipSync(stream.text) : stream.text);
    const quarantine = join(dir, `${s.file}.quarantine.jsonl`);
    const run = await runQualityCheck({ input: path, rules: join(dir, 'rules.yaml'), quarantine, examples: 100 });

    const byLine = new Map(readQuarantine(quarantine).map((e) => [e.line, e]));
    for (const fault of stream.faults) {
      const entry = byLine.get(fault.line);
      assert.ok(entry, `fault ${fault.kind} at line ${fault.line} was not reported`);
      if (fault.kind === 'malformed') {
        assert.match(entry.error ?? '', /invalid JSON/);
        continue;
      }
      const types = new Set((entry.rules ?? []).map((id) => typeOfRule.get(id)));
      for (const type of FAULT_CHECKS[fault.kind]) assert.ok(types.has(type), `fault ${fault.kind} at line ${fault.line}: ${type} did not report it (got ${[...types].join(', ')})`);
    }
    const faultLines = new Set(stream.faults.map((f) => f.line));
    const extra = [...byLine.keys()].filter((line) => !faultLines.has(line));
    assert.deepEqual(extra, [], 'clean records were reported as failing');

    const { report } = run;
    assert.equal(report.records + report.malformed.count, stream.lines);
    assert.deepEqual(
      report.malformed.first.map((m) => m.line),
      stream.faults.filter((f) => f.kind === 'malformed').map((f) => f.line),
    );
    for (const type of typeOfRule.values()) assert.ok((report.failuresByType[type] ?? 0) > 0, `no ${type} failure counted`);
    assert.equal(run.rulesSource, join(dir, 'rules.yaml'));
  });
}

test('clean data: no failing record, no malformed line, score near 1 and a stable trend', async () => {
  const stream = transactionStream(3000);
  const path = join(dir, 'clean.jsonl');
  writeFileSync(path, stream.text);
  const { report } = await runQualityCheck({ input: path, rules: join(dir, 'rules.yaml') });
  assert.equal(report.records, 3000);
  assert.equal(report.malformed.count, 0);
  for (const rule of report.rules) {
    assert.equal(rule.failed, 0, `${rule.id} failed on clean data: ${rule.firstFailures.map((f) => `${f.line} ${f.message}`).join('; ')}`);
    assert.equal(rule.status, 'PASS');
  }
  // Freshness scores a passing record 1 − age/max_age (the document's formula): records up to 2 s
  // out of order score ≥ 0.993 on that rule, so a record's mean over 8 rules stays above 0.999.
  assert.ok(report.score.ema > 0.999 && report.score.min > 0.999, JSON.stringify(report.score));
  assert.equal(report.score.direction, 'stable');
});

test('default rules: a financial stream is recognised and the built-in set reports its faults', async () => {
  const stream = transactionStream(3000, { faults: true, perKind: 2 });
  const path = join(dir, 'sniffed.jsonl');
  writeFileSync(path, stream.text);
  const quarantine = join(dir, 'sniffed.quarantine.jsonl');
  const run = await runQualityCheck({ input: path, quarantine });
  assert.equal(run.rulesSource, 'default:financial');
  const lines = new Set(readQuarantine(quarantine).map((e) => e.line));
  // The built-in set has no reference data, so unknown merchants are the one fault it cannot see.
  const expected: FaultKind[] = ['missing_field', 'wrong_type', 'out_of_range', 'bad_pattern', 'duplicate', 'stale', 'outlier', 'null_field', 'malformed'];
  for (const fault of stream.faults.filter((f) => expected.includes(f.kind))) assert.ok(lines.has(fault.line), `${fault.kind} at line ${fault.line} not reported`);
  const clean = await runQualityCheck({ input: join(dir, 'clean.jsonl') });
  assert.equal(clean.rulesSource, 'default:financial');
  assert.deepEqual(clean.report.rules.filter((r) => r.failed > 0).map((r) => r.id), []);
});

test('live use: QualityMonitor.observe one record at a time, snapshot while running, report at the end', async () => {
  const set = parseRules(ALL_CHECKS_RULES, 'rules.yaml', dir);
  const monitor = new QualityMonitor(await compileRules(set));
  const stream = transactionStream(600, { faults: true, perKind: 1 });
  let line = 0;
  let sawFailure = false;
  for (const text of stream.text.trim().split('\n')) {
    line++;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      monitor.observeMalformed(line, 'invalid JSON');
      continue;
    }
    if (monitor.observe(record, line).length > 0) sawFailure = true;
    if (line === 300) {
      const snapshot = monitor.snapshot();
      assert.equal(snapshot.records + snapshot.malformed, 300);
      assert.equal(snapshot.rules.length, 8);
    }
  }
  assert.ok(sawFailure);
  const report = monitor.report();
  assert.equal(report.records + report.malformed.count, 600);
  assert.ok(report.score.min < 1);
  assert.deepEqual(monitor.report().rules.map((r) => r.failed), report.rules.map((r) => r.failed), 'report() can be called again');
});

test('a SQLite recording is checked like its JSONL twin (row seq as the line number)', async () => {
  const { SqliteRecordingWriter } = await import('../../src/replay/sqlite-recording.js');
  const stream = transactionStream(2000, { faults: true, perKind: 1 });
  const db = join(dir, 'faulty.db');
  const writer = new SqliteRecordingWriter(db, { source: 'test' });
  for (const text of stream.text.trim().split('\n')) writer.append({ value: text });
  writer.close();
  const jsonl = join(dir, 'twin.jsonl');
  writeFileSync(jsonl, stream.text);
  const fromDb = await runQualityCheck({ input: db, rules: join(dir, 'rules.yaml'), examples: 100 });
  const fromJsonl = await runQualityCheck({ input: jsonl, rules: join(dir, 'rules.yaml'), examples: 100 });
  assert.deepEqual(
    fromDb.report.rules.map((r) => [r.id, r.failed, r.firstFailures.map((f) => f.line)]),
    fromJsonl.report.rules.map((r) => [r.id, r.failed, r.firstFailures.map((f) => f.line)]),
  );
  assert.deepEqual(fromDb.report.malformed, fromJsonl.report.malformed);
  assert.ok(fromDb.report.checks.failed > 0);
});
