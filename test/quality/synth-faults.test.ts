import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runQualityCheck } from '../../src/quality/check-run.js';

/**
 * The built-in rule sets against `sw synth` output with its ground-truth sidecar: every missing
 * field, malformed line and duplicate the synthesizer injected is reported; every late record
 * that is more than 30 s behind the stream clock when it arrives is reported; records only
 * reordered within 3 s (disorder) are not.
 */
const SW = fileURLToPath(new URL('../../../bin/sw', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sw-quality-synth-'));

interface Truth {
  kind?: string;
  line: number;
  time?: number;
}

for (const domain of ['media', 'ecommerce', 'financial'] as const) {
  test(`sw synth ${domain} with faults: the built-in ${domain} rules report every detectable fault and nothing clean`, async () => {
    const out = join(dir, `${domain}.jsonl`);
    const synth = spawnSync(process.execPath, [SW, 'synth', domain, '--seed', '5', '--count', '20000', '--faults', 'late:0.005@40s-5m,dup:0.003,missing:0.003,malformed:0.002,disorder:0.05@0-3s', '--out', out], { encoding: 'utf8' });
    assert.equal(synth.status, 0, synth.stderr);
    const quarantine = join(dir, `${domain}.quarantine.jsonl`);
    const run = await runQualityCheck({ input: out, quarantine });
    assert.equal(run.rulesSource, `default:${domain}`);

    const reported = new Set(readFileSync(quarantine, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { line: number }).line));
    const truth = readFileSync(join(dir, `${domain}.truth.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Truth);
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
    const faults = truth.filter((t) => t.kind !== undefined);
    const mustReport = faults.filter((t) => ['missing', 'malformed', 'duplicate'].includes(t.kind!) || (t.kind === 'late' && (behind.get(t.line) ?? 0) > 30_000));
    const missed = mustReport.filter((t) => !reported.has(t.line));
    assert.deepEqual(missed, [], `${missed.length} faults not reported`);
    assert.ok(mustReport.length > 100);
    const disorderOnly = faults.filter((t) => t.kind === 'disorder' && reported.has(t.line) && !truth.some((o) => o !== t && o.line === t.line));
    assert.deepEqual(disorderOnly, [], 'records reordered within the bound were reported');
    // A reported line must be an injected fault or case, or a byte-for-byte repeat of an earlier
    // line: the ecommerce generator writes a few identical background events (same user, type and
    // millisecond) that its truth file does not list; they are duplicates all the same.
    const truthLines = new Set(truth.map((t) => t.line));
    const lines = readFileSync(out, 'utf8').split('\n');
    const repeats = new Set<number>();
    const seen = new Set<string>();
    lines.forEach((text, at) => {
      if (seen.has(text)) repeats.add(at + 1);
      seen.add(text);
    });
    const unexplained = [...reported].filter((line) => !truthLines.has(line) && !repeats.has(line));
    assert.deepEqual(unexplained, [], 'lines reported without an injected fault or case');
  });
}
