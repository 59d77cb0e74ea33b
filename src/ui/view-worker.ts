/**
 * The live view's worker thread: ink, React and Yoga, and their heap, live here, out of the
 * replay's isolate (whose garbage collector would otherwise mark them on every major collection).
 * The runner (run-live-view.ts) posts a snapshot of the live state each frame (view-snapshot.ts);
 * the worker draws it and writes straight to the terminal's file descriptor (a worker's
 * process.stdout would be piped through the replay's thread), or, for a test's or benchmark's
 * terminal object, posts the bytes back.
 *
 * Messages in: `open` (the worker's data, when it was started without: first), `show` (a state), `resize` (the terminal's new size: SIGWINCH reaches the main
 * thread only), `close` (the last state, or null). Out: `ready` (the first frame is drawn), `drawn`
 * (a frame reached the terminal, with the thread CPU it cost), `write` and `frame` (bytes and
 * frame text, when asked for), `closed` (the view has left the alternate screen).
 */
// First: Yoga, loaded with ink below, must not find a `fetch` (yoga-without-fetch.ts).
import './yoga-without-fetch.js';
import { EventEmitter } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import chalk, { type ColorSupportLevel } from 'chalk';
import { initialState, liveReducer, type LiveState, type StepInfo } from './live-state.js';
import { CopiedBatch, PendingOutputs, type WindowBatchData } from './pending-outputs.js';
import { viewSnapshot, withTables } from './view-snapshot.js';
import { WindowTable } from './window-table.js';
import { threadCpuMs } from '../replay/cpu-time.js';
import { ViewRenderer } from './view-renderer.js';
import type { Terminal } from './screen-writer.js';
import { OutputGate, writeAll } from './terminal-output.js';

/** What the runner starts the worker with. */
export interface ViewWorkerData {
  readonly columns: number | undefined;
  readonly rows: number | undefined;
  /** Where frames go: a file descriptor (the terminal's), or null to post them back as `write`. */
  readonly fd: number | null;
  /**
   * The gate of writes to `fd` (terminal-output.ts): the runner closes it before it restores the
   * terminal (a signal, the process's exit), and no frame is written after that.
   */
  readonly gate?: SharedArrayBuffer;
  /** The replay thread's colour level (its stdout is the terminal; NO_COLOR, FORCE_COLOR). */
  readonly colorLevel: ColorSupportLevel;
  /** Post each frame's text back (`frame`): tests compare it with the screen. */
  readonly frames: boolean;
  readonly state: LiveState;
  /**
   * The worker keeps the window steps' tables (the latest result per key, up to ~50K keys): the
   * runner's states have none, and `show` and `close` bring the results to fold since the last
   * (`windows`). Out of the replay's heap, the table and its fold cost the replay nothing but the
   * copy of the results. Without it, the states posted carry their rows (tests).
   */
  readonly tables?: boolean;
}

/** Each frame's window results (a batch per step, or null) with the frame's wall clock, which marks the rows it changed. */
export interface FrameBatches {
  readonly wallMs: number;
  readonly batches: readonly (WindowBatchData | null)[];
}
export type FrameWindows = readonly FrameBatches[];

export type ViewMessage =
  | { readonly type: 'open'; readonly data: ViewWorkerData }
  | { readonly type: 'show'; readonly state: LiveState; readonly windows?: FrameWindows }
  | { readonly type: 'resize'; readonly columns: number | undefined; readonly rows: number | undefined }
  | { readonly type: 'close'; readonly state: LiveState | null; readonly windows?: FrameWindows };

export type ViewReply =
  | { readonly type: 'ready' }
  | { readonly type: 'drawn'; readonly cpuMs: number }
  | { readonly type: 'write'; readonly data: string }
  | { readonly type: 'frame'; readonly frame: string }
  | { readonly type: 'closed'; readonly inkFrames: number; readonly bytes: number };

/** The terminal as the worker sees it: the size the runner last told, frames out by `write`. */
class WorkerTerminal extends EventEmitter implements Terminal {
  readonly isTTY = true;

