/**
 * Bytes allocated per record by `sw replay` in the steady state, for the engine-window suite.
 * Runs the replay in this process over the file, and over the blocks after the first `warm-up`
 * ones (the code is optimized by then) counts what V8's sampling heap profiler saw allocated,
 * collected objects included (an allocation that dies young is still an allocation), until the
 * last block is read: the final watermark's firing is left out. The bytes are split by whether
 * an allocation's stack passes through a window's life (opening it and its key's state, firing
 * it, purging it: per window) or not (reading, the replay loop, adding to an open window: per
 * record). Prints one JSON line:
 *   {"records":…,"windows":…,"bytesPerRecord":…,"recordBytesPerRecord":…,"bytesPerWindow":…,"top":[…]}
 * (bytesPerRecord: everything over the records; recordBytesPerRecord: what is not a window's,
 * the target near 0; bytesPerWindow: the rest over the windows fired, counted by their on-time
 * results.)
 * Usage: node dist/bench/allocation-pass.js <file.jsonl> <pipeline.yaml> [warm-up blocks, default 32]
 */
import { Session } from 'node:inspector';
import { loadPipeline } from '../src/spec/load.js';
import { compilePipeline } from '../src/engine/compile-pipeline.js';
import { Replay } from '../src/replay/replay.js';
import { readLineBlocks } from '../src/replay/lines.js';
import type { RecordBlock } from '../src/replay/recording.js';

/** Bytes between samples: small enough that a few bytes per record over a million records shows. */
const SAMPLING_INTERVAL = 1024;
/**
 * Frames of a window's life (inlined ones do not show, so the functions they are inlined into
 * are named): opening a window or a key's state, firing (a watermark advance) and purging.
 */
const WINDOW_FRAMES = new Set(['openWindow', 'findKey', 'addAligned', 'addToSession', 'advance', 'advanceWatermark', 'fireDue', 'fireSlabs', 'fireWithSpill', 'advancePanes', 'purge', 'dropKey']);

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const [file, pipelinePath, warmupArg] = process.argv.slice(2);
if (file === undefined || pipelinePath === undefined) {
  process.stderr.write('allocation-pass: usage: node dist/bench/allocation-pass.js <file.jsonl> <pipeline.yaml> [warm-up blocks]\n');
  process.exit(2);
}
const warmupBlocks = warmupArg === undefined ? 32 : Number(warmupArg);
if (!Number.isInteger(warmupBlocks) || warmupBlocks < 0) {
  process.stderr.write(`allocation-pass: the warm-up argument is a count of blocks, such as 32 (got ${JSON.stringify(warmupArg)})\n`);
  process.exit(2);
}

const session = new Session();
session.connect();
const post = <T>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));

const compiled = compilePipeline(await loadPipeline(pipelinePath));
let replay: Replay | undefined;
let recordsAtStart = 0;
let recordsAtStop = 0;
/** On-time window results: one a window fired (late firings and late records are not windows). */
let windowsFired = 0;
let windowsAtStart = 0;
let windowsAtStop = 0;
let profile: { head: ProfileNode } | undefined;

async function* measuredBlocks(): AsyncGenerator<RecordBlock> {
  let blocks = 0;
  for await (const block of readLineBlocks(file!)) {
    if (blocks++ === warmupBlocks) {
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling', { samplingInterval: SAMPLING_INTERVAL, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      recordsAtStart = replay!.pipeline.recordCount;
      windowsAtStart = windowsFired;
    }
    yield block;
  }
  if (blocks > warmupBlocks) {
    recordsAtStop = replay!.pipeline.recordCount;
    windowsAtStop = windowsFired;
    profile = (await post<{ profile: { head: ProfileNode } }>('HeapProfiler.stopSampling')).profile;
  }
}

replay = new Replay({ recording: file, compiled, speed: Infinity, deadLetterPath: null, source: measuredBlocks() });
replay.onOutput((record) => {
  if (record.kind === 'window' && record.firing === 'onTime') windowsFired++;
});
await replay.run();
if (profile === undefined) {
  process.stderr.write(`allocation-pass: ${file} has no more than ${warmupBlocks} blocks to warm up on\n`);
  process.exit(1);
}

let windowBytes = 0;
let recordBytes = 0;
/** Bytes by the last frames of the allocating stack. */
const byStack = new Map<string, number>();
const walk = (node: ProfileNode, inWindow: boolean, frames: readonly string[]) => {
  const name = node.callFrame.functionName || '(anonymous)';
  const windowHere = inWindow || WINDOW_FRAMES.has(name);
  const stack = [...frames, name];
  if (node.selfSize > 0) {
    if (windowHere) windowBytes += node.selfSize;
    else recordBytes += node.selfSize;
    const where = stack.slice(-3).join(' > ');
    byStack.set(where, (byStack.get(where) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, windowHere, stack);
};
walk(profile.head, false, []);
const records = recordsAtStop - recordsAtStart;
const windows = windowsAtStop - windowsAtStart;
const round = (value: number) => Math.round(value * 10) / 10;
const top = [...byStack].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([where, bytes]) => ({ where, bytesPerRecord: round(bytes / records) }));
process.stdout.write(
  `${JSON.stringify({ records, windows, bytesPerRecord: round((windowBytes + recordBytes) / records), recordBytesPerRecord: round(recordBytes / records), bytesPerWindow: windows > 0 ? Math.round(windowBytes / windows) : null, top })}\n`,
)
