/**
 * The live view's cost (issue 5): the same replay at --speed max, headless and under the live
 * view rendering to an off-screen terminal (120×40), side by side. The view batches output
 * records and renders at most 20 frames a second, so it should cost under 10% of throughput.
 */
import { PassThrough } from 'node:stream';
import { ensureActivityFile } from '../activity-file.js';
import { loadCompiledPipeline } from '../../src/spec/compile.js';
import { Replay } from '../../src/replay/replay.js';
import { runLiveView } from '../../src/ui/run-live-view.js';
import { startTiming, type Timing } from '../timing.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';
import { join } from 'node:path';

export const name = 'live-view';

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

async function pass(file: string, pipelinePath: string, live: boolean): Promise<Timing & { events: number }> {
  const compiled = await loadCompiledPipeline(pipelinePath);
  const replay = new Replay({ recording: file, compiled, speed: Infinity, deadLetterPath: null });
  let outputs = 0;
  replay.onOutput(() => void outputs++);
  const stop = startTiming();
  const summary = live
    ? await runLiveView(replay, file, pipelinePath, compiled.spec.steps, { stdout: offscreenTerminal(), stdin: keyboard() })
    : await replay.run();
  return { ...stop(), events: summary.records };
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const pipeline = join(options.root, 'bench', 'pipelines', 'tumbling-count.pipeline.yaml');
  const headless = await pass(file.path, pipeline, false);
  const live = await pass(file.path, pipeline, true);
  const headlessRow = throughputRow(name, 'replay headless', headless.events, headless);
  const liveRow = throughputRow(name, 'replay under the live view', live.events, live, { note: 'rendered to an off-screen 120×40 terminal, ≤ 20 frames/s' });
  return [headlessRow, liveRow, ratioRow(name, liveRow, headlessRow)];
}
