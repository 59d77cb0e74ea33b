/**
 * The live view's cost (issue 5: under 10% of throughput at --speed max). The same replay,
 * headless and under the live view drawing to an off-screen 120×40 terminal, alternated three
 * times each on the 2M-event file; each side keeps its least-CPU run (the first pays for JIT
 * warm-up, the machine is shared). Two figures per pipeline: the CPU ratio of the two runs, and
 * the view's own share, the CPU time from each frame's dispatch to the end of its draw (taken in
 * the same run, so machine load does not move it). Two pipelines: a table of a few hundred
 * contents, and one of ~50K users (the reducer, sort and top-N at their worst).
 */
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { ensureActivityFile } from '../activity-file.js';
import { loadCompiledPipeline } from '../../src/spec/compile.js';
import { Replay } from '../../src/replay/replay.js';
import type { ViewCost } from '../../src/ui/run-live-view.js';
import { startTiming, type Timing } from '../timing.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'live-view';

const RUNS = 3;

/** A writable that looks like a 120×40 terminal and throws the frames away. */
function offscreenTerminal(): NodeJS.WriteStream {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  Object.assign(stream, { columns: 120, rows: 40, isTTY: true });
  stream.on('data', () => undefined);
  return stream;
}

function keyboard(): NodeJS.ReadStream {
  const stream = new PassThrough() as unknown as NodeJS.ReadStream & PassThrough;
  Object.assign(stream, { isTTY: true, setRawMode: () => stream, ref: () => stream, unref: () => stream });
  return stream;
}

interface Pass extends Timing {
  readonly events: number;
  readonly outputs: number;
  readonly view?: ViewCost;
}

/**
 * CPU ns the view spends per output record between frames (PendingOutputs.add: the latest window
 * per key), measured alone on 1M window results over `keys` keys; least of 3. Timing each call
 * inside the replay would cost more than the call.
 */
async function addNanos(keys: number): Promise<number> {
  const { PendingOutputs } = await import('../../src/ui/pending-outputs.js');
  const records = Array.from({ length: 1_000_000 }, (_, i) => ({
    step: 's', kind: 'window' as const, key: `k${i % keys}`, start: Math.floor(i / keys) * 60_000, end: Math.floor(i / keys) * 60_000 + 60_000, firing: 'onTime' as const, fields: { events: i % 17 },
  }));
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const pending = new PendingOutputs([{ name: 's', kind: 'window', fields: ['events'] }]);
    const stop = startTiming();
    for (const record of records) pending.add(record);
    best = Math.min(best, stop().cpuSeconds! * 1e9 / records.length);
  }
  return best;
}

async function pass(file: string, pipelinePath: string, live: boolean): Promise<Pass> {
  const compiled = await loadCompiledPipeline(pipelinePath);
  const replay = new Replay({ recording: file, compiled, speed: Infinity, deadLetterPath: null });
  let view: ViewCost | undefined;
  // As `sw replay` does: React's production build, loaded only for the live passes.
  process.env.NODE_ENV ??= 'production';
  const { runLiveView } = await import('../../src/ui/run-live-view.js');
  const stop = startTiming();
  const summary = live
    ? await runLiveView(replay, file, pipelinePath, compiled.spec.steps, { stdout: offscreenTerminal(), stdin: keyboard(), onCost: (cost) => (view = cost) })
    : await replay.run();
  return { ...stop(), events: summary.records, outputs: summary.outputs, ...(view ? { view } : {}) };
}

const leastCpu = (passes: Pass[]): Pass => passes.reduce((a, b) => ((b.cpuSeconds ?? b.seconds) < (a.cpuSeconds ?? a.seconds) ? b : a));

async function compare(file: string, root: string, pipeline: string, keys: number): Promise<BenchRow[]> {
  const path = join(root, 'bench', 'pipelines', `${pipeline}.pipeline.yaml`);
  const headless: Pass[] = [];
  const live: Pass[] = [];
  for (let i = 0; i < RUNS; i++) {
    headless.push(await pass(file, path, false));
    live.push(await pass(file, path, true));
  }
  const h = leastCpu(headless);
  const l = leastCpu(live);
  const view = l.view!;
  const coalescing = ((await addNanos(keys)) * l.outputs) / 1e9;
  const share = (view.cpuMs / 1000 + coalescing) / l.cpuSeconds!;
  const headlessRow = throughputRow(name, `${pipeline}: replay headless`, h.events, h);
  const liveRow = throughputRow(name, `${pipeline}: replay under the live view`, l.events, l, {
    note:
      `${view.frames} frames (${view.skipped} skipped: nothing changed), ${(view.bytes / 1024).toFixed(0)} KB written; ` +
      `the view's own CPU ${(share * 100).toFixed(1)}% of the run (frames ${(view.cpuMs / 1000).toFixed(2)} s, coalescing ${l.outputs.toLocaleString('en')} outputs ${coalescing.toFixed(2)} s)`,
  });
  return [headlessRow, liveRow, ratioRow(name, liveRow, headlessRow)];
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  // Keys: ~300 content ids; ~50K users.
  return [...(await compare(file.path, options.root, 'tumbling-count', 300)), ...(await compare(file.path, options.root, 'user-minutes', 50_000))];
}
