/**
 * `sw quality check` throughput with the built-in rules
 * over clean `sw synth` recordings of the three domains (target: ≥ 300K records/s, issue 8).
 * Run: `npx tsc -p . && node dist/bench/quality.js [records]`.
 * Side by side in one run: the bare scan (read + JSON.parse, the floor any checker pays) and the
 * full check, so the checks' own cost is visible.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQualityCheck } from '../src/quality/check-run.js';
import { scanRecords } from '../src/quality/record-stream.js';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const SW = fileURLToPath(new URL('../../bin/sw', import.meta.url));
const DOMAINS = ['media', 'ecommerce', 'financial'] as const;

/** A clean recording from `sw synth` (deterministic: seed 7), the shapes the built-in rule sets check. */
function generate(path: string, domain: string): number {
  const synth = spawnSync(process.execPath, [SW, 'synth', domain, '--seed', '7', '--count', String(COUNT), '--out', path], { encoding: 'utf8' });
  if (synth.status !== 0) throw new Error(`sw synth ${domain} failed: ${synth.stderr}`);
  return statSync(path).size;
}

/**
 * Wall seconds and CPU seconds (user + system) of a run. On a shared, loaded machine the wall
 * time counts other processes' turns on the CPU; the CPU time is this run's own work, so both
 * are printed.
 */
async function time(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await fn();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (cpu.user + cpu.system) / 1e6 };
}

const dir = mkdtempSync(join(tmpdir(), 'sw-quality-bench-'));
try {
  for (const domain of DOMAINS) {
    const path = join(dir, `${domain}.jsonl`);
    const bytes = generate(path, domain);
    let records = 0;
    const scan = await time(() => scanRecords(path, { record: () => void records++, malformed: () => {} }));
    let ruleSet = '';
    let rules = 0;
    let failed = 0;
    const check = await time(async () => {
      const run = await runQualityCheck({ input: path });
      ruleSet = run.rulesSource;
      rules = run.report.rules.length;
      failed = run.report.checks.failed;
    });
    const rate = (t: { wall: number; cpu: number }) => `${Math.round(COUNT / t.wall / 1000)}K records/s wall, ${Math.round(COUNT / t.cpu / 1000)}K per CPU-second`;
    console.log(
      `${domain.padEnd(9)} ${COUNT} records (${(bytes / 1e6).toFixed(0)} MB), load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs\n` +
        `  scan only (read + JSON.parse): ${rate(scan)}\n` +
        `  check (${ruleSet}, ${rules} rules, ${failed} failed checks): ${rate(check)}; ` +
        `${COUNT / check.cpu >= 300_000 ? 'meets' : 'below'} the 300K records/s target (per CPU-second); ` +
        `check/scan CPU ratio ${(scan.cpu / check.cpu).toFixed(2)}; max RSS so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
