/**
 * "Resizes cleanly": at every terminal size the frame fills the screen and never exceeds it, so
 * that the screen writer never has to cut its last rows (the help line). The header and the tabs
 * wrap on narrow terminals; the panel gets the rows they leave. Rendered by ink at a fixed size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { render } from 'ink';
import type { OutputRecord } from '../../src/engine/operator.js';
import { LiveApp, type ReplayControls } from '../../src/ui/live-app.js';
import { initialState, type StepInfo } from '../../src/ui/live-state.js';
import { LiveStore } from '../../src/ui/live-store.js';
import { frameOf, stats } from './run-stats.js';
import { PendingOutputs } from '../../src/ui/pending-outputs.js';

/** A terminal of a fixed size that keeps the last frame ink wrote (debug mode writes whole frames). */
class FixedTerminal extends EventEmitter {
  readonly isTTY = true;
  frame = '';
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (data: string): boolean => {
    // Not frames: the cursor show and hide ink writes around a frame.
    if (data.replace(/\u001B\[\?25[hl]/g, '').trim() !== '') this.frame = data;
    return true;
  };
}

function keyboard(): NodeJS.ReadStream {
  const stream = new PassThrough() as unknown as NodeJS.ReadStream & PassThrough;
  Object.assign(stream, { isTTY: true, setRawMode: () => stream, ref: () => stream, unref: () => stream });
  return stream;
}

const noControls: ReplayControls = { pause() {}, resume() {}, step() {}, setSpeed() {}, quit() {} };

const STEPS: StepInfo[] = ['trending', 'binge', 'sessions', 'revenue', 'alerts'].map((name, i) => ({
  name,
  kind: i % 2 === 0 ? 'window' : 'pattern',
  fields: i % 2 === 0 ? ['watches', 'users', 'score'] : ['watched'],
  ...(i % 2 === 0 ? { window: { type: 'tumbling' as const, size: 60_000, offset: 0 } } : {}),
}));

function state(store: LiveStore, selected: number, filter: string): void {
  const outputs: OutputRecord[] = [];
  for (let k = 0; k < 500; k++) {
    outputs.push({ step: 'trending', kind: 'window', key: `content-${k}`, start: 0, end: 60_000, firing: 'onTime', fields: { watches: k, users: k % 13, score: k / 7 } });
    outputs.push({ step: 'binge', kind: 'match', key: `user-${k}`, start: 0, end: 60_000, events: { start: [{ k }], more: [{ k }, { k }] }, fields: { watched: 3 } });
  }
  const counters = STEPS.map(() => ({ seen: 1_234_567, accepted: 900_000, results: 500, late: 3, exprErrors: 0 }));
  store.dispatch({
    ...frameOf(new PendingOutputs(STEPS), outputs, stats({ records: 1_234_567, deadLetters: 12, maxEventTime: Date.UTC(2026, 0, 1, 10), watermark: Date.UTC(2026, 0, 1, 9, 59, 55), progress: 0.42, wallMs: 3_723_000 }), counters),
    // The panel's footer at its longest: a ring that overflowed.
    passedOver: [1_234_567, 0, 0, 0, 0],
  });
  store.dispatch({ type: 'select', index: selected });
  if (filter) {
    store.dispatch({ type: 'startFilter' });
    store.dispatch({ type: 'filterText', text: filter });
    store.dispatch({ type: 'endFilter', keep: true });
  }
}

const SIZES: Array<[number, number]> = [
  [120, 40],
  [100, 30],
  [80, 24],
  [70, 24],
  [60, 20],
  [50, 24],
  // The header wraps at the terminal's inside width (36 here): `records …  late 3  dead-letter 12`
  // takes 37 columns.
  [40, 24],
  // Narrower than the table: the panel lays out at its own inside width (32), or its column heads
  // would wrap to a row the panel's height does not count. 24 rows: at this width the header
  // takes 11 and the tabs 3, and at 20 the panel's least body (3 rows) could not fit.
  [36, 24],
];

for (const [columns, rows] of SIZES) {
  for (const [panel, selected] of [
    ['window table', 0],
    ['match feed', 1],
  ] as const) {
    test(`layout at ${columns}×${rows}, ${panel}: the frame fills the screen, no row wider than it, the keys on the last row`, async () => {
      const terminal = new FixedTerminal(columns, rows);
      const store = new LiveStore(initialState('recordings/a-rather-long-recording-name.jsonl', 'pipelines/media.pipeline.yaml', STEPS, 100));
      const app = render(<LiveApp store={store} controls={noControls} />, { stdout: terminal as unknown as NodeJS.WriteStream, stdin: keyboard(), debug: true, patchConsole: false, exitOnCtrlC: false });
      state(store, selected, '');
      await new Promise((resolve) => setImmediate(resolve));
      const lines = terminal.frame.replace(/\n$/, '').split('\n');
      const text = lines.join('\n');
      assert.equal(lines.length, rows, `the frame should take the whole screen:\n${text}`);
      // Code points: the view draws no wide characters.
      for (const line of lines) assert.ok([...line].length <= columns, `wider than ${columns}: ${line}`);
      assert.match(lines.at(-1)!, /^space .*→.*\+\/−.*tab\/1-9.*\/.*s.* q/);
      // The panel's footer is there (cut at the panel's width on a narrow terminal): the rows were counted, not cut.
      assert.match(text, selected === 0 ? /500 keys · 3 late/ : /500 matches · 0 timeouts · 3/);
      app.unmount();
    });
  }
}
