/**
 * The view's worker (view-worker.ts) and what it is fed: a snapshot in, the frame text out, the
 * same frame a renderer in this thread draws of the whole state; a resize lays the frame out at
 * the new size; closing leaves the alternate screen with the last frame on the screen. The
 * snapshot (view-snapshot.ts) gives the same view as the state it was cut from. And a frame whose
 * layout changes selects its rows once (drawFrame makes the view, React renders the same one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { frameView } from '../../src/ui/live-app.js';
import { initialState, liveReducer, type LiveAction, type LiveState, type StepInfo, type WindowRow } from '../../src/ui/live-state.js';
import { PendingOutputs } from '../../src/ui/pending-outputs.js';
import { viewSnapshot } from '../../src/ui/view-snapshot.js';
import { ViewRenderer } from '../../src/ui/view-renderer.js';
import type { FrameWindows, ViewMessage, ViewReply, ViewWorkerData } from '../../src/ui/view-worker.js';
import { until, VirtualTerminal } from './virtual-terminal.js';
import { stats } from './run-stats.js';

const STEPS: StepInfo[] = [
  { name: 'trending', kind: 'window', fields: ['watches', 'users'], window: { type: 'tumbling', size: 60_000, offset: 0 } },
  { name: 'binge', kind: 'pattern', fields: ['watched'] },
];

/** Frame f's outputs: 7 × f keys' window results (up to 300), late firings among them, a match with many events. */
function addOutputs(pending: PendingOutputs, f: number): void {
  for (let k = 0; k < Math.min(300, 7 * f); k++) {
    pending.add({ step: 'trending', kind: 'window', key: `content-${k}`, start: f * 60_000, end: (f + 1) * 60_000, firing: k % 11 === 0 ? 'late' : 'onTime', fields: { watches: (k * 31 + f) % 97, users: k % 5 } });
  }
  pending.add({ step: 'binge', kind: 'match', key: `u${f}`, start: f * 1_000, end: f * 1_000 + 500, fields: { watched: f }, events: { first: [{ n: 1 }], then: Array.from({ length: 9 }, (_, n) => ({ n })) } });
}

/** Frame f's action: the outputs since the last frame, the counters. */
function frameAction(pending: PendingOutputs, f: number) {
  return pending.frame(stats({ records: f * 1_000, wallMs: f * 400, maxEventTime: f * 60_000, watermark: f * 60_000 - 2_000, minEventTime: 0, progress: f / 50, speed: Infinity }), [
    { seen: f * 1_000, accepted: f * 900, results: f * 7, late: f, exprErrors: 0 },
    { seen: f * 1_000, accepted: f * 10, results: f, late: 0, exprErrors: 0 },
  ]);
}

const initial = () => initialState('scenarios/binge.jsonl', 'binge.pipeline.yaml', STEPS, Infinity);

/** A run `f` frames in: 7 × f keys (up to 300), late firings, matches with many events, counters. */
function stateAt(frames: number, actions: LiveAction[] = []): LiveState {
  let state = initial();
  const pending = new PendingOutputs(STEPS);
  for (let f = 1; f <= frames; f++) {
    addOutputs(pending, f);
    state = liveReducer(state, frameAction(pending, f));
  }
  return actions.reduce(liveReducer, state);
}

const STATES: Array<[string, LiveState]> = [
  ['the table', stateAt(30)],
  ['sorted by users, filtered', stateAt(30, [{ type: 'cycleSort' }, { type: 'startFilter' }, { type: 'filterText', text: 'content-1' }, { type: 'endFilter', keep: true }])],
  ['sorted by key', stateAt(12, [{ type: 'cycleSort' }, { type: 'cycleSort' }])],
  ['the feed', stateAt(30, [{ type: 'select', index: 1 }])],
  ['the feed, filtered', stateAt(30, [{ type: 'select', index: 1 }, { type: 'filterText', text: 'u2' }])],
  ['nothing yet', stateAt(0)],
];

for (const [columns, rows] of [[120, 40], [80, 24], [36, 20]] as const) {
  test(`a snapshot shows what its state shows (${columns}×${rows})`, () => {
    for (const [name, state] of STATES) {
      const snapshot = viewSnapshot(state, rows);
      assert.ok(snapshot.steps.every((step) => step.rows.size <= rows && step.feed.length <= rows), name);
      assert.deepEqual(structuredClone(frameView(snapshot, columns, rows)), structuredClone(frameView(state, columns, rows)), name);
    }
  });
}

test('a snapshot keeps the selected panel only, and at most five of a stage\'s events (the feed shows four and `…`)', () => {
  const state = stateAt(30);
  const table = viewSnapshot(state, 40);
  assert.equal(table.steps[0]!.rows.size, 40);
  assert.deepEqual(table.steps[0]!.kept, { keys: 210, feed: 0 });
  assert.equal(table.steps[1]!.feed.length, 0);
  assert.deepEqual(table.steps[1]!.kept, { keys: 0, feed: 30 });
  const feed = viewSnapshot(liveReducer(state, { type: 'select', index: 1 }), 40).steps[1]!;
  assert.equal(feed.feed.length, 30);
  assert.deepEqual(feed.feed.map((item) => item.events.then!.length), Array<number>(30).fill(5));
  assert.equal(feed.feed.at(-1)!.stages.then, 9);
});

