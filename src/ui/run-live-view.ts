/**
 * Runs a replay under the live view. Imported lazily (only on a terminal), so headless runs never
 * load it; and it loads no ink or React itself: those draw in a worker thread (view-worker.ts), so
 * that their code and heap stay out of the replay's isolate. This thread keeps what the frames are
 * made of but the tables: output records are collected as they come and, once per frame, the
 * feeds and counters go into the live state and the window results are copied out for the worker,
 * which keeps the tables (the latest result per key); a frame is due at most 20 times a second,
 * and is made only when something the view shows has changed. Each frame posts a snapshot cut to
 * what the screen can show (view-snapshot.ts) with the window results since the last, and waits
 * for the worker to draw it before the next. The keys are read here (raw mode): pause, step and speed drive the replay.
 */
import { relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import chalk from 'chalk';
import type { StepSpec } from '../engine/spec.js';
import type { Replay, ReplaySummary } from '../replay/replay.js';
import { IDLE_MS, initialState, type LiveState, type QualityView, type RunStats, type StepInfo } from './live-state.js';
import type { QualitySnapshot } from '../quality/monitor.js';
import { LiveStore } from './live-store.js';
import { PendingOutputs } from './pending-outputs.js';
import { ScreenWriter, type Terminal } from './screen-writer.js';
import { cpuMsNow, startPhase, type PhaseCost } from './phase-cost.js';
import { threadCpuMs } from '../replay/cpu-time.js';
import { ESCAPE_WAIT_MS, KeyReader, pressKeys, type KeyPress, type ReplayControls } from './key-commands.js';
import { viewSnapshot } from './view-snapshot.js';
import type { FrameBatches, ViewMessage, ViewReply, ViewWorkerData } from './view-worker.js';
import { EAGAIN_GIVE_UP_MS, OutputGate, writeAll } from './terminal-output.js';

export const FRAME_MS = 50;
/**
 * At --speed max a frame is due every MAX_SPEED_FRAME_MS of the process's time (10 frames a
 * second), later when frames are dear: a frame waits FRAME_SHARE times its own cost (so drawing
 * takes at most 1/(1+20) ≈ 5% of the CPU), but never longer than SLOWEST_FRAME_MS (at least 4
 * frames a second, whatever a frame costs). The process's time is its CPU time plus the time its
 * event loop sat idle (a read under way, a stalled input), not the wall clock: on a loaded machine
 * a replay that gets a fifth of a core would otherwise spend five times the share on frames.
 */
export const MAX_SPEED_FRAME_MS = 100;
export const SLOWEST_FRAME_MS = 250;
const FRAME_SHARE = 20;
/**
 * Whether a frame may be drawn now. At --speed max: by the frame rate above. A paced or paused
 * replay (`waiting`) waits for its records anyway: a frame is due every tick (FRAME_MS, 20 frames
 * a second at most) once the loop has sat idle as long as the last frame cost, or the replay has
 * had FRAME_SHARE times that cost in CPU.
 */
export function frameDue(cpuSinceMs: number, idleSinceMs: number, lastCostMs: number, waiting: boolean): boolean {
  if (waiting) return idleSinceMs >= lastCostMs || cpuSinceMs >= lastCostMs * FRAME_SHARE;
  return cpuSinceMs + idleSinceMs >= Math.min(SLOWEST_FRAME_MS, Math.max(MAX_SPEED_FRAME_MS, lastCostMs * FRAME_SHARE));
}

/** Paths in the header: relative to the current folder when that is shorter. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length < path.length && !rel.startsWith('..') ? rel : path;
}

export function stepInfo(step: StepSpec): StepInfo {
  if (step.kind === 'window') {
    return { name: step.name, kind: 'window', fields: [...step.aggregate.map((a) => a.name), ...step.select.map((s) => s.name)], window: step.window };
  }
  return { name: step.name, kind: step.kind, fields: step.kind === 'pattern' ? step.select.map((s) => s.name) : [] };
}

/**
 * What the view cost: frames drawn and skipped, their CPU time, bytes written to the terminal;
 * and its fixed costs: opening (mount and first frame, before the replay starts) and closing
 * (last frame and unmount, after the replay ends).
 */
export interface ViewCost {
  readonly frames: number;
  /** Frames ink rendered (keys, resizes and layout changes included); the others were composed from its last output. */
  readonly inkFrames: number;
  readonly skipped: number;
  /** CPU of the frames: on the replay's thread (the fold, the top rows, the snapshot) and in the worker (the draw). */
  readonly cpuMs: number;
  readonly replayThreadMs: number;
  readonly bytes: number;
  readonly open: PhaseCost;
  /** The replay under the view, from its start to its end (frames drawn meanwhile included). */
  readonly run: PhaseCost;
  readonly close: PhaseCost;
}

/** How long the end of a run waits for the worker to draw its last frame and leave the screen. */
const CLOSE_WAIT_MS = 5_000;
/** How long the start waits for the worker to draw its first frame (loading ink and React takes well under 1 s). */
const START_WAIT_MS = 10_000;
/** How long the restore waits for a terminal that takes no bytes (EAGAIN): the process may be dying. */
const RESTORE_GIVE_UP_MS = 250;
/** Signals that end the process while the view owns the terminal (ctrl-c is a key in raw mode). */
const RESTORE_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

/**
 * The view's worker thread, started before the view opens (startViewWorker): it loads ink and
 * React (~0.25 CPU-s, on the other core) while this thread compiles the pipeline and opens the
 * input. Unreferenced until the view opens, so a run that fails before does not wait for it; an
 * error or exit meanwhile is kept for the view to report.
 */
export class ViewWorker {
  error: Error | null = null;
  exitCode: number | null = null;

  constructor(readonly worker: Worker) {
    worker.unref();
    worker.on('error', (error) => (this.error ??= error));
    worker.on('exit', (code) => (this.exitCode ??= code));
  }
}

/**
 * Starts the view's worker: it loads ink and React, then waits for the view to open (its `open`
 * message). React's production build unless NODE_ENV says otherwise: its development build checks
 * and logs on every render, and rendering must stay a small share of a --speed max replay. Set in
 * the worker's environment only: React loads nowhere else.
 */
export function startViewWorker(): ViewWorker {
  const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' };
  return new ViewWorker(new Worker(new URL('./view-worker.js', import.meta.url), { env }));
}

/** Where the view draws and reads keys; the terminal unless a benchmark or test supplies streams. */
export interface LiveViewIo {
  /** The view's worker, started early (startViewWorker); without it the view starts one. */
  readonly worker?: ViewWorker;
  /** How long the view waits for its worker's first frame (START_WAIT_MS; tests shorten it). */
  readonly startWaitMs?: number;
  readonly stdout?: Terminal;
  /**
   * Where the view's worker writes the frames for `stdout` (its size and resizes): a file
   * descriptor (the benchmark's /dev/null, as a terminal's fd 1). Without it the bytes come back
   * to this thread and go to `stdout.write`. The terminal itself (no `stdout`) is fd 1.
   */
  readonly fd?: number;
  readonly stdin?: NodeJS.ReadStream;
  /** Told what the view cost when it closes (the benchmark's figure). */
  readonly onCost?: (cost: ViewCost) => void;
  /** Shown every frame drawn (rendered by ink or composed from its last output), as text (tests compare it with the screen). */
  readonly onFrame?: (frame: string) => void;
}

/** Whether anything the view shows differs between two polls of the replay. */
function statsChanged(a: RunStats, b: RunStats): boolean {
  return (
    a.records !== b.records ||
    a.progress !== b.progress ||
    a.deadLetters !== b.deadLetters ||
    a.watermark !== b.watermark ||
    a.paused !== b.paused ||
    a.speed !== b.speed ||
    // The wall clock shows whole seconds; the idle message appears after IDLE_MS.
    Math.floor(a.wallMs / 1000) !== Math.floor(b.wallMs / 1000) ||
    a.idleMs > IDLE_MS !== b.idleMs > IDLE_MS
  );
}


export async function runLiveView(
  replay: Replay,
  recording: string,
  pipeline: string,
  steps: readonly StepSpec[],
  io: LiveViewIo = {},
  quality?: { snapshot(): QualitySnapshot; headline(): string },
): Promise<ReplaySummary> {
  const opening = startPhase();
  const qualityView = (): QualityView | undefined => {
    if (!quality) return undefined;
    const snapshot = quality.snapshot();
    return { headline: quality.headline(), score: snapshot.score, rules: snapshot.rules };
  };
  const infos = steps.map(stepInfo);
  const store = new LiveStore(initialState(shortPath(recording), shortPath(pipeline), infos, replay.pacer.speed, qualityView() ?? null));
  const pending = new PendingOutputs(infos);
  replay.onOutput(pending.add);
  let shown = store.getState().stats;
  /**
   * The window results of the frames not posted yet, copied out of the ring for the view's worker,
   * which folds them into the tables it keeps: the tables (up to ~50K rows) stay out of this heap
   * (in it, their fold and garbage made the replay's own code 5-10% slower at --speed max).
   */
  let unposted: FrameBatches[] = [];
  /** The outputs since the last frame and the replay's counters into the state, if anything changed. */
  const frame = (force: boolean): boolean => {
    const stats = replay.snapshot();
    if (!force && pending.empty && !statsChanged(shown, stats)) return false;
    shown = stats;
    const { action, windows } = pending.workerFrame(stats, replay.pipeline.operators.map((op) => ({ ...op.counters })), qualityView());
    if (windows !== null) unposted.push({ wallMs: stats.wallMs, batches: windows });
    store.apply(action);
    return true;
  };
  /**
   * Posts a frame's state (or the last) with the window results since the last post. Their typed
   * arrays are cloned, not transferred: a transfer detaches an ArrayBuffer, and the first detached
   * buffer in an isolate invalidates V8's ArrayBufferDetaching protector for good, which
   * deoptimizes every function that reads a typed array (the field reader, the window operator)
   * and recompiles it with a detach check on each access: the replay ran ~10% slower for it. The
   * clone copies up to 4,096 × (17 + 9 × fields) bytes per window step a frame (~100 KB at one field).
   */
  const postState = (type: 'show' | 'close', state: LiveState | null): void => {
    const windows = unposted;
    unposted = [];
    worker.postMessage(type === 'show' ? { type, state: state!, windows } : { type, state, windows });
  };

  const terminal: Terminal = io.stdout ?? process.stdout;
  const snapshot = () => viewSnapshot(store.getState(), terminal.rows || 24);
  const ownsTerminal = io.stdout === undefined;
  const gate = new OutputGate();
  const workerData: ViewWorkerData = {
    columns: terminal.columns,
    rows: terminal.rows,
    fd: ownsTerminal ? 1 : (io.fd ?? null),
    gate: gate.buffer,
    colorLevel: chalk.level,
    frames: io.onFrame !== undefined,
    state: snapshot(),
    tables: true,
  };
  const started = io.worker ?? startViewWorker();
  const { worker } = started;
  worker.ref();
  const post = (message: ViewMessage) => worker.postMessage(message);
  post({ type: 'open', data: workerData });

  // Anything written to stderr while the view owns the screen (a warning) would land in the
  // middle of a frame: keep it and print it after the view closes.
  const held: string[] = [];
  const stderrWrite = process.stderr.write;
  // The worker leaves the alternate screen when it closes; when it could not (a failure, a
  // signal, the process's exit), this thread does, once. Synchronous: it runs on 'exit' and just
  // before a signal ends the process. Final: the gate closes first (waiting for a frame the worker
  // is writing), and the worker writes nothing after.
  // A dying process (a signal, 'exit') waits RESTORE_GIVE_UP_MS for a terminal that takes no
  // bytes; a run that ends normally waits as any write does (a terminal paused with ctrl-s).
  let restored = false;
  const restoreTerminal = (giveUpMs: number): void => {
    if (restored) return;
    restored = true;
    gate.close();
    try {
      if (ownsTerminal) writeAll(1, ScreenWriter.restoreSequence(), giveUpMs);
      else terminal.write(ScreenWriter.restoreSequence());
    } catch {
      // The terminal is gone (SIGHUP) or takes no bytes: nothing to restore.
    }
  };
  const restoreOnExit = (): void => restoreTerminal(RESTORE_GIVE_UP_MS);
  const restoreOnSignal = (signal: NodeJS.Signals): void => {
    for (const other of RESTORE_SIGNALS) process.off(other, restoreOnSignal);
    restoreTerminal(RESTORE_GIVE_UP_MS);
    process.kill(process.pid, signal);
  };
  if (ownsTerminal) {
    process.stderr.write = ((chunk: string | Uint8Array) => {
      held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stderr.write;
    // A crash must not leave the terminal on the alternate screen with the cursor hidden.
    process.once('exit', restoreOnExit);
    // Nor must a kill: 'exit' does not run on a signal's default action. Restore synchronously
    // (the process is about to die), then let the signal do what it would have done.
    for (const signal of RESTORE_SIGNALS) process.once(signal, restoreOnSignal);
  }

  let frames = 0;
  let skipped = 0;
  let cpuMs = 0;
  let replayThreadMs = 0;
  /** The last frame's cost (this thread's part and the worker's), and the process's time when it ended. */
  let lastCostMs = 0;
  let lastFrameEnd = cpuMsNow();
  let loopSinceFrame = performance.eventLoopUtilization();
  /** The frame the worker is drawing: this thread's CPU for it so far; null when none. */
  let drawing: { readonly ms: number } | null = null;
  /** A key or a resize came while a frame was being drawn: draw again once it is. */
  let again = false;
  let quit = false;
  let closing: Promise<void> | null = null;
  let lastClosed: Extract<ViewReply, { type: 'closed' }> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let failure: Error | null = null;
  const waiting = new Map<ViewReply['type'], (reply: ViewReply) => void>();
  let workerGone: (error: Error) => void = () => undefined;
  const gone = new Promise<never>((_, reject) => (workerGone = reject));
  gone.catch(() => undefined);
  /** The worker's next reply of `type`; rejected if the worker fails first. */
  const reply = <T extends ViewReply['type']>(type: T): Promise<Extract<ViewReply, { type: T }>> =>
    Promise.race([new Promise<Extract<ViewReply, { type: T }>>((resolve) => waiting.set(type, resolve as (reply: ViewReply) => void)), gone]);

  /** A frame's end, drawn or skipped: what it cost, and where the next one's clocks start. */
  const frameEnded = (costMs: number): void => {
    lastCostMs = costMs;
    lastFrameEnd = cpuMsNow();
    loopSinceFrame = performance.eventLoopUtilization();
  };

  /** Posts a frame of the state now, if one is not being drawn; `force`: even if nothing changed. */
  const draw = (force: boolean): void => {
    if (closing !== null || failure !== null) return;
    if (drawing !== null) {
      again ||= force;
      return;
    }
    const started = threadCpuMs();
    if (!frame(force)) {
      skipped++;
      frameEnded(threadCpuMs() - started);
      return;
    }
    frames++;
    postState('show', snapshot());
    drawing = { ms: threadCpuMs() - started };
  };

  worker.on('message', (message: ViewReply) => {
    switch (message.type) {
      case 'write':
        terminal.write(message.data);
        return;
      case 'frame':
        io.onFrame?.(message.frame);
        return;
      case 'drawn':
        if (drawing !== null) {
          // CPU, not wall: on a shared machine the wall time of a frame includes other processes' turns.
          frameEnded(drawing.ms + message.cpuMs);
          cpuMs += lastCostMs;
          replayThreadMs += drawing.ms;
          drawing = null;
        }
        if (again) {
          again = false;
          draw(true);
        }
        break;
    }
    const resolve = waiting.get(message.type);
    waiting.delete(message.type);
    resolve?.(message);
  });
  const fail = (error: Error) => {
    if (failure !== null) return;
    failure = error;
    clearTimeout(timer);
    replay.stop();
    workerGone(error);
  };
  const exited = (code: number) => fail(new Error(`the live view's worker exited (code ${code})`));
  worker.on('error', fail);
  worker.on('exit', exited);
  // It failed while it loaded ink and React, before the view opened.
  if (started.error !== null) fail(started.error);
  else if (started.exitCode !== null) exited(started.exitCode);

  /** The last frame (the state now), then the worker leaves the alternate screen; its last frame stays. */
  const close = (): Promise<void> => {
    if (closing === null) {
      postState('close', failure === null ? snapshot() : null);
      let waited: NodeJS.Timeout | undefined;
      closing = Promise.race([
        reply('closed').then((closed) => {
          lastClosed = closed;
        }),
        new Promise<void>((resolve) => (waited = setTimeout(resolve, CLOSE_WAIT_MS))),
      ]).finally(() => clearTimeout(waited));
    }
    return closing;
  };

  const controls: ReplayControls = {
    pause: () => replay.pacer.pause(),
    resume: () => replay.pacer.resume(),
    step: () => replay.pacer.step(),
    setSpeed: (speed) => replay.pacer.setSpeed(speed),
    current: () => ({ speed: replay.pacer.speed, paused: replay.pacer.paused }),
    quit: () => {
      // A second quit while the view closes has nothing to add: the last frame is posted.
      if (quit) return;
      // The frame of the state now is the last (taken before the stop, which resumes a paused
      // replay); the replay stops after the current record.
      quit = true;
      clearTimeout(timer);
      frame(true);
      replay.stop();
      void close().catch(() => undefined);
    },
  };
  const stdin = io.stdin ?? process.stdin;
  const keyReader = new KeyReader();
  let escapeTimer: NodeJS.Timeout | undefined;
  /** Keys read together; then a frame of what they changed, unless one was `q`. */
  const onKeyPresses = (keys: readonly KeyPress[]): void => {
    if (!pressKeys(store, controls, keys)) draw(true);
  };
  const onKeys = (chunk: string | Buffer): void => {
    clearTimeout(escapeTimer);
    onKeyPresses(keyReader.read(String(chunk)));
    // A chunk that ends in ESC (or ESC [): the rest of an arrow key, or escape alone.
    if (keyReader.waiting && !quit) escapeTimer = setTimeout(() => onKeyPresses(keyReader.flush()), ESCAPE_WAIT_MS);
  };
  const onResize = (): void => {
    post({ type: 'resize', columns: terminal.columns, rows: terminal.rows });
    draw(true);
  };

  // Every 50 ms (20 frames/s at most), if something shown has changed and a frame is due; until `q`.
  const tick = () => {
    if (quit) return;
    timer = setTimeout(tick, FRAME_MS);
    if (drawing !== null) return;
    const idleMs = performance.eventLoopUtilization(loopSinceFrame).idle;
    if (frameDue(cpuMsNow() - lastFrameEnd, idleMs, lastCostMs, replay.pacer.paused || replay.pacer.speed !== Infinity)) draw(false);
  };

  let open: PhaseCost | null = null;
  let run: PhaseCost | null = null;
  let closingPhase: (() => PhaseCost) | null = null;
  try {
    // The worker has drawn the first frame (ink and React loaded there, not here).
    const startWaitMs = io.startWaitMs ?? START_WAIT_MS;
    let startTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      reply('ready'),
      new Promise<never>((_, reject) => {
        startTimer = setTimeout(() => {
          const error = new Error(`the live view did not start within ${startWaitMs / 1000} s (its worker never drew a frame); run with --no-ui to replay without it`);
          fail(error);
          reject(error);
        }, startWaitMs);
      }),
    ]).finally(() => clearTimeout(startTimer));
    stdin.setRawMode?.(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onKeys);
    stdin.resume();
    terminal.on('resize', onResize);
    // A resize while the worker started: it drew the first frame at the size it was given.
    if (terminal.columns !== workerData.columns || terminal.rows !== workerData.rows) onResize();
    timer = setTimeout(tick, FRAME_MS);
    open = opening();
    const running = startPhase();
    let summary: ReplaySummary;
    try {
      summary = await replay.run();
    } finally {
      run = running();
      closingPhase = startPhase();
    }
    if (failure !== null) throw failure;
    if (!quit) {
      // The last frame carries the final counts (and is what stays on the screen after the view closes).
      clearTimeout(timer);
      frame(true);
      store.apply({ type: 'done' });
    }
    await close();
    if (failure !== null) throw failure;
    return summary;
  } finally {
    clearTimeout(timer);
    clearTimeout(escapeTimer);
    terminal.off('resize', onResize);
    stdin.off('data', onKeys);
    stdin.setRawMode?.(false);
    stdin.pause();
    (stdin as { unref?: () => void }).unref?.();
    // The replay failed (or the worker did): the view still leaves the alternate screen, its last
    // frame on the screen, before the error is told; a worker that cannot, leaves it by this thread.
    if (lastClosed === null && failure === null) await close().catch(() => undefined);
    // The worker is stopped first: a frame it writes after the restore would hide the cursor again.
    worker.removeAllListeners('exit');
    await worker.terminate();
    if (lastClosed === null) restoreTerminal(EAGAIN_GIVE_UP_MS);
    if (ownsTerminal) {
      process.stderr.write = stderrWrite;
      process.off('exit', restoreOnExit);
      for (const signal of RESTORE_SIGNALS) process.off(signal, restoreOnSignal);
      for (const text of held) process.stderr.write(text);
    }
    const closed = closingPhase?.() ?? { cpuMs: 0, wallMs: 0 };
    const closeReply = lastClosed as Extract<ViewReply, { type: 'closed' }> | null;
    io.onCost?.({ frames, inkFrames: closeReply?.inkFrames ?? 0, skipped, cpuMs, replayThreadMs, bytes: closeReply?.bytes ?? 0, open: open ?? { cpuMs: 0, wallMs: 0 }, run: run ?? { cpuMs: 0, wallMs: 0 }, close: closed });
  }
}
