/**
 * The keys as the runner reads them from a raw-mode terminal (key-commands.ts parseKeys): one key
 * per character of a chunk, the escape sequences of → and delete, a lone escape, ctrl keys; and
 * what they do (pressKey) to the view's state and the replay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyReader, parseKeys, pressKey, pressKeys } from '../../src/ui/key-commands.js';
import { recordingControls } from './run-stats.js';
import { initialState, type StepInfo } from '../../src/ui/live-state.js';
import { LiveStore } from '../../src/ui/live-store.js';

test('a chunk is one key per character; → (both cursor modes), delete, escape, ctrl keys', () => {
  assert.deepEqual(parseKeys('ca\r'), [{ input: 'c', key: {} }, { input: 'a', key: {} }, { input: '', key: { return: true } }]);
  assert.deepEqual(parseKeys('\u001B[C\u001BOC'), [{ input: '', key: { rightArrow: true } }, { input: '', key: { rightArrow: true } }]);
  assert.deepEqual(parseKeys('\u001B[3~\u007F\b'), [{ input: '', key: { delete: true } }, { input: '', key: { backspace: true } }, { input: '', key: { backspace: true } }]);
  assert.deepEqual(parseKeys('\u001B'), [{ input: '', key: { escape: true, meta: true } }]);
  assert.deepEqual(parseKeys('\u001Bx'), [{ input: 'x', key: { meta: true } }]);
  assert.deepEqual(parseKeys('\u0003\t'), [{ input: 'c', key: { ctrl: true } }, { input: '', key: { tab: true } }]);
  // Other arrows and function keys are nobody's: dropped whole, not read as characters.
  assert.deepEqual(parseKeys('\u001B[A\u001B[1;5D\u001BOP+−'), [{ input: '+', key: {} }, { input: '−', key: {} }]);
  assert.deepEqual(parseKeys('東'), [{ input: '東', key: {} }]);
});

test('keys drive the replay and the view: space, →, + and −, tab and digits, / and the filter, s, q', () => {
  const steps: StepInfo[] = [
    { name: 'pages', kind: 'window', fields: ['views', 'users'] },
    { name: 'streaks', kind: 'pattern', fields: [] },
  ];
  const store = new LiveStore(initialState('r.jsonl', 'p.yaml', steps, 20));
  const { calls, controls } = recordingControls();
  const replay = { speed: 20, paused: false };
  const press = (chunk: string) => parseKeys(chunk).map(({ input, key }) => pressKey(store, controls, replay, input, key));
  press(' \u001B[C+--');
  assert.deepEqual(calls, ['pause', 'step', 'speed 50', 'speed 20', 'speed 10']);
  press('\t');
  assert.equal(store.getState().selected, 1);
  press('1s');
  assert.deepEqual([store.getState().selected, store.getState().sortField], [0, 1]);
  press('/ca\u007Fa\r');
  assert.deepEqual([store.getState().filter, store.getState().editingFilter], ['ca', false]);
  press('/x\u001B');
  assert.deepEqual([store.getState().filter, store.getState().editingFilter], ['', false]);
  assert.deepEqual(press('q'), [true]);
  assert.equal(calls.at(-1), 'quit');
  assert.deepEqual(press('\u0003'), [true]);
});

test('ctrl-c quits while the filter prompt is open', () => {
  const store = new LiveStore(initialState('r.jsonl', 'p.yaml', [{ name: 'pages', kind: 'window', fields: ['views'] }], 20));
  const { calls, controls } = recordingControls();
  const replay = { speed: 20, paused: false };
  const press = (chunk: string) => parseKeys(chunk).map(({ input, key }) => pressKey(store, controls, replay, input, key));
  assert.deepEqual(press('/'), [false]);
  assert.equal(store.getState().editingFilter, true);
  assert.deepEqual(press('\u0003'), [true]);
  assert.equal(calls.at(-1), 'quit');
});

test('keys read together start from the pacer as it is now and go on from key to key; they stop at q', () => {
  const store = new LiveStore(initialState('r.jsonl', 'p.yaml', [{ name: 'pages', kind: 'window', fields: ['views'] }], 20));
  const { calls, controls } = recordingControls();
  // The pacer is at 100x and paused, though the state (its last frame) still says 20x, playing.
  const pacer = { speed: 100, paused: true };
  const withPacer = { ...controls, current: () => ({ ...pacer }) };
  assert.equal(pressKeys(store, withPacer, parseKeys('--  ')), false);
  assert.deepEqual(calls, ['speed 50', 'speed 20', 'resume', 'pause']);
  // Without `current`, the state's speed and pause: 20x, playing.
  assert.equal(pressKeys(store, controls, parseKeys('+ ')), false);
  assert.deepEqual(calls.slice(4), ['speed 50', 'pause']);
  // q quits, and the keys after it are not pressed.
  assert.equal(pressKeys(store, controls, parseKeys('q+')), true);
  assert.deepEqual(calls.slice(6), ['quit']);
});

test('an escape sequence split across two chunks is one key; a trailing ESC alone is escape', () => {
  const reader = new KeyReader();
  assert.deepEqual(reader.read('\u001B'), []);
  assert.equal(reader.waiting, true);
  assert.deepEqual(reader.read('[C'), [{ input: '', key: { rightArrow: true } }]);
  assert.deepEqual([...reader.read('a\u001B['), ...reader.read('3~')], [{ input: 'a', key: {} }, { input: '', key: { delete: true } }]);
  assert.deepEqual(reader.read('x\u001B'), [{ input: 'x', key: {} }]);
  assert.deepEqual(reader.flush(), [{ input: '', key: { escape: true, meta: true } }]);
  assert.equal(reader.waiting, false);
  assert.deepEqual(reader.read('\u001B\u001B'), [{ input: '', key: { escape: true, meta: true } }]);
  assert.deepEqual(reader.flush(), [{ input: '', key: { escape: true, meta: true } }]);
});
