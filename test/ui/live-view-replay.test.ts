/**
 * The live view over a real replay of a small recording, drawn on a virtual 100×30 terminal:
 * keys change what it shows, a paused view rewrites only the lines that change (its clock and
 * rate), a resize leaves no stale line, and quitting hands the screen back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompiledPipeline } from '../../src/spec/compile.js';
import { Replay } from '../../src/replay/replay.js';
import { Worker } from 'node:worker_threads';
import { runLiveView, ViewWorker } from '../../src/ui/run-live-view.js';
import { HIGHLIGHT_MS } from '../../src/ui/live-state.js';
import { ROOT } from '../cli/run-sw.js';
import { keyboard, until, VirtualTerminal } from './virtual-terminal.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The screen a frame should leave: its rows, cut at the terminal's height, trailing spaces dropped. */
function expectedScreen(frame: string, rows: number): string {
  const lines = frame.split('\n').slice(0, rows).map((line) => line.replace(/\u001B\[[\d;]*m/g, '').trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

/** Rows the bytes written since `from` moved to (ESC[r;1H), 1-based, without repeats. */
function rowsRewritten(terminal: VirtualTerminal, from: number): number[] {
  return [...new Set([...terminal.writes.slice(from).join('').matchAll(/\u001B\[(\d+);1H/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

test('live view over a replay: keys, a paused view, a resize and quitting', async () => {
  const recording = join(ROOT, 'test/fixtures/live.jsonl');
  const pipeline = join(ROOT, 'test/fixtures/live.pipeline.yaml');
  const compiled = await loadCompiledPipeline(pipeline);
  const replay = new Replay({ recording, compiled, speed: 100, deadLetterPath: null });
  const terminal = new VirtualTerminal(100, 30);
  const keys = keyboard();
  let lastFrame = '';
  const running = runLiveView(replay, recording, pipeline, compiled.spec.steps, { stdout: terminal, stdin: keys, onFrame: (frame) => (lastFrame = frame) });
  const screen = () => terminal.screen();
  const records = () => Number(/records (\d+)/.exec(screen())?.[1] ?? -1);
  try {
    await drive();
  } finally {
    keys.write('q');
  }
  const summary = await running;
  assert.equal(summary.stopped, true);
  assert.equal(terminal.alternateScreen, false);
  assert.equal(terminal.cursorHidden, false);

  async function drive(): Promise<void> {

  await until('records arriving', () => records() > 0);
  assert.equal(terminal.alternateScreen, true);
  assert.equal(terminal.cursorHidden, true);
  assert.match(screen(), /sw replay .*live\.jsonl · pipeline .*live\.pipeline\.yaml +▶ playing 100x/);

  keys.write(' ');
  await until('the pause', () => /⏸ paused 100x/.test(screen()));
  await sleep(300); // a record released before the pause may still be drawn
  const paused = records();
  keys.write('\u001B[C');
  await until('one record forward', () => records() === paused + 1);

  // Paused: once the highlights of the last changes are out (HIGHLIGHT_MS), only the clock
  // (row 3) and the rate with its sparkline (row 4) may change.
  await sleep(HIGHLIGHT_MS + 1_200);
  const mark = terminal.writes.length;
  await sleep(2_200);
  const rewritten = rowsRewritten(terminal, mark);
  assert.ok(rewritten.length > 0, 'the wall clock should tick');
  assert.ok(rewritten.every((row) => row === 3 || row === 4), `rows rewritten while paused: ${rewritten.join(', ')}`);
  assert.equal(screen(), expectedScreen(lastFrame, 30));

  keys.write('2');
  await until('the pattern panel', () => /streaks \(pattern\)/.test(screen()));
  keys.write('+');
  await until('the speed change', () => /⏸ paused 200x/.test(screen()));

  terminal.resize(70, 24);
  await until('the frame at the new size', () => screen().startsWith('╭' + '─'.repeat(68) + '╮'));
  await sleep(100);
  assert.deepEqual(terminal.overflows, [], 'no row may be wider than the terminal');
  assert.equal(screen(), expectedScreen(lastFrame, 24), 'the screen shows the last frame and nothing else');
  assert.ok(screen().split('\n').every((line) => line.length <= 70));
  assert.equal(screen().split('\n').filter((line) => line.startsWith('╭')).length, 1);

  }
});

test('rendering is throttled: a replay that changes the view all the time draws at most 20 frames a second', async () => {
  // The first 200 s of event time (400 records) at 100x: a record every 5 ms of wall time, so
  // every 50 ms tick has something new to draw, and the loop is idle enough that the frames'
  // CPU budget does not hold them back. An upper bound only: a loaded machine draws fewer.
  const recording = join(ROOT, 'test/fixtures/live.jsonl');
  const pipeline = join(ROOT, 'test/fixtures/live.pipeline.yaml');
  const compiled = await loadCompiledPipeline(pipeline);
  const replay = new Replay({ recording, compiled, speed: 100, deadLetterPath: null, to: Date.UTC(2026, 0, 1, 0, 3, 20) });
  const terminal = new VirtualTerminal(100, 30);
  const frames: number[] = [];
  const started = performance.now();
  const summary = await runLiveView(replay, recording, pipeline, compiled.spec.steps, { stdout: terminal, stdin: keyboard(), onFrame: () => frames.push(performance.now()) });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(summary.records, 400);
  assert.ok(frames.length >= 2, `frames: ${frames.length}`);
  // One frame per 50 ms tick at most (timers may fire a millisecond early: 5% slack), and the
  // first (mount) and last (done) frames outside the ticks.
  assert.ok(frames.length <= Math.floor(seconds * 20 * 1.05) + 3, `${frames.length} frames in ${seconds.toFixed(2)} s`);
});

test('the end of a run draws its last frame once: ink does not render it again when the view unmounts', async () => {
  const recording = join(ROOT, 'test/fixtures/live.jsonl');
  const pipeline = join(ROOT, 'test/fixtures/live.pipeline.yaml');
  const compiled = await loadCompiledPipeline(pipeline);
  const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
  const terminal = new VirtualTerminal(100, 30);
  const frames: string[] = [];
  const summary = await runLiveView(replay, recording, pipeline, compiled.spec.steps, { stdout: terminal, stdin: keyboard(), onFrame: (frame) => frames.push(frame) });
  const done = frames.filter((frame) => frame.includes('■ done'));
  assert.equal(done.length, 1, `${done.length} frames show the end of the run`);
  assert.equal(frames.at(-1), done[0]);
  assert.match(done[0]!, new RegExp(`records ${summary.records}\\b`));
  // The last frame's table holds each page's last window as the input gives it (the close
  // message carries the results since the frame before: a view that dropped them shows older rows).
  const last = new Map<string, { start: number; views: number; users: Set<string> }>();
  for (const line of readFileSync(recording, 'utf8').split('\n').filter(Boolean)) {
    const { ts, user, page } = JSON.parse(line) as { ts: number; user: string; page: string };
    const start = ts - (ts % 10_000);
    const row = last.get(page);
    if (row === undefined || row.start < start) last.set(page, { start, views: 1, users: new Set([user]) });
    else if (row.start === start) {
      row.views++;
      row.users.add(user);
    }
  }
  const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  assert.equal(last.size, 4);
  for (const [page, row] of last) {
    assert.match(done[0]!, new RegExp(`│ [ ●] ${page} +${clock(row.start)}–${clock(row.start + 10_000)} +${row.views} +${row.users.size} `), page);
  }
  // The last frame stays on the normal screen.
  assert.equal(terminal.alternateScreen, false);
  assert.ok(terminal.writes.at(-1)!.endsWith(`${done[0]}\n`));
});

test('after `q` no frame is drawn: the ticks stop while the replay winds down, nothing lands on the screen ink gave up', async () => {
  const recording = join(ROOT, 'test/fixtures/live.jsonl');
  const pipeline = join(ROOT, 'test/fixtures/live.pipeline.yaml');
  const compiled = await loadCompiledPipeline(pipeline);
  const replay = new Replay({ recording, compiled, speed: 100, deadLetterPath: null });
  // A replay that ends WIND_DOWN_MS after its stop, its counters changing on every poll: every
  // tick in that time would have a frame to draw.
  const WIND_DOWN_MS = 1_000;
  const run = replay.run.bind(replay);
  replay.run = async () => {
    const summary = await run();
    await sleep(WIND_DOWN_MS);
    return summary;
  };
  const snapshot = replay.snapshot.bind(replay);
  let polls = 0;
  replay.snapshot = () => {
    const stats = snapshot();
    return { ...stats, records: stats.records + ++polls };
  };
  const terminal = new VirtualTerminal(100, 30);
  const keys = keyboard();
  let frames = 0;
  const running = runLiveView(replay, recording, pipeline, compiled.spec.steps, { stdout: terminal, stdin: keys, onFrame: () => frames++ });
  let atQuit = 0;
  try {
    // The table at its full length (the four pages): from here its frames are composed, not rendered.
    await until('the table of the four pages', () => frames > 2 && /4 keys · \d+ late/.test(terminal.screen()));
  } finally {
    atQuit = frames;
    keys.write('q');
  }
  const summary = await running;
  assert.equal(summary.stopped, true);
  // The frame ink draws as it unmounts, and a tick that may come before the key is read.
  assert.ok(frames - atQuit <= 2, `${frames - atQuit} frames drawn after q`);
  assert.equal(terminal.alternateScreen, false);
});

test('a replay that fails still leaves the view: the alternate screen left, the cursor back, the last frame on the screen, the error told', async () => {
  const recording = join(ROOT, 'test/fixtures/live.jsonl');
  const pipeline = join(ROOT, 'test/fixtures/live.pipeline.yaml');
  const compiled = await loadCompiledPipeline(pipeline);
  const replay = new Replay({ recording, compiled, speed: 100, deadLetterPath: null });
  const run = replay.run.bind(replay);
  replay.run = async () => {
    const running = run();
    await sleep(400);
    replay.stop();
    await running;
    throw new Error('the disk went away');
  };
  const terminal = new VirtualTerminal(100, 30);
  await assert.rejects(runLiveView(replay, recording, pipeline, compiled.spec.steps, { stdout: terminal, stdin: keyboard() }), /the disk went away/);
  assert.equal(terminal.alternateScreen, false);
  assert.equal(terminal.cursorHidden, false);
  assert.match(terminal.screen(), /sw replay .*live\.jsonl/);
});

/** A live view whose worker is `worker` (an eval'd script): the start's failure paths. */
async function openWith(worker: ViewWorker, startWaitMs?: number) {
  const recording = join(ROOT, 'test/fixtures/live.jsonl');
  const pipeline = join(ROOT, 'test/fixtures/live.pipeline.yaml');
  const compiled = await loadCompiledPipeline(pipeline);
  const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
  const terminal = new VirtualTerminal(100, 30);
  const view = runLiveView(replay, recording, pipeline, compiled.spec.steps, { stdout: terminal, stdin: keyboard(), worker, ...(startWaitMs === undefined ? {} : { startWaitMs }) });
  return { view, replay, terminal };
}

test('a worker that never draws its first frame: the view gives up after the start wait, names --no-ui, reads no record and leaves the terminal as it was', async () => {
  const { view, replay, terminal } = await openWith(new ViewWorker(new Worker('setInterval(() => undefined, 1_000);', { eval: true })), 300);
  // As if the worker had switched the screen and hidden the cursor before it stalled: the view's
  // restore must undo both.
  terminal.write('\x1b[?1049h\x1b[?25l');
  assert.equal(terminal.alternateScreen, true);
  assert.equal(terminal.cursorHidden, true);
  await assert.rejects(view, /^Error: the live view did not start within 0\.3 s \(its worker never drew a frame\); run with --no-ui to replay without it$/);
  assert.equal(replay.snapshot().records, 0);
  assert.equal(terminal.alternateScreen, false);
  assert.equal(terminal.cursorHidden, false);
});

test('a worker that fails while it loads, before the view opens: the view fails with its error', async () => {
  const worker = new ViewWorker(new Worker("throw new Error('ink could not load');", { eval: true }));
  // The failure comes before the view is asked to open: it is kept until then. (Started
  // unreferenced, the worker would not keep this test's process up while it waits.)
  worker.worker.ref();
  await new Promise((resolve) => worker.worker.once('exit', resolve));
  const { view, replay, terminal } = await openWith(worker);
  await assert.rejects(view, /ink could not load/);
  assert.equal(replay.snapshot().records, 0);
  assert.equal(terminal.cursorHidden, false);
});