  constructor(
    public columns: number | undefined,
    public rows: number | undefined,
    readonly write: (data: string) => boolean,
  ) {
    super();
  }

  resize(columns: number | undefined, rows: number | undefined): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** The window steps' tables the worker keeps (a WindowTable each), and a runner's snapshot as drawn with them. */
export class WorkerTables {
  private readonly tables: (WindowTable | null)[];

  constructor(steps: readonly { readonly info: StepInfo }[]) {
    this.tables = steps.map((step) => (step.info.kind === 'window' ? new WindowTable(step.info) : null));
  }

  /** `state`, a runner's snapshot, as drawn on `rows` rows: the frames' results folded in, in order, then the tables' rows swapped in. */
  view(state: LiveState, windows: FrameWindows, rows: number): LiveState {
    for (const { wallMs, batches } of windows) batches.forEach((batch, i) => batch !== null && this.tables[i]?.fold(new CopiedBatch(batch), wallMs));
    return withTables(state, rows, this.tables);
  }
}

/**
 * Opens the view on the runner's data (its first frame drawn at once) and serves its messages;
 * `ready` once `beforeReady` (the rest of the warm-up) is done. Returns the handler, for messages
 * that came before.
 */
export function serve(port: NonNullable<typeof parentPort>, data: ViewWorkerData, beforeReady?: () => Promise<void>): (message: ViewMessage) => void {
  const post = (reply: ViewReply) => port.postMessage(reply);
  chalk.level = data.colorLevel;
  const { fd } = data;
  // Without a gate of the runner's, a private one nobody closes.
  const gate = new OutputGate(data.gate);
  const terminal = new WorkerTerminal(data.columns, data.rows, (text) => {
    if (fd === null) post({ type: 'write', data: text });
    else gate.pass(() => writeAll(fd, text));
    return true;
  });
  const tables = data.tables === true ? new WorkerTables(data.state.steps) : null;
  /** A posted state as drawn: with the worker's tables, the results since the last folded in first. */
  const view = (state: LiveState, windows: FrameWindows = []): LiveState => (tables === null ? state : tables.view(state, windows, terminal.rows || 24));
  const renderer = new ViewRenderer(terminal, view(data.state), data.frames ? (frame) => post({ type: 'frame', frame }) : undefined);
  // One message at a time: a frame is drawn (and acknowledged) before the next message is read.
  let queue = (beforeReady?.() ?? Promise.resolve()).then(() => post({ type: 'ready' }));
  const handle = (message: ViewMessage): void => {
    queue = queue.then(async () => {
      switch (message.type) {
        case 'show': {
          const started = threadCpuMs();
          await renderer.show(view(message.state, message.windows));
          post({ type: 'drawn', cpuMs: threadCpuMs() - started });
          return;
        }
        case 'resize':
          terminal.resize(message.columns, message.rows);
          return;
        case 'open':
          return;
        case 'close':
          await renderer.close(message.state === null ? null : view(message.state, message.windows));
          // The runner ends the worker once it has the reply.
          post({ type: 'closed', inkFrames: renderer.inkFrames, bytes: renderer.bytesWritten });
          return;
      }
    });
  };
  port.on('message', handle);
  return handle;
}

/** Frames of a table filling up the warm-up draws (ink frames, then composed ones), then one of the feed. */
const WARM_UP_FRAMES = 4;
/** The warm-up's terminal: 120×40, thrown away. */
const WARM_UP_ROWS = 40;

/**
 * Draws a few frames of a made-up run nobody sees (a table filling up, the progress bar, the
 * feed), one a step, so that React's, Yoga's and ink's code is compiled before the replay starts,
 * not in its first frames on its CPU time (and V8's compiler threads' optimizing of it with them):
 * in a 2 s --speed max run (5M events, ~300 keys) that was 30-35 ms of the worker's CPU and
 * 50-100 ms of V8's helper threads (~5%); the view's close is 20-50 ms cheaper too, so the
 * process's CPU is about what it was. The price: 0.2-0.25 CPU-s before the first record, on the
 * other core while the pipeline compiles as far as it goes. The frames go the way the run's do:
 * the runner's frame (PendingOutputs.workerFrame) and snapshot, then the worker's tables.
 */
export async function* warmUp(): AsyncGenerator<void> {
  const steps: StepInfo[] = [
    { name: 'table', kind: 'window', fields: ['count', 'sum'], window: { type: 'tumbling', size: 60_000, offset: 0 } },
    { name: 'feed', kind: 'pattern', fields: ['n'] },
  ];
  let state = initialState('warm-up.jsonl', 'warm-up.pipeline.yaml', steps, Infinity);
  const tables = new WorkerTables(state.steps);
  const renderer = new ViewRenderer(new WorkerTerminal(120, WARM_UP_ROWS, () => true), tables.view(viewSnapshot(state, WARM_UP_ROWS), [], WARM_UP_ROWS));
  const pending = new PendingOutputs(steps);
  try {
    yield;
    for (let frame = 1; frame <= WARM_UP_FRAMES; frame++) {
      for (let key = 0; key < 20 * frame; key++) pending.add({ step: 'table', kind: 'window', key: `k${key}`, start: frame * 60_000, end: (frame + 1) * 60_000, firing: 'onTime', fields: { count: key * frame, sum: key } });
      pending.add({ step: 'feed', kind: 'match', key: `k${frame}`, start: frame, end: frame + 1, fields: { n: frame }, events: { first: [{ n: frame }] } });
      const counters = [
        { seen: frame * 100, accepted: frame * 100, results: frame * 20, late: 0, exprErrors: 0 },
        { seen: frame * 100, accepted: frame, results: frame, late: 0, exprErrors: 0 },
      ];
      const stats = { records: frame * 100, deadLetters: 0, watermark: frame * 60_000, maxEventTime: frame * 60_000, minEventTime: 0, progress: frame / 8, wallMs: frame * 100, speed: Infinity, paused: false, idleMs: 0 };
      const { action, windows } = pending.workerFrame(stats, counters);
      state = liveReducer(state, action);
      await renderer.show(tables.view(viewSnapshot(state, WARM_UP_ROWS), windows === null ? [] : [{ wallMs: stats.wallMs, batches: windows }], WARM_UP_ROWS));
      yield;
    }
    await renderer.show(tables.view(viewSnapshot(liveReducer(state, { type: 'nextPanel' }), WARM_UP_ROWS), [], WARM_UP_ROWS));
  } finally {
    await renderer.close(null);
  }
}

/**
 * Started with its data (tests), the worker opens the view at once. The runner starts it before it
 * has the data (run-live-view.ts startViewWorker: ink and React load here while the pipeline
 * compiles) and sends it in the first message, `open`. Until then the worker warms up, a frame at
 * a time with a turn of the event loop between (the message comes in then); on `open` it draws
 * the view's first frame at once (the screen is up), finishes the warm-up, and only then reports
 * `ready`: the replay's first record waits for it. Messages behind `open` wait their turn.
 */
const port = parentPort;
if (port !== null) {
  if (workerData !== null && workerData !== undefined) serve(port, workerData as ViewWorkerData);
  else {
    let open: ViewWorkerData | null = null;
    let opened: () => void = () => undefined;
    const early: ViewMessage[] = [];
    const collect = (message: ViewMessage): void => {
      if (message.type !== 'open') early.push(message);
      else if (open === null) {
        open = message.data;
        opened();
      }
    };
    port.on('message', collect);
    const warm = warmUp();
    // A warm-up that fails costs only slower first frames.
    const rest = async (): Promise<void> => {
      try {
        for await (const _ of warm);
      } catch {
        // As above.
      }
    };
    try {
      while (open === null && !(await warm.next()).done) await new Promise((resolve) => setImmediate(resolve));
    } catch {
      // As above.
    }
    if (open === null) await new Promise<void>((resolve) => (opened = resolve));
    port.off('message', collect);
    const handle = serve(port, open!, rest);
    for (const message of early) handle(message);
  }
}
