/**
 * Runs a replay under the live view. Imported lazily (only on a terminal), so headless runs never
 * load ink or react. Output records are collected as they come and handed to the reducer in one
 * batch per frame; a frame is drawn at most 20 times a second, and not at all when nothing the
 * view shows has changed. ink renders a frame to a string (debug mode: synchronously, no writer of
 * its own) only when the layout changes; the frames between are composed from its last output with
 * the changing lines (frame-overlay.ts). The screen writer puts only the changed lines on the terminal.
 */
import { relative } from 'node:path';
import { render } from 'ink';
import type { StepSpec } from '../engine/spec.js';
import type { Replay, ReplaySummary } from '../replay/replay.js';
import { IDLE_MS, initialState, type QualityView, type RunStats, type StepInfo } from './live-state.js';
import type { QualitySnapshot } from '../quality/monitor.js';
import { LiveStore } from './live-store.js';
import { PendingOutputs } from './pending-outputs.js';
import { frameView, LiveApp, showView } from './live-app.js';
import { FrameStream, ScreenWriter, type Terminal } from './screen-writer.js';
import { FrameOverlay, FrameOverlayContext } from './frame-overlay.js';
import { cpuMsNow, startPhase, type PhaseCost } from './phase-cost.js';

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

/**
 * Draws the store's state. When the layout is the one ink drew last and only the overlay's lines
 * changed (the clocks, counts, progress, tabs, the table's rows and footer: every frame of a
 * --speed max run but a few), the frame is composed from ink's last output, synchronously: no
 * React render, no Yoga layout, no ink output stage. Otherwise React renders (in a microtask) and
 * ink draws a new frame.
 */
export function drawFrame(store: LiveStore, overlay: FrameOverlay, stream: FrameStream): void {
  if (overlay.key !== null && stream.canRedraw) {
    const view = frameView(store.getState(), stream.columns, stream.rows);
    if (view.key === overlay.key) {
      showView(overlay, view, stream.columns);
      stream.redraw();
      return;
    }
  }
  store.notify();
}

/** How long the end of a run waits for its last frame to be drawn. */
const LAST_FRAME_WAIT_MS = 1_000;

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
  readonly cpuMs: number;
  readonly bytes: number;
  readonly open: PhaseCost;
  /** The replay under the view, from its start to its end (frames drawn meanwhile included). */
  readonly run: PhaseCost;
  readonly close: PhaseCost;
}

/** Where the view draws and reads keys; the terminal unless a benchmark or test supplies streams. */
export interface LiveViewIo {
  readonly stdout?: Terminal;
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
  let frames = 0;
  let skipped = 0;
  /** Hands the outputs since the last frame and the replay's counters to the view, if anything changed. */
  const frame = (force: boolean): boolean => {
    const stats = replay.snapshot();
    if (!force && pending.empty && !statsChanged(shown, stats)) return false;
    shown = stats;
    store.apply(pending.frame(stats, replay.pipeline.operators.map((op) => ({ ...op.counters })), qualityView()));
    return true;
  };

