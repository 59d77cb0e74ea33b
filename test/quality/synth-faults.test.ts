import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runQualityCheck } from '../../src/quality/check-run.js';
import { exitCodeFor } from '../../src/quality/monitor.js';
import { builtInRules } from '../../src/quality/default-rules.js';
import type { CheckType } from '../../src/quality/rule.js';

/**
 * The built-in rule sets against `sw synth` output with its ground-truth sidecar: every missing
 * field, malformed line and duplicate the synthesizer injected is reported, by the check type
 * that owns it; every late record that is more than 30 s behind the stream clock when it arrives
 * is reported; records only reordered within 3 s (disorder) are not; and nothing else is: clean
 * synthesized data (200,000 events a domain here, 1M in the bench suite `quality`) exits 0 with no failing
 * record beyond the injected cases' outlying amounts.
 */
const SW = fileURLToPath(new URL('../../../bin/sw', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sw-quality-synth-'));

interface Truth {
  kind?: string;
  line: number;
  time?: number;
  field?: string;
  lines?: number[];
}

interface QuarantineEntry {
  line: number;
  rules?: string[];
  error?: string;
}

function readJsonl<T>(path: string): T[] {
  const text = readFileSync(path, 'utf8').trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as T);
}

function synth(domain: string, out: string, count: number, faults?: string): void {
  // Noon: financial accounts transact in their own hours (from 06-09 to 20-02 UTC), so a run
  // starting at the default 06:00 would have almost no transactions for the first half hour.
  const args = [SW, 'synth', domain, '--seed', '5', '--count', String(count), '--start', '2026-01-01T12:00:00Z', '--out', out, ...(faults ? ['--faults', faults] : [])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
}

/**
 * The check types a fault may fail, and must fail at least one of: a removed field is schema's
 * and completeness's (and freshness's when it is the time, which has no age then); a duplicate is
 * the duplicate check's; a late record is stale. Case records fail only as outlying amounts
 * (financial amount_outlier and large_then_small are built to stand out).
 */
function allowedTypes(truth: Truth): readonly CheckType[] {
  switch (truth.kind) {
    case 'missing':
      return truth.field === 'timestamp' ? ['schema', 'completeness', 'freshness'] : ['schema', 'completeness'];
    case 'duplicate':
      return ['duplicates'];
    case 'late':
      return ['freshness'];
    default:
      return ['statistical_anomaly'];
  }
}

const cases = [
  { domain: 'media', faults: 'late:0.005@40s-5m,dup:0.003,missing:0.003,malformed:0.002,disorder:0.05@0-3s' },
  { domain: 'ecommerce', faults: 'late:0.005@40s-5m,dup:0.003,missing:0.003,malformed:0.002,disorder:0.05@0-3s' },
  { domain: 'financial', faults: 'late:0.005@40s-5m,dup:0.003,missing:0.003,malformed:0.002,disorder:0.05@0-3s' },
] as const;

for (const { domain, faults } of cases) {
  const typeOfRule = new Map(builtInRules(domain).rules.map((r) => [r.id, r.type]));

  test(`sw synth ${domain} with faults: the built-in ${domain} rules report every detectable fault, by its check, and nothing clean`, async () => {
    const out = join(dir, `${domain}.jsonl`);
    synth(domain, out, 20_000, faults);
    const quarantine = join(dir, `${domain}.quarantine.jsonl`);
    const run = await runQualityCheck({ input: out, quarantine });
    assert.equal(run.rulesSource, `default:${domain}`);

    const entries = readJsonl<QuarantineEntry>(quarantine);
    const reported = new Map(entries.map((e) => [e.line, e]));
    const truth = readJsonl<Truth>(join(dir, `${domain}.truth.jsonl`));
    // How far behind the stream clock each line arrives, from the file itself.
    const behind = new Map<number, number>();
    let clock = Number.NEGATIVE_INFINITY;
    readFileSync(out, 'utf8').split('\n').forEach((text, at) => {
      try {
        const time = (JSON.parse(text) as { timestamp?: number }).timestamp;
        if (typeof time !== 'number') return;
        clock = Math.max(clock, time);
        behind.set(at + 1, clock - time);
      } catch {
        // malformed lines are checked through the truth file
      }
    });
    const injected = truth.filter((t) => ['missing', 'malformed', 'duplicate', 'late', 'disorder'].includes(t.kind!));
    const mustReport = injected.filter((t) => ['missing', 'malformed', 'duplicate'].includes(t.kind!) || (t.kind === 'late' && (behind.get(t.line) ?? 0) > 30_000));
    const missed = mustReport.filter((t) => !reported.has(t.line));
    assert.deepEqual(missed, [], `${missed.length} faults not reported`);
    for (const kind of ['missing', 'malformed', 'duplicate', 'late']) assert.ok(mustReport.some((t) => t.kind === kind), `no ${kind} fault was injected`);
    assert.ok(mustReport.length > 100);
    for (const t of mustReport.filter((t) => t.kind === 'malformed')) assert.match(reported.get(t.line)!.error ?? '', /invalid JSON/);

    // Every reported line is explained by the truth at that line, and fails only the checks its
    // fault (or case) belongs to: a clean field never shows up as a side effect.
    const explanations = new Map<number, Truth[]>();
    for (const t of truth) for (const line of t.kind === 'traffic_spike' ? [] : t.lines ?? [t.line]) explanations.set(line, [...(explanations.get(line) ?? []), t]);
    for (const entry of entries) {
      const why = explanations.get(entry.line) ?? [];
      assert.ok(why.length > 0, `line ${entry.line} reported (${(entry.rules ?? [entry.error]).join(', ')}) without an injected fault or case`);
      if (entry.error !== undefined) continue;
      const allowed = new Set(why.flatMap(allowedTypes));
      const types = (entry.rules ?? []).map((id) => typeOfRule.get(id)!);
      assert.ok(types.every((type) => allowed.has(type)), `line ${entry.line} (${why.map((t) => t.kind).join(', ')}) failed ${types.join(', ')}`);
    }
    const disorderOnly = injected.filter((t) => t.kind === 'disorder' && reported.has(t.line) && (explanations.get(t.line) ?? []).length === 1);
    assert.deepEqual(disorderOnly, [], 'records reordered within the bound were reported');
  });

  test(`sw synth ${domain} without faults: 200,000 clean events pass every built-in rule (exit 0)`, async () => {
    const out = join(dir, `${domain}-clean.jsonl`);
    synth(domain, out, 200_000);
    const quarantine = join(dir, `${domain}-clean.quarantine.jsonl`);
    const { report } = await runQualityCheck({ input: out, quarantine });
    assert.equal(report.malformed.count, 0);
    // Every rule saw records (each shape is in the stream) and passed.
    assert.deepEqual(report.rules.filter((r) => r.status !== 'PASS').map((r) => `${r.id}: ${r.status} ${r.summary}`), []);
    assert.equal(exitCodeFor(report, 'LOW'), 0);
    // The only failing records are injected cases built to stand out (financial amounts).
    const caseLines = new Set(readJsonl<Truth>(join(dir, `${domain}-clean.truth.jsonl`)).flatMap((t) => t.lines ?? []));
    const unexplained = readJsonl<QuarantineEntry>(quarantine).filter((e) => !caseLines.has(e.line) || (e.rules ?? []).some((id) => typeOfRule.get(id) !== 'statistical_anomaly'));
    assert.deepEqual(unexplained, [], 'clean records failed a rule');
  });
}
