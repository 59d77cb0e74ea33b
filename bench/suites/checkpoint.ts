/**
 * Issue 9, "Benchmark": checkpointing every 100K events costs under 10% of throughput. The same
 * replay (sw replay --speed max over the 2M-event activity file, output to a file) with and
 * without `--checkpoint-every 100000`; figures from --stats-json. Two pipelines: a keyed 1-minute
 * tumbling count (open windows), and the binge pattern (per-user partial matches, the shared
 * buffer and records waiting for the watermark). Each checkpoint flushes the output and snapshots
 * every step on the replay thread (window state encoded, pattern state copied), then fsyncs the
 * output and commits one SQLite transaction (docs/checkpoints.md), 20 times over the run: for the
 * tumbling count's small rows the fsync runs on libuv's thread pool and the commit on the replay
 * thread once it is done, for the binge pattern's copy (stored as it is) both on the store's
 * writer thread. CPU time counts every thread (V8's compiler threads included: checkpoint code
 * compiled by TurboFan is part of the cost); the wall-clock cost is what the replay thread pays.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureActivityFile, type ActivityFile } from '../activity-file.js';
import type { Timing } from '../timing.js';
import { throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'checkpoint';

const PIPELINES = [
  ['tumbling count', 'bench/pipelines/tumbling-count.pipeline.yaml'],
  ['binge pattern', 'bench/pipelines/binge.pipeline.yaml'],
] as const;
const RUNS = 3;
const EVERY = 100_000;
const BOUND = 0.1;

interface Run extends Timing {
  readonly records: number;
  readonly cpuSeconds: number;
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-checkpoint-'));
  try {
    const rows: BenchRow[] = [];
    for (const [label, pipeline] of PIPELINES) {
      // Alternating rounds (plain, then checkpointed), the least CPU of each kept: a slow phase of
      // the machine spoils one of each kind, not all of one kind.
      let plain: Run | null = null;
      let checkpointed: Run | null = null;
      for (let round = 0; round < RUNS; round++) {
        plain = leastCpu(plain, replay(options.root, file, dir, pipeline, []));
        checkpointed = leastCpu(checkpointed, replay(options.root, file, dir, pipeline, ['--checkpoint-every', String(EVERY)]));
      }
      // CPU time is the figure that survives a busy machine; fsync waits are wall time only, so the
      // wall-clock cost is shown too.
      if (plain === null || checkpointed === null) throw new Error('no rounds');
      const cost = 1 - plain.cpuSeconds / checkpointed.cpuSeconds;
      const wallCost = 1 - plain.seconds / checkpointed.seconds;
      rows.push(
        throughputRow(name, `sw replay (${label})`, plain.records, plain),
        throughputRow(name, `sw replay (${label}) --checkpoint-every ${EVERY}`, checkpointed.records, checkpointed, {
          note: `${Math.floor(checkpointed.records / EVERY)} checkpoints; CPU cost ${(cost * 100).toFixed(1)}% (bound ${BOUND * 100}%: ${cost < BOUND ? 'within' : 'EXCEEDED'}); wall cost ${(wallCost * 100).toFixed(1)}%`,
        }),
      );
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function leastCpu(best: Run | null, run: Run): Run {
  return best === null || run.cpuSeconds < best.cpuSeconds ? run : best;
}

/** One replay as a child process; wall time is the replay loop's own, CPU time the process's (both from --stats-json). */
function replay(root: string, file: ActivityFile, dir: string, pipeline: string, extra: readonly string[]): Run {
  const stats = join(dir, 'stats.json');
  const child = spawnSync(
    process.execPath,
    ['bin/sw', 'replay', file.path, '--pipeline', pipeline, '--speed', 'max', '--no-ui', '--out', join(dir, 'out.jsonl'), '--stats-json', stats, ...extra],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (child.status !== 0) throw new Error(`sw failed: ${(child.stderr ?? '').trim().split('\n').pop() ?? child.status}`);
  const summary = JSON.parse(readFileSync(stats, 'utf8')) as { records: number; seconds: number; cpuSeconds: number };
  return { records: summary.records, seconds: summary.seconds, cpuSeconds: summary.cpuSeconds };
}
