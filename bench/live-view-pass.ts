/**
 * One pass of the live-view benchmark in a process of its own, as a user's `sw replay --speed max`
 * runs: `node dist/bench/live-view-pass.js <recording> <pipeline> live|headless`. Prints one JSON
 * line (LivePass) on stdout. The live pass draws on an off-screen 120×40 terminal: the view's
 * worker writes its frames to /dev/null, as it writes them to a terminal's fd 1.
 *
 * A process per pass: in one process the first pass pays the JIT warm-up of the replay, so
 * whichever variant ran first lost (session 3 saw 0.84x for what was 0.90x the other way round).
 */
import { loadCompiledPipeline } from '../src/spec/compile.js';
import { Replay } from '../src/replay/replay.js';
import type { ViewCost } from '../src/ui/run-live-view.js';
import { processCostNow, startPhase, type PhaseCost } from '../src/ui/phase-cost.js';
import { threadCpuMs } from '../src/replay/cpu-time.js';
import { existsSync, openSync, readdirSync } from 'node:fs';
import { keyboard, offscreenTerminal } from './offscreen-terminal.js';

/**
 * The live view as `sw replay` loads it: its chunk of the bundle bin/sw runs (ink and react bundled
 * in, scripts/bundle.mjs), or the compiled module when there is no bundle.
 */
function liveViewModule(): string {
  const folder = new URL('../src/bundle/', import.meta.url);
  if (!existsSync(folder)) return '../src/ui/run-live-view.js';
  const chunk = readdirSync(folder, { withFileTypes: true }).find((entry) => /^run-live-view-[A-Z0-9]+\.mjs$/.test(entry.name));
  return chunk === undefined ? '../src/ui/run-live-view.js' : new URL(chunk.name, folder).href;
}

export interface LivePass {
  readonly live: boolean;
  readonly events: number;
  readonly outputs: number;
  /** The replay itself, from its first record to its end: the throughput figure. */
  readonly run: PhaseCost;
  /**
   * The replay's own thread's CPU ms over the run: without the view's worker and V8's helper
   * threads (background compiling, concurrent marking), whose share scatters from pass to pass.
   */
  readonly runThreadMs: number;
  /** The process until `replay.run()` is called, after the view's `ready` (node's start-up, the pipeline's compiling, the view's opening and warm-up). */
  readonly beforeRun: PhaseCost;
  /** The live pass's fixed costs: importing the UI modules, opening and closing the view. */
  readonly importUi?: PhaseCost;
  readonly view?: ViewCost;
  /** The whole process, node's own start-up included (CPU since the process started). */
  readonly process: PhaseCost;
}

async function main(): Promise<void> {
  const [recording, pipelinePath, mode] = process.argv.slice(2);
  if (recording === undefined || pipelinePath === undefined || (mode !== 'live' && mode !== 'headless')) {
    process.stderr.write('usage: node dist/bench/live-view-pass.js <recording> <pipeline> live|headless\n');
    process.exit(2);
  }
  const live = mode === 'live';
  let result: Omit<LivePass, 'process'>;
  if (live) {
    // As `sw replay` does: the view's worker started (ink and React loading there, in their
    // production build) before the pipeline compiles.
    const importing = startPhase();
    const { runLiveView, startViewWorker } = (await import(liveViewModule())) as typeof import('../src/ui/run-live-view.js');
    const importUi = importing();
    const worker = startViewWorker();
    const compiled = await loadCompiledPipeline(pipelinePath);
    const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
    let view: ViewCost | undefined;
    let firstRecord: PhaseCost | undefined;
    let runThreadMs = NaN;
    const run = replay.run.bind(replay);
    replay.run = () => {
      firstRecord = processCostNow();
      const started = threadCpuMs();
      return run().finally(() => (runThreadMs = threadCpuMs() - started));
    };
    const summary = await runLiveView(replay, recording, pipelinePath, compiled.spec.steps, { worker, stdout: offscreenTerminal(), fd: openSync('/dev/null', 'w'), stdin: keyboard(), onCost: (cost) => (view = cost) });
    if (view === undefined || firstRecord === undefined) throw new Error('live-view-pass: the view reported no cost');
    result = { live, events: summary.records, outputs: summary.outputs, run: view.run, runThreadMs, beforeRun: firstRecord, importUi, view };
  } else {
    const compiled = await loadCompiledPipeline(pipelinePath);
    const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
    const beforeRun = processCostNow();
    const running = startPhase();
    const started = threadCpuMs();
    const summary = await replay.run();
    const runThreadMs = threadCpuMs() - started;
    result = { live, events: summary.records, outputs: summary.outputs, run: running(), runThreadMs, beforeRun };
  }
  process.stdout.write(`${JSON.stringify({ ...result, process: processCostNow() })}\n`);
}

await main();
