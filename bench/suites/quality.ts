/**
 * Issue 8, "Speed": `sw quality check` with the built-in rules over clean `sw synth` recordings
 * of the three domains (target: at least 300K records/s), beside the bare scan over the same
 * file (read + JSON.parse of every line: the floor any checker that parses records pays), so the
 * checks' own cost shows. Scan and check run in alternating rounds (--runs); each figure is its
 * subject's best round by CPU time, with every round's CPU seconds in the note. `--large` adds
 * the peak RSS over 1M and 4M records (memory constant in the recording's size).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQualityCheck } from '../../src/quality/check-run.js';
import { jsonParsePass } from '../file-passes.js';
import { alternate, startTiming, type Rounds, type Timing } from '../timing.js';
import { throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'quality';

const RECORDS = 1_000_000;
/** --large: the media check's peak RSS over RECORDS and this many records, in fresh processes. */
const LARGE_RECORDS = 4_000_000;
const TARGET_PER_SECOND = 300_000;
const DOMAINS = ['media', 'ecommerce', 'financial'] as const;

interface Pass extends Timing {
  readonly events: number;
}

interface CheckPass extends Pass {
  readonly rulesSource: string;
  readonly rules: number;
  readonly failedChecks: number;
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-quality-'));
  const rows: BenchRow[] = [];
  try {
    for (const domain of DOMAINS) {
      const path = join(dir, `${domain}.jsonl`);
      const bytes = synthesize(options.root, domain, path);
      const loadBefore = loadavg()[0]!;
      const rounds = await alternate<Pass>(options.runs, [
        { name: 'scan', measure: () => jsonParsePass(path) },
        { name: 'check', measure: () => checkPass(path) },
      ]);
      const load = `load ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`;
      const scan = rounds.get('scan')!;
      const check = rounds.get('check')! as Rounds<CheckPass>;
      const best = check.bestCpu;
      const perCpuSecond = best.events / best.cpuSeconds!;
      const scanRow = bestRow(`${domain}: scan (read + JSON.parse)`, scan, `${Math.round(bytes / scan.bestCpu.events)} bytes/record`);
      const checkRow = bestRow(`${domain}: check, built-in rules`, check, [
        `${best.rulesSource}, ${best.rules} rules, ${best.failedChecks} failed checks`,
        `${perCpuSecond >= TARGET_PER_SECOND ? 'meets' : 'BELOW'} the ${TARGET_PER_SECOND / 1000}K records/s target per CPU-second`,
        load,
      ], true);
      rows.push(scanRow, checkRow, {
        suite: name,
        subject: `${domain}: check / scan`,
        ratio: checkRow.eventsPerSec! / scanRow.eventsPerSec!,
        cpuRatio: checkRow.eventsPerCpuSec! / scanRow.eventsPerCpuSec!,
      });
    }
    if (options.large) rows.push(...memoryRows(options.root, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * Peak RSS of `sw quality check` (media, built-in rules) over 1M and 4M records, each in a fresh
 * process: memory is constant in the recording's size apart from the duplicate window, which
 * holds the keys of the last hour of event time (its peak is in the note).
 */
function memoryRows(root: string, dir: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const records of [RECORDS, LARGE_RECORDS]) {
    const path = join(dir, `media-${records}.jsonl`);
    synthesize(root, 'media', path, records);
    const script = `const { runQualityCheck } = await import(${JSON.stringify(new URL('../../src/quality/check-run.js', import.meta.url).href)});
const run = await runQualityCheck({ input: ${JSON.stringify(path)} });
const peaks = run.report.rules.map((rule) => rule.details.peak_keys).filter((n) => n !== undefined);
console.log(JSON.stringify({ records: run.report.records, rss: process.resourceUsage().maxRSS * 1024, peakKeys: Math.max(...peaks) }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`quality check over ${records} records failed: ${child.stderr.trim().split('\n')[0]}`);
    const measured = JSON.parse(child.stdout) as { records: number; rss: number; peakKeys: number };
    rows.push({
      suite: name,
      subject: `media: peak RSS over ${records / 1_000_000}M records`,
      events: measured.records,
      maxRssBytes: measured.rss,
      note: `fresh process; ${measured.peakKeys.toLocaleString('en')} keys at most in a duplicate window (1 h of event time)`,
    });
    rmSync(path, { force: true });
  }
  return rows;
}

/** A clean recording from `sw synth` (seed 7: the same bytes every run), the shapes the built-in rule sets check. */
function synthesize(root: string, domain: string, path: string, records = RECORDS): number {
  const synth = spawnSync(process.execPath, [join(root, 'bin', 'sw'), 'synth', domain, '--seed', '7', '--count', String(records), '--out', path], { encoding: 'utf8' });
  if (synth.status !== 0) throw new Error(`sw synth ${domain} failed (is dist/ built?): ${synth.stderr.trim().split('\n')[0]}`);
  return statSync(path).size;
}

/** `sw quality check` without a rules file: the built-in set is chosen by sniffing, as on the command line. */
async function checkPass(path: string): Promise<CheckPass> {
  const stop = startTiming();
  const checked = await runQualityCheck({ input: path });
  const { report } = checked;
  return { events: report.records, rulesSource: checked.rulesSource, rules: report.rules.length, failedChecks: report.checks.failed, ...stop() };
}

/** The check rows carry the process's peak RSS so far (the scan holds one block; the check adds its duplicate windows). */
function bestRow(subject: string, rounds: Rounds<Pass>, note: string | readonly string[], rss = false): BenchRow {
  const { bestCpu, bestWall, samples } = rounds;
  const spread = samples.map((s) => (s.cpuSeconds ?? s.seconds).toFixed(2)).join(', ');
  const notes = [...(typeof note === 'string' ? [note] : note), `best of ${samples.length}; CPU s by round: ${spread}`];
  return throughputRow(name, subject, bestCpu.events, { seconds: bestWall.seconds, ...(bestCpu.cpuSeconds === undefined ? {} : { cpuSeconds: bestCpu.cpuSeconds }) }, {
    ...(rss ? { maxRssBytes: process.resourceUsage().maxRSS * 1024 } : {}),
    note: notes.join('; '),
  });
}
