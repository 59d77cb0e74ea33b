import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import type { OutputRecord } from '../../src/engine/operator.js';
import { LiveApp, nextSpeed } from '../../src/ui/live-app.js';
import { initialState, type RunStats, type StepInfo } from '../../src/ui/live-state.js';
import { LiveStore } from '../../src/ui/live-store.js';
import { frameOf, recordingControls, stats } from './run-stats.js';
import { PendingOutputs, RING } from '../../src/ui/pending-outputs.js';

const STEPS: StepInfo[] = [
  { name: 'trending', kind: 'window', fields: ['watches', 'users'], window: { type: 'tumbling', size: 60_000, offset: 0 } },
  { name: 'binge', kind: 'pattern', fields: ['watched'] },
];

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Each store's pending outputs: the frames of a run go through one, as the runner's do. */
const runs = new WeakMap<LiveStore, PendingOutputs>();

function frame(store: LiveStore, outputs: OutputRecord[], paused = false, over: Partial<RunStats> = {}) {
  if (!runs.has(store)) runs.set(store, new PendingOutputs(STEPS));
  store.dispatch(
    frameOf(runs.get(store)!, outputs, stats({ records: 1234, maxEventTime: Date.UTC(2026, 0, 1, 10, 0, 5), watermark: Date.UTC(2026, 0, 1, 10, 0, 0), paused, ...over }), [
      { seen: 1234, accepted: 900, results: 2, late: 3, exprErrors: 0 },
      { seen: 1234, accepted: 40, results: 1, late: 0, exprErrors: 0 },
    ]),
  );
}

const w = (key: string, watches: number): OutputRecord => ({
  step: 'trending', kind: 'window', key, start: Date.UTC(2026, 0, 1, 10), end: Date.UTC(2026, 0, 1, 10, 1), firing: 'onTime', fields: { watches, users: 7 },
});

test('the first frame names the recording and says why the panel is empty', () => {
  const store = new LiveStore(initialState('scenarios/binge.jsonl', 'binge.pipeline.yaml', STEPS, 100));
  const { lastFrame, unmount } = render(<LiveApp store={store} controls={recordingControls().controls} />);
  const text = lastFrame() ?? '';
  assert.match(text, /sw replay scenarios\/binge\.jsonl · pipeline binge\.pipeline\.yaml/);
  assert.match(text, /▶ playing 100x/);
  assert.match(text, /waiting for the first record/);
  assert.match(text, /1 trending \(0\)/);
  unmount();
});

test('a frame fills the header and the window table, sorted by the first aggregate', async () => {
  const store = new LiveStore(initialState('r.jsonl', 'p.yaml', STEPS, 100));
  const { lastFrame, unmount } = render(<LiveApp store={store} controls={recordingControls().controls} />);
  frame(store, [w('c1', 3), w('c2', 12)]);
  await tick();
  const text = lastFrame() ?? '';
  assert.match(text, /event time 2026-01-01 10:00:05 {2}watermark 2026-01-01 10:00:00 {2}lag 5\.0s/);
  assert.match(text, /records 1234 {2}late 3/);
  const c2 = text.indexOf('c2');
  const c1 = text.indexOf('c1 ');
  assert.ok(c2 > 0 && c1 > c2, `c2 (12 watches) should be listed before c1:\n${text}`);
  // Just changed: highlighted, with a marker that survives NO_COLOR.
  assert.match(text, /● c2 +10:00:00–10:01:00 +12 +7/);
  assert.match(text, /2 keys · 3 late · sorted by watches/);
  unmount();
});