/** A table whose rows count each time they are listed (visibleRows lists them once a selection). */
class CountingRows extends Map<string, WindowRow> {
  listed = 0;
  override values(): MapIterator<WindowRow> {
    this.listed++;
    return super.values();
  }
}

test('a frame whose layout changes selects and formats its rows once: React renders the view drawFrame made', async () => {
  const terminal = new VirtualTerminal(100, 30);
  const renderer = new ViewRenderer(terminal, stateAt(1));
  try {
    for (const frames of [2, 3, 30]) {
      // 14, 21 and then more keys than the panel's rows: each frame adds table rows, a new layout.
      const state = stateAt(frames);
      const rows = new CountingRows(state.steps[0]!.rows);
      const before = renderer.inkFrames;
      await renderer.show({ ...state, steps: [{ ...state.steps[0]!, rows }, state.steps[1]!] });
      assert.equal(renderer.inkFrames, before + 1, `frame ${frames}: ink renders the new layout`);
      assert.equal(rows.listed, 1, `frame ${frames}: the rows were listed ${rows.listed} times`);
    }
  } finally {
    await renderer.close(null);
  }
});

/** The worker of the built view, its replies kept in order. */
function startWorker(data: ViewWorkerData) {
  const worker = new Worker(new URL('../../src/ui/view-worker.js', import.meta.url), { workerData: data });
  const replies: ViewReply[] = [];
  worker.on('message', (reply: ViewReply) => replies.push(reply));
  const post = (message: ViewMessage) => worker.postMessage(message);
  const count = (type: ViewReply['type']) => replies.filter((reply) => reply.type === type).length;
  const frames = () => replies.flatMap((reply) => (reply.type === 'frame' ? [reply.frame] : []));
  return { worker, replies, post, count, frames };
}

test('the worker: a snapshot in, its frame out (as a renderer in this thread draws the whole state), a resize, the last frame on the screen', async () => {
  const first = stateAt(1);
  const { worker, replies, post, count, frames } = startWorker({ columns: 100, rows: 30, fd: null, colorLevel: 0, frames: true, state: viewSnapshot(first, 30) });
  try {
    await until('ready', () => count('ready') === 1);
    const local = new VirtualTerminal(100, 30);
    const drawn: string[] = [];
    const renderer = new ViewRenderer(local, first, (frame) => drawn.push(frame));
    try {
      assert.equal(frames()[0], drawn[0], 'the first frame');
      for (const [n, state] of STATES.entries()) {
        post({ type: 'show', state: viewSnapshot(state[1], 30) });
        await until(`frame ${n} drawn`, () => count('drawn') === n + 1);
        await renderer.show(state[1]);
        assert.equal(frames().at(-1), drawn.at(-1), state[0]);
      }
    } finally {
      await renderer.close(null);
    }
    const drawnReply = replies.find((reply) => reply.type === 'drawn');
    assert.ok(drawnReply?.type === 'drawn' && drawnReply.cpuMs > 0 && drawnReply.cpuMs < 10_000, 'a frame reports the CPU it cost');

    post({ type: 'resize', columns: 60, rows: 20 });
    post({ type: 'show', state: viewSnapshot(STATES[0]![1], 20) });
    await until('the frame at 60×20', () => frames().at(-1)!.startsWith(`╭${'─'.repeat(58)}╮`));
    const last = stateAt(31);
    post({ type: 'close', state: viewSnapshot(last, 20) });
    await until('closed', () => count('closed') === 1);
    // The bytes the worker wrote, on a terminal of that size: the alternate screen left, the cursor back, the last frame shown.
    const screen = new VirtualTerminal(60, 20);
    for (const reply of replies) if (reply.type === 'write') screen.write(reply.data);
    assert.equal(screen.alternateScreen, false);
    assert.equal(screen.cursorHidden, false);
    assert.match(frames().at(-1)!, /records 31\.0K/);
    assert.match(screen.screen(), /records 31\.0K/);
    const closed = replies.find((reply) => reply.type === 'closed');
    assert.ok(closed?.type === 'closed' && closed.inkFrames >= 2 && closed.bytes > 0);
  } finally {
    await worker.terminate();
  }
});

