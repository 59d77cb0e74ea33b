/**
 * Issue 3: the pattern operator (binge, its operator shell alone, and followedByAny over 2M
 * generated events; see bench/cep.ts), and the whole CLI path: `sw replay` of the 2M-event
 * activity file through bench/pipelines/binge.pipeline.yaml, output to /dev/null, as events per
 * CPU-second of the whole process (start-up, reading, CEL conditions, the operator, output JSON).
 * The engine rows are each the best of --runs runs (at least 3) after a warm-up run on other data
 * (bench/cep.ts); the CLI row the best of --runs whole processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureActivityFile } from '../activity-file.js';
import { BINGE, runCepBench, SHELL } from '../cep.js';
import { childCpuSeconds, fastestOf, type Timing } from '../timing.js';
import { throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'cep';

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const rows = runCepBench(2_000_000, '', Math.max(options.runs, 3)).map((r) =>
    throughputRow(name, r.subject, r.events, { seconds: r.seconds, cpuSeconds: r.cpuSeconds }, {
      maxRssBytes: r.maxRssBytes,
      note: `${r.matches.toLocaleString('en')} matches; peak heap ${Math.round(r.peakHeapBytes / 1048576)} MB${r.subject === BINGE ? '; target ≥ 1M events/s' : r.subject === SHELL ? '; target ≥ 3M events/CPU-s' : ''}`,
    }),
  );
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const cli = await fastestOf(options.runs, () => replayBinge(options.root, file.path));
  rows.push(
    throughputRow(name, 'sw replay binge (CLI, whole process, 2M activity file)', file.events, cli, {
      maxRssBytes: cli.maxRssBytes,
      note: 'CPU time of the whole process, start-up included; output to /dev/null',
    }),
  );
  return rows;
}

interface CliRun extends Timing {
  readonly maxRssBytes: number;
}

/** One `sw replay` as a child process: wall time around it, CPU time from /proc (the child's user + system), peak RSS from --stats-json. */
function replayBinge(root: string, path: string): CliRun {
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-cep-'));
  try {
    const stats = join(dir, 'stats.json');
    const cpuBefore = childCpuSeconds();
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      ['bin/sw', 'replay', path, '--pipeline', 'bench/pipelines/binge.pipeline.yaml', '--speed', 'max', '--no-ui', '--out', '/dev/null', '--stats-json', stats],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const seconds = (performance.now() - started) / 1000;
    if (child.status !== 0) throw new Error(`sw failed: ${(child.stderr ?? '').trim().split('\n').pop() ?? child.status}`);
    const cpuAfter = childCpuSeconds();
    const { maxRssBytes } = JSON.parse(readFileSync(stats, 'utf8')) as { maxRssBytes: number };
    return cpuBefore === undefined || cpuAfter === undefined ? { seconds, maxRssBytes } : { seconds, cpuSeconds: cpuAfter - cpuBefore, maxRssBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
