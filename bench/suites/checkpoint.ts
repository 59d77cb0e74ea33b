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
 * Rounds (`--runs`, at least 3) of plain, checkpointed, plain again: the cost per round and its
 * median beside the least CPU of each kind, and the control (the two plain passes of a round
 * against each other), which shows what a cost of the same round is worth on this machine.
 * Beside the ratio, the checkpoints' own CPU time measured in the process (the summary's
 * `checkpoints`: the replay thread's time in them, the writer thread's), per checkpoint: what
 * they cost without the pass-to-pass noise of the whole run (the writer thread's loading counted,
 * on the binge pattern's; not counted: V8 compiling the checkpoint code on its helper threads, the
 * fsyncs on libuv's pool, opening the store at the run's start).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureActivityFile, type ActivityFile } from '../activity-file.js';
import type { Timing } from '../timing.js';
import { ratioSpread } from '../ratio-spread.js';
import { throughputRow, type BenchOptions, type BenchRow } from '../suite.js';
import type { CheckpointCost } from '../../src/replay/checkpointing.js';

export const name = 'checkpoint';

/** Pipelines and their rounds per `--runs` round: the tumbling count's passes are short (~1.5 s), so it runs twice as many. */
const PIPELINES = [
  ['tumbling count', 'bench/pipelines/tumbling-count.pipeline.yaml', 2],
  ['binge pattern', 'bench/pipelines/binge.pipeline.yaml', 1],
] as const;
const EVERY = 100_000;
const BOUND = 0.1;

interface Run extends Timing {
  readonly records: number;
  readonly cpuSeconds: number;
  /** Checkpointed passes: the checkpoints' CPU ms per thread (the summary's `checkpoints`). */
  readonly checkpoints?: CheckpointCost;
}

/** One round: a plain pass, a checkpointed one, and a plain one again (the control). */
interface Round {
  readonly plain: Run;
  readonly checkpointed: Run;
  readonly again: Run;
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-checkpoint-'));
  // At least three rounds (--runs): fewer give no median worth the name.
  const runs = Math.max(3, options.runs);
  try {
    const rows: BenchRow[] = [];
    for (const [label, pipeline, roundsPerRun] of PIPELINES) {
      const rounds = runs * roundsPerRun;
      // Each round runs plain, checkpointed, plain again, one after the other: a slow phase of the
      // machine spoils one round, not all passes of one kind; and the second plain pass against the
      // first (the control) shows how far two passes of the same work differ in that round: the
      // noise floor of the cost beside it.
      const all: Round[] = [];
      for (let round = 0; round < rounds; round++) {
        all.push({
          plain: replay(options.root, file, dir, pipeline, []),
          checkpointed: replay(options.root, file, dir, pipeline, ['--checkpoint-every', String(EVERY)]),
          again: replay(options.root, file, dir, pipeline, []),
        });
      }
      // Like for like: the least of N plain passes against the least of N checkpointed ones (the
      // least of 2N would favour the plain side); the second plain pass serves the control and the bracket below.
      const plain = leastCpu(all.map((r) => r.plain));
      const checkpointed = leastCpu(all.map((r) => r.checkpointed));
      // CPU time is the figure that survives a busy machine; fsync waits are wall time only, so the
      // wall-clock cost is shown too.
      const cost = costOf(plain.cpuSeconds, checkpointed.cpuSeconds);
      const wallCost = costOf(plain.seconds, checkpointed.seconds);
      // Per round, the checkpointed pass against the mean of the two plain passes around it (a machine slowing or speeding up through the round cancels out).
      const costs = all.map((r) => costOf((r.plain.cpuSeconds + r.again.cpuSeconds) / 2, r.checkpointed.cpuSeconds));
      const wallCosts = all.map((r) => costOf((r.plain.seconds + r.again.seconds) / 2, r.checkpointed.seconds));
      const controls = all.map((r) => costOf(r.plain.cpuSeconds, r.again.cpuSeconds));
      const wallControls = all.map((r) => costOf(r.plain.seconds, r.again.seconds));
      const checkpointCosts = all.map((r) => checkpointCostOf(r.checkpointed));
      const replayMs = checkpointCosts.map((c) => c.replayThreadMs / c.taken);
      const writerMs = checkpointCosts.map((c) => c.writerThreadMs / c.taken);
      rows.push(
        throughputRow(name, `sw replay (${label})`, plain.records, plain, {
          note: `control, plain against plain per round: CPU ${percents(controls)} (median ${percent(median(controls))}), wall ${percents(wallControls)} (median ${percent(median(wallControls))})`,
        }),
        throughputRow(name, `sw replay (${label}) --checkpoint-every ${EVERY}`, checkpointed.records, checkpointed, {
          note:
            `${Math.floor(checkpointed.records / EVERY)} checkpoints; least CPU of each kind: CPU cost ${percent(cost)} (bound ${BOUND * 100}%: ${cost < BOUND ? 'within' : 'EXCEEDED'}), wall cost ${percent(wallCost)}; ` +
            `per round against the mean of its two plain passes: CPU ${percents(costs)} (median ${percent(median(costs))}), wall ${percents(wallCosts)} (median ${percent(median(wallCosts))}); ` +
            `in process, per checkpoint: replay thread ${milliseconds(replayMs)} ms (median ${median(replayMs).toFixed(1)}), writer thread ${milliseconds(writerMs)} ms (median ${median(writerMs).toFixed(1)})`,
        }),
      );
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the checkpoints cost, as a share of the checkpointed run: 1 - plain / checkpointed. */
function costOf(plain: number, checkpointed: number): number {
  return 1 - plain / checkpointed;
}

function leastCpu(runs: readonly Run[]): Run {
  return runs.reduce((best, run) => (run.cpuSeconds < best.cpuSeconds ? run : best));
}

const median = (values: readonly number[]): number => ratioSpread(values).median;

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function percents(shares: readonly number[]): string {
  return shares.map(percent).join(' / ');
}

/** A checkpointed pass's own checkpoint figures; a build whose summary has none cannot run this bench. */
function checkpointCostOf(run: Run): CheckpointCost {
  if (run.checkpoints === undefined || run.checkpoints.taken === 0) throw new Error('sw replay --checkpoint-every gave no checkpoints in its --stats-json summary (a build from before session 12?)');
  return run.checkpoints;
}

function milliseconds(values: readonly number[]): string {
  return values.map((ms) => ms.toFixed(1)).join(' / ');
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
  const summary = JSON.parse(readFileSync(stats, 'utf8')) as Run;
  return { records: summary.records, seconds: summary.seconds, cpuSeconds: summary.cpuSeconds, ...(summary.checkpoints ? { checkpoints: summary.checkpoints } : {}) };
}
