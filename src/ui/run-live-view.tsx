/**
 * Runs a replay under the live view. Imported lazily (only on a terminal), so headless runs never
 * load ink or react. Output records are collected as they come and handed to the reducer in one
 * batch per frame; frames are at most 20 a second (ink's maxFps and our own tick agree).
 */
import { relative } from 'node:path';
import { render } from 'ink';
import type { OutputRecord } from '../engine/operator.js';
import type { StepSpec } from '../engine/spec.js';
import type { Replay, ReplaySummary } from '../replay/replay.js';
import { initialState, type StepInfo } from './live-state.js';
import { LiveStore } from './live-store.js';
import { LiveApp } from './live-app.js';

export const FRAME_MS = 50;

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

/** Where the view draws and reads keys; the terminal unless a benchmark or test supplies streams. */
export interface LiveViewIo {
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
}

export async function runLiveView(
  replay: Replay,
  recording: string,
  pipeline: string,
  steps: readonly StepSpec[],
  io: LiveViewIo = {},
): Promise<ReplaySummary> {
  const store = new LiveStore(initialState(shortPath(recording), shortPath(pipeline), steps.map(stepInfo), replay.pacer.speed));
  let pending: OutputRecord[] = [];
  replay.onOutput((record) => pending.push(record));
  const frame = () => {
    const outputs = pending;
    pending = [];
    store.dispatch({ type: 'frame', outputs, stats: replay.snapshot(), counters: replay.pipeline.operators.map((op) => ({ ...op.counters })) });
  };
  let quit = false;
  const app = render(
    <LiveApp
      store={store}
      controls={{
        pause: () => replay.pacer.pause(),
        resume: () => replay.pacer.resume(),
        step: () => replay.pacer.step(),
        setSpeed: (speed) => replay.pacer.setSpeed(speed),
        quit: () => {
          quit = true;
          replay.stop();
        },
      }}
    />,
    { maxFps: 20, exitOnCtrlC: false, patchConsole: io.stdout === undefined, ...io },
  );
  // Ask for the exit promise now: ink only resolves one that exists when the app unmounts.
  const exited = app.waitUntilExit();
  const timer = setInterval(frame, FRAME_MS);
  try {
    const summary = await replay.run();
    frame();
    store.dispatch({ type: 'done' });
    return summary;
  } finally {
    clearInterval(timer);
    // Let ink paint the final frame before handing the terminal back.
    await new Promise((resolve) => setTimeout(resolve, FRAME_MS));
    if (!quit) app.unmount();
    await exited;
  }
}