test('keys drive the replay and the view: space, →, +, −, 2, tab, /, s, q', async () => {
  const store = new LiveStore(initialState('r.jsonl', 'p.yaml', STEPS, 100));
  const { calls, controls } = recordingControls();
  const { lastFrame, stdin, unmount } = render(<LiveApp store={store} controls={controls} />);
  frame(store, [w('c1', 3), w('c2', 12), { step: 'binge', kind: 'match', key: 'u9', start: 0, end: 60_000, events: { start: [{ p: 'home' }], more: [{ p: 'a' }, { p: 'b' }, { p: 'c' }] }, fields: { watched: 4 } }]);
  await tick();
  for (const key of [' ', '\u001B[C', '+', '-', '−']) {
    stdin.write(key);
    await tick();
  }
  assert.deepEqual(calls, ['pause', 'step', 'speed 200', 'speed 50', 'speed 50']);

  stdin.write('2');
  await tick();
  assert.match(lastFrame() ?? '', /binge \(pattern\)/);
  assert.match(lastFrame() ?? '', /match {3}u9 00:00:00–00:01:00 {2}\[start×1 more×3\] watched=4 │ start: \{"p":"home"\} {2}more: \{"p":"a"\}… │/);

  stdin.write('\t');
  await tick();
  assert.match(lastFrame() ?? '', /trending \(window\)/);
  stdin.write('/');
  await tick();
  for (const ch of 'c1') {
    stdin.write(ch);
    await tick();
  }
  stdin.write('\r');
  await tick();
  let text = lastFrame() ?? '';
  assert.match(text, /filter "c1"/);
  assert.doesNotMatch(text, /c2 /);

  stdin.write('s');
  await tick();
  text = lastFrame() ?? '';
  assert.match(text, /sorted by users/);

  stdin.write('q');
  await tick();
  assert.equal(calls[calls.length - 1], 'quit');
  unmount();
});

test('paused state shows in the header', async () => {
  const store = new LiveStore(initialState('r.jsonl', 'p.yaml', STEPS, 100));
  const { lastFrame, unmount } = render(<LiveApp store={store} controls={recordingControls().controls} />);
  frame(store, [], true);
  await tick();
  assert.match(lastFrame() ?? '', /⏸ paused 100x/);
  unmount();
});

test('speed steps go through a ladder and reach max', () => {
  assert.deepEqual([nextSpeed(100, 1), nextSpeed(100, -1), nextSpeed(10000, 1), nextSpeed(Infinity, -1), nextSpeed(1, -1)], [200, 50, Infinity, 10000, 1]);
});

test('a window panel whose ring overflowed between frames says how many results it passed over', async () => {
  const store = new LiveStore(initialState('r.jsonl', 'p.yaml', STEPS, 100));
  const { lastFrame, unmount } = render(<LiveApp store={store} controls={recordingControls().controls} />);
  frame(store, [w('c1', 3)]);
  await tick();
  assert.doesNotMatch(lastFrame() ?? '', /passed over/);
  // More results between two frames than the ring keeps: the oldest are passed over.
  frame(store, [...Array.from({ length: RING + 123_456 }, (_, i) => w('c2', i % 50)), w('c2', 5)], false, { records: 2_000 });
  await tick();
  assert.match(lastFrame() ?? '', /2 keys · 3 late · sorted by watches · 123\.5K results passed over/);
  unmount();
});

test('keys that arrive together (fast typing, tmux send-keys) act one by one: /c1⏎ filters, ++ goes up two speeds, 2s switches and sorts', async () => {
  const store = new LiveStore(initialState('r.jsonl', 'p.yaml', STEPS, 100));
  const { calls, controls } = recordingControls();
  const { lastFrame, stdin, unmount } = render(<LiveApp store={store} controls={controls} />);
  frame(store, [w('c1', 3), w('c2', 12), w('c10', 1)]);
  await tick();
  stdin.write('/c1\r');
  await tick();
  let text = lastFrame() ?? '';
  assert.equal(store.getState().filter, 'c1');
  assert.equal(store.getState().editingFilter, false);
  assert.match(text, /3 keys · 3 late · sorted by watches · filter "c1"/);
  assert.doesNotMatch(text, /c2 /);
  // A backspace in the chunk edits the filter; no control character ever gets into it.
  stdin.write('/x\u007F0\r');
  await tick();
  assert.equal(store.getState().filter, 'c10');
  stdin.write('++');
  await tick();
  assert.deepEqual(calls, ['speed 200', 'speed 500']);
  stdin.write('2s\t');
  await tick();
  text = lastFrame() ?? '';
  assert.match(text, /trending \(window\)/);
  assert.equal(store.getState().selected, 0);
  unmount();
});