test('the worker started early (no data): it warms up where nobody sees it, then opens the view on `open`; a message right behind `open` waits its turn', async () => {
  const worker = new Worker(new URL('../../src/ui/view-worker.js', import.meta.url));
  const replies: ViewReply[] = [];
  worker.on('message', (reply: ViewReply) => replies.push(reply));
  const count = (type: ViewReply['type']) => replies.filter((reply) => reply.type === type).length;
  try {
    const first = stateAt(1);
    const data: ViewWorkerData = { columns: 100, rows: 30, fd: null, colorLevel: 0, frames: true, state: viewSnapshot(first, 30) };
    worker.postMessage({ type: 'open', data } satisfies ViewMessage);
    worker.postMessage({ type: 'show', state: viewSnapshot(stateAt(30), 30) } satisfies ViewMessage);
    await until('the frame after the first drawn', () => count('drawn') === 1);
    assert.equal(replies[0]!.type, 'write', 'nothing of the warm-up reached the terminal: the first bytes are the view opening');
    assert.ok(replies[0]!.type === 'write' && replies[0]!.data.startsWith('\u001B[?1049h'), 'the first bytes switch to the alternate screen');
    const local = new VirtualTerminal(100, 30);
    const drawn: string[] = [];
    const renderer = new ViewRenderer(local, first, (frame) => drawn.push(frame));
    try {
      await renderer.show(stateAt(30));
    } finally {
      await renderer.close(null);
    }
    const frames = replies.flatMap((reply) => (reply.type === 'frame' ? [reply.frame] : []));
    assert.deepEqual(frames, drawn, 'the first frame of the real state, then the next: no warm-up frame among them');
    assert.equal(count('ready'), 1);
  } finally {
    await worker.terminate();
  }
});

test('the worker keeps the tables: each frame brings the window results since the last (two frames in one message too), and draws what a renderer of the whole state draws', async () => {
  const pending = new PendingOutputs(STEPS);
  // This thread's state with its tables, drawn here; the runner's without, the worker keeps them.
  let whole = initial();
  let runner = initial();
  const { worker, replies, count, frames } = startWorker({ columns: 100, rows: 30, fd: null, colorLevel: 0, frames: true, state: viewSnapshot(runner, 30), tables: true });
  const local = new VirtualTerminal(100, 30);
  const drawn: string[] = [];
  const renderer = new ViewRenderer(local, whole, (frame) => drawn.push(frame));
  let windows: FrameWindows[number][] = [];
  const keys: Array<[number, LiveAction]> = [[6, { type: 'cycleSort' }], [9, { type: 'startFilter' }], [9, { type: 'filterText', text: 'content-1' }], [12, { type: 'endFilter', keep: false }]];
  try {
    await until('ready', () => count('ready') === 1);
    for (let f = 1; f <= 14; f++) {
      addOutputs(pending, f);
      // On top by every sort: a key only frame 10 has (lost if the worker folds only the last frame
      // of a message), and a window of frame 10 fired again late in frame 11 (the older value shown
      // if the worker folds a message's frames out of order).
      if (f === 10) {
        pending.add({ step: 'trending', kind: 'window', key: 'content-1-only-in-10', start: 600_000, end: 660_000, firing: 'onTime', fields: { watches: 500, users: 500 } });
        pending.add({ step: 'trending', kind: 'window', key: 'content-1-fired-twice', start: 600_000, end: 660_000, firing: 'onTime', fields: { watches: 400, users: 400 } });
      }
      if (f === 11) pending.add({ step: 'trending', kind: 'window', key: 'content-1-fired-twice', start: 600_000, end: 660_000, firing: 'late', fields: { watches: 401, users: 401 } });
      const { windows: batches, ...action } = frameAction(pending, f);
      windows.push({ wallMs: action.stats.wallMs, batches: pending.copyTaken() });
      whole = liveReducer(whole, { ...action, windows: batches });
      runner = liveReducer(runner, action);
      for (const [at, key] of keys) if (at === f) [whole, runner] = [liveReducer(whole, key), liveReducer(runner, key)];
      assert.equal(runner.steps[0]!.rows.size, 0, 'the runner keeps no table');
      // Frame 10 is not posted: its results come with frame 11's.
      if (f === 10) continue;
      worker.postMessage({ type: 'show', state: viewSnapshot(runner, 30), windows } satisfies ViewMessage);
      windows = [];
      await until(`frame ${f} drawn`, () => count('drawn') === f - (f > 10 ? 1 : 0));
      await renderer.show(whole);
      assert.equal(frames().at(-1), drawn.at(-1), `frame ${f}`);
      if (f === 11) assert.match(frames().at(-1)!, /content-1-only-in-10[\s\S]*content-1-fired-twice .* 401 /);
    }
    assert.match(frames().at(-1)!, /trending \(100\)/);
  } finally {
    await renderer.close(null);
    await worker.terminate();
  }
  assert.ok(replies.every((reply) => reply.type !== 'write' || reply.data.length > 0));
});

test('the warm-up draws the way the run does: the runner snapshot without rows, the results folded into the worker tables and their top rows swapped in', async () => {
  const { warmUp } = await import('../../src/ui/view-worker.js');
  const { WindowTable } = await import('../../src/ui/window-table.js');
  const calls = { fold: 0, top: 0 };
  const { fold, top } = WindowTable.prototype;
  WindowTable.prototype.fold = function (...args) {
    calls.fold++;
    return fold.apply(this, args);
  };
  WindowTable.prototype.top = function (...args) {
    calls.top++;
    return top.apply(this, args);
  };
  try {
    for await (const _ of warmUp());
  } finally {
    Object.assign(WindowTable.prototype, { fold, top });
  }
  assert.equal(calls.fold, 4, "each of the table's frames folded into the worker's table");
  assert.ok(calls.top >= 4, `the top rows picked from it (${calls.top})`);
});