  // A frame's cost runs from the tick's dispatch to the end of the draw: React renders in a
  // microtask after the dispatch, ink lays out and hands the frame over, the writer diffs it.
  let tickStarted: number | null = null;
  let lastCostMs = 0;
  let lastFrameEnd = cpuMsNow();
  let loopSinceFrame = performance.eventLoopUtilization();
  let cpuMs = 0;
  // Resolved by the next frame that reaches the terminal (the end of the run waits for its frame).
  let nextFrameDrawn: (() => void) | null = null;
  const frameDrawn = (frame?: string) => {
    if (frame !== undefined) io.onFrame?.(frame);
    if (frame !== undefined && nextFrameDrawn !== null) {
      const resolve = nextFrameDrawn;
      nextFrameDrawn = null;
      resolve();
    }
    if (tickStarted === null) return;
    // CPU, not wall: on a shared machine the wall time of a frame includes other processes' turns.
    lastFrameEnd = cpuMsNow();
    loopSinceFrame = performance.eventLoopUtilization();
    lastCostMs = lastFrameEnd - tickStarted;
    cpuMs += lastCostMs;
    tickStarted = null;
  };
  const terminal: Terminal = io.stdout ?? process.stdout;
  const writer = new ScreenWriter(terminal);
  const overlay = new FrameOverlay();
  const frameStream = new FrameStream(terminal, writer, frameDrawn, overlay);
  // Anything written to stderr while the view owns the screen (a warning) would land in the
  // middle of a frame: keep it and print it after the view closes.
  const ownsTerminal = io.stdout === undefined;
  const held: string[] = [];
  const stderrWrite = process.stderr.write;
  const restoreTerminal = () => process.stdout.write(ScreenWriter.restoreSequence());
  if (ownsTerminal) {
    process.stderr.write = ((chunk: string | Uint8Array) => {
      held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stderr.write;
    // A crash must not leave the terminal on the alternate screen with the cursor hidden.
    process.once('exit', restoreTerminal);
  }
  writer.start();

  let quit = false;
  let timer: NodeJS.Timeout | undefined;
  const app = render(
    <FrameOverlayContext.Provider value={overlay}>
    <LiveApp
      store={store}
      controls={{
        pause: () => replay.pacer.pause(),
        resume: () => replay.pacer.resume(),
        step: () => replay.pacer.step(),
        setSpeed: (speed) => replay.pacer.setSpeed(speed),
        current: () => ({ speed: replay.pacer.speed, paused: replay.pacer.paused }),
        quit: () => {
          // ink unmounts the app next (drawing its last frame as it goes): no tick may draw after it.
          quit = true;
          clearTimeout(timer);
          replay.stop();
        },
      }}
    />
    </FrameOverlayContext.Provider>,
    {
      stdout: frameStream as unknown as NodeJS.WriteStream,
      ...(io.stdin ? { stdin: io.stdin } : {}),
      // Debug mode: ink renders each commit synchronously and writes the whole frame to
      // frameStream, without its own throttle or erase-and-rewrite; the writer diffs the lines.
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  // Ask for the exit promise now: ink only resolves one that exists when the app unmounts. Once
  // it has (its last frame drawn), no frame may be composed past it.
  const exited = app.waitUntilExit().finally(() => frameStream.close());
  // Every 50 ms (20 frames/s at most), if something shown has changed and a frame is due; until `q`.
  const tick = () => {
    if (quit) return;
    timer = setTimeout(tick, FRAME_MS);
    const now = cpuMsNow();
    const idleMs = performance.eventLoopUtilization(loopSinceFrame).idle;
    if (!frameDue(now - lastFrameEnd, idleMs, lastCostMs, replay.pacer.paused || replay.pacer.speed !== Infinity)) return;
    tickStarted = now;
    if (frame(false)) {
      frames++;
      drawFrame(store, overlay, frameStream);
    }
    else {
      skipped++;
      frameDrawn();
    }
  };
  timer = setTimeout(tick, FRAME_MS);
  const open = opening();
  const running = startPhase();
  let run: PhaseCost | null = null;
  let closing = running;
  try {
    const summary = await replay.run();
    run = running();
    closing = startPhase();
    // After `q` ink has unmounted the app already (drawing its last frame as it went) and the ticks
    // have stopped: nothing draws again, and waiting for a last frame would hold the summary back
    // LAST_FRAME_WAIT_MS.
    if (quit) return summary;
    // The last frame carries the final counts (and is what stays on the screen after the view
    // closes): wait until it is drawn. React schedules the render, so on a busy machine it can
    // come later than the next turn of the event loop; a second at most.
    let waited: NodeJS.Timeout | undefined;
    const drawn = new Promise<void>((resolve) => {
      nextFrameDrawn = resolve;
      waited = setTimeout(resolve, LAST_FRAME_WAIT_MS);
    });
    frame(true);
    store.apply({ type: 'done' });
    drawFrame(store, overlay, frameStream);
    await drawn;
    clearTimeout(waited);
    // Drawn (not timed out): ink need not render it again when it unmounts.
    if (nextFrameDrawn === null) frameStream.close();
    nextFrameDrawn = null;
    return summary;
  } finally {
    clearTimeout(timer);
    if (!quit) app.unmount();
    await exited;
    frameStream.detach();
    writer.finish();
    if (ownsTerminal) {
      process.stderr.write = stderrWrite;
      process.off('exit', restoreTerminal);
      for (const text of held) process.stderr.write(text);
    }
    io.onCost?.({ frames, inkFrames: frameStream.inkFrames, skipped, cpuMs, bytes: writer.bytesWritten, open, run: run ?? running(), close: closing() });
  }
}
