/**
 * What one live-view frame costs, by stage (issue 5): the view of a --speed max replay on a
 * 120×40 terminal, driven without a replay. Each frame folds RING window results over `keys` keys
 * into the table (as PendingOutputs hands them over at --speed max), then draws as the runner
 * does (drawFrame): composed from ink's last output when only the changing lines changed, else
 * React renders, Yoga lays out and ink writes its output grid; the screen writer diffs the lines.
 *
 *   node dist/bench/frame-cost.js [keys=50000] [frames=200] [rows=40] [inkbody]
 *
 * Prints the mean CPU ms of a frame (after 20 warm-up frames): the fold (taking the results and
 * the reducer), then drawing; within it the top-N selection (visibleRows, timed again on its own)
 * and ink's output stage (its renderTime, wall ms: summed over the frames ink rendered, divided by
 * all frames like the other means, composed ones included). `inkbody`
 * renders every frame through ink (no overlay), as before session 7. Run it with
 * `node --cpu-prof` for the functions inside each stage (docs/live-view.md has the breakdown).
 */
import { keyboard, offscreenTerminal } from './offscreen-terminal.js';
import type { RunStats, StepInfo } from '../src/ui/live-state.js';
import type { Terminal } from '../src/ui/screen-writer.js';

// As `sw replay` runs the view: React's production build (set before React loads).
process.env.NODE_ENV ??= 'production';
const { createElement } = await import('react');
const { render } = await import('ink');
const { initialState, visibleRows } = await import('../src/ui/live-state.js');
const { LiveStore } = await import('../src/ui/live-store.js');
const { LiveApp } = await import('../src/ui/live-app.js');
const { PendingOutputs, RING } = await import('../src/ui/pending-outputs.js');
const { FrameStream, ScreenWriter } = await import('../src/ui/screen-writer.js');
const { FrameOverlay, FrameOverlayContext } = await import('../src/ui/frame-overlay.js');
const { drawFrame } = await import('../src/ui/view-renderer.js');
const keys = Number(process.argv[2] ?? 50_000);
const frames = Number(process.argv[3] ?? 200);
const WARM = Number(process.env.WARM ?? 20);

const { cpuMsNow } = await import('../src/ui/phase-cost.js');

const info: StepInfo = { name: 'perUser', kind: 'window', fields: ['events'], window: { type: 'tumbling', size: 60_000 } as StepInfo['window'] };
const store = new LiveStore(initialState('.bench/activity-5m.jsonl', 'bench/pipelines/user-minutes.pipeline.yaml', [info], Infinity));
const pending = new PendingOutputs([info]);
const terminal = offscreenTerminal(120, Number(process.argv[4] ?? 40)) as unknown as Terminal;
const writer = new ScreenWriter(terminal);

const totals = { reducer: 0, topN: 0, frame: 0, inkWall: 0, inkRenders: 0 };
let inkRenderMs = 0;
let inkRenders = 0;
// As the view draws (view-renderer.tsx): the changing lines past ink (a frame that changes only
// them is composed from ink's last output); `inkbody` as an argument renders every frame through ink.
const overlay = process.argv.includes('inkbody') ? null : new FrameOverlay();
const frameStream = new FrameStream(terminal, writer, () => undefined, overlay);
writer.start();
const app = render(
  createElement(FrameOverlayContext.Provider, { value: overlay }, createElement(LiveApp, { store, controls: { pause() {}, resume() {}, step() {}, setSpeed() {}, quit() {} } })),
  { stdout: frameStream as unknown as NodeJS.WriteStream, stdin: keyboard(), debug: true, exitOnCtrlC: false, patchConsole: false, onRender: ({ renderTime }) => { inkRenderMs += renderTime; inkRenders++; } },
);

// Made once, so that the harness leaves no garbage of its own between frames.
const pool = Array.from({ length: 4 * keys + 1 }, (_, n) => {
  const minute = Math.floor(n / keys);
  return { step: 'perUser', kind: 'window' as const, key: `u${n % keys}`, start: minute * 60_000, end: minute * 60_000 + 60_000, firing: 'onTime' as const, fields: { events: (n * 7919) % 97 } };
});
let seq = 0;
let records = 0;
for (let f = 0; f < WARM + frames; f++) {
  // RING results over `keys` keys, as a --speed max replay leaves them between two frames.
  for (let i = 0; i < RING; i++, seq++) pending.add(pool[seq % pool.length]!);
  records += RING * 3;
  const stats: RunStats = { records, deadLetters: 0, watermark: 1.7e12 + f * 1000, maxEventTime: 1.7e12 + f * 1000 + 5000, minEventTime: 1.7e12, progress: f / (WARM + frames), wallMs: f * 100, speed: Infinity, paused: false, idleMs: 0 };
  inkRenderMs = 0;
  inkRenders = 0;
  const start = cpuMsNow();
  store.apply(pending.frame(stats, [{ seen: records, accepted: records, results: seq, late: 0, exprErrors: 0 }]));
  const dispatched = cpuMsNow();
  if (overlay === null) store.notify();
  else drawFrame(store, overlay, frameStream);
  // React renders the update in a microtask; ink lays out and writes the frame synchronously.
  await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
  const end = cpuMsNow();
  visibleRows(store.getState().steps[0]!, '', 0, 30);
  const topMs = cpuMsNow() - end;
  if (f < WARM) continue;
  totals.reducer += dispatched - start;
  totals.frame += end - start;
  totals.topN += topMs;
  totals.inkWall += inkRenderMs;
  totals.inkRenders += inkRenders;
}
app.unmount();
frameStream.detach();
const mean = (ms: number) => (ms / frames).toFixed(2);
process.stdout.write(
  `${keys} keys, ${frames} frames of ${RING} results, CPU ms per frame: ${mean(totals.frame)} = fold ${mean(totals.reducer)} + render and draw ${mean(totals.frame - totals.reducer)}` +
    ` (within it: top-N ${mean(totals.topN)} CPU, ink's output stage ${mean(totals.inkWall)} wall;` +
    ` ink rendered ${totals.inkRenders} of the ${frames} frames, the others were composed from its last output)\n`,
);
process.exit(0);
