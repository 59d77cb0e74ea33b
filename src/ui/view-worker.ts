/**
 * The live view's worker thread: ink, React and Yoga, and their heap, live here, out of the
 * replay's isolate (whose garbage collector would otherwise mark them on every major collection).
 * The runner (run-live-view.ts) posts a snapshot of the live state each frame (view-snapshot.ts);
 * the worker draws it and writes straight to the terminal's file descriptor (a worker's
 * process.stdout would be piped through the replay's thread), or, for a test's or benchmark's
 * terminal object, posts the bytes back.
 *
 * Messages in: `show` (a state), `resize` (the terminal's new size: SIGWINCH reaches the main
 * thread only), `close` (the last state, or null). Out: `ready` (the first frame is drawn), `drawn`
 * (a frame reached the terminal, with the thread CPU it cost), `write` and `frame` (bytes and
 * frame text, when asked for), `closed` (the view has left the alternate screen).
 */
import { EventEmitter } from 'node:events';
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import chalk, { type ColorSupportLevel } from 'chalk';
import type { LiveState } from './live-state.js';
import { threadCpuMs } from './phase-cost.js';
import { ViewRenderer } from './view-renderer.js';
import type { Terminal } from './screen-writer.js';

/** What the runner starts the worker with. */
export interface ViewWorkerData {
  readonly columns: number | undefined;
  readonly rows: number | undefined;
  /** Where frames go: a file descriptor (the terminal's), or null to post them back as `write`. */
  readonly fd: number | null;
  /** The replay thread's colour level (its stdout is the terminal; NO_COLOR, FORCE_COLOR). */
  readonly colorLevel: ColorSupportLevel;
  /** Post each frame's text back (`frame`): tests compare it with the screen. */
  readonly frames: boolean;
  readonly state: LiveState;
}

export type ViewMessage = { readonly type: 'show'; readonly state: LiveState } | { readonly type: 'resize'; readonly columns: number | undefined; readonly rows: number | undefined } | { readonly type: 'close'; readonly state: LiveState | null };

export type ViewReply =
  | { readonly type: 'ready' }
  | { readonly type: 'drawn'; readonly cpuMs: number }
  | { readonly type: 'write'; readonly data: string }
  | { readonly type: 'frame'; readonly frame: string }
  | { readonly type: 'closed'; readonly inkFrames: number; readonly bytes: number };

/** What Atomics.wait sleeps on between retries: one for the thread, not one per retry. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** The longest sleep between retries, and how long a terminal may refuse bytes before the write fails. */
const EAGAIN_MAX_SLEEP_MS = 50;
const EAGAIN_GIVE_UP_MS = 5_000;

/** Writes all of `data` to `fd`, waiting out a terminal that is not ready (EAGAIN), for 5 s at most. */
function writeAll(fd: number, data: string): void {
  const bytes = Buffer.from(data);
  let sleepMs = 1;
  let stalledSince: number | null = null;
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(fd, bytes, at);
      sleepMs = 1;
      stalledSince = null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      const now = performance.now();
      stalledSince ??= now;
      if (now - stalledSince >= EAGAIN_GIVE_UP_MS) {
        throw new Error(`the terminal (fd ${fd}) took no output for ${EAGAIN_GIVE_UP_MS / 1000} s (EAGAIN); is it suspended (ctrl-s)? Run with --no-ui to replay without the live view`);
      }
      Atomics.wait(sleeper, 0, 0, sleepMs);
      sleepMs = Math.min(sleepMs * 2, EAGAIN_MAX_SLEEP_MS);
    }
  }
}

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

export function serve(port: NonNullable<typeof parentPort>, data: ViewWorkerData): void {
  const post = (reply: ViewReply) => port.postMessage(reply);
  chalk.level = data.colorLevel;
  const { fd } = data;
  const terminal = new WorkerTerminal(data.columns, data.rows, (text) => {
    if (fd === null) post({ type: 'write', data: text });
    else writeAll(fd, text);
    return true;
  });
  const renderer = new ViewRenderer(terminal, data.state, data.frames ? (frame) => post({ type: 'frame', frame }) : undefined);
  post({ type: 'ready' });
  // One message at a time: a frame is drawn (and acknowledged) before the next message is read.
  let queue = Promise.resolve();
  port.on('message', (message: ViewMessage) => {
    queue = queue.then(async () => {
      switch (message.type) {
        case 'show': {
          const started = threadCpuMs();
          await renderer.show(message.state);
          post({ type: 'drawn', cpuMs: threadCpuMs() - started });
          return;
        }
        case 'resize':
          terminal.resize(message.columns, message.rows);
          return;
        case 'close':
          await renderer.close(message.state);
          // The runner ends the worker once it has the reply.
          post({ type: 'closed', inkFrames: renderer.inkFrames, bytes: renderer.bytesWritten });
          return;
      }
    });
  });
}

if (parentPort !== null) serve(parentPort, workerData as ViewWorkerData);
