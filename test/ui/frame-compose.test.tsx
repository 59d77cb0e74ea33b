/**
 * A frame composed from ink's last output (frame-overlay.ts, drawFrame) is the frame React and ink
 * would draw for the same state: over a run of frames (keys arriving, values and counts changing,
 * late firings, a key growing longer, the progress bar ending, a pause, the filter, a resize), each
 * drawn frame is compared with a full render of the same state. Most frames must be composed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { render } from 'ink';
import { drawFrame } from '../../src/ui/view-renderer.js';
import { FrameOverlay, FrameOverlayContext } from '../../src/ui/frame-overlay.js';
import { LiveApp } from '../../src/ui/live-app.js';
import { initialState, type StepInfo } from '../../src/ui/live-state.js';
import { LiveStore } from '../../src/ui/live-store.js';
import { PendingOutputs } from '../../src/ui/pending-outputs.js';
import { FrameStream, ScreenWriter } from '../../src/ui/screen-writer.js';
import { keyboard, VirtualTerminal } from './virtual-terminal.js';
import { stats } from './run-stats.js';

const STEPS: StepInfo[] = [
  { name: 'trending', kind: 'window', fields: ['watches', 'users'], window: { type: 'tumbling', size: 60_000, offset: 0 } },
  { name: 'binge', kind: 'pattern', fields: ['watched'] },
];
const settle = () => new Promise((resolve) => setImmediate(resolve));

for (const [columns, rows] of [[100, 30], [60, 24], [36, 20]] as const) {
  test(`a composed frame equals ink's frame of the same state (${columns}×${rows})`, async () => {
    const terminal = new VirtualTerminal(columns, rows);
    const store = new LiveStore(initialState('scenarios/binge.jsonl', 'binge.pipeline.yaml', STEPS, Infinity));
    const overlay = new FrameOverlay();
    let drawn = '';
    const stream = new FrameStream(terminal, new ScreenWriter(terminal), (frame) => (drawn = frame), overlay);
    let inkFrames = 0;
    const app = render(createElement(FrameOverlayContext.Provider, { value: overlay }, createElement(LiveApp, { store, controls: { pause() {}, resume() {}, step() {}, setSpeed() {}, quit() {} } })), {
      stdout: stream as unknown as NodeJS.WriteStream,
      stdin: keyboard(),
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
      onRender: () => inkFrames++,
    });
    const pending = new PendingOutputs(STEPS);
    let composed = 0;
    try {
      for (let f = 1; f <= 40; f++) {
        for (let k = 0; k < 3 * f; k++) {
          const key = f > 30 && k === 0 ? 'a-much-longer-key-name-than-the-others' : `content-${k}`;
          const minute = Math.floor(f / 10);
          pending.add({ step: 'trending', kind: 'window', key, start: minute * 60_000, end: (minute + 1) * 60_000, firing: f % 7 === 0 && k === 1 ? 'late' : 'onTime', fields: { watches: (k * 31 + f) % 97, users: k % 5 } });
        }
        store.apply(
          pending.frame(
            stats({ records: f * 1_000, wallMs: f * 400, maxEventTime: f * 15_000, watermark: f * 15_000 - 2_000, minEventTime: 0, progress: Math.min(1, f / 35), speed: Infinity, paused: f >= 36 && f < 38 }),
            [{ seen: f * 1_000, accepted: f * 900, results: f * 3, late: Math.floor(f / 7), exprErrors: 0 }, { seen: f * 1_000, accepted: 0, results: 0, late: 0, exprErrors: 0 }],
          ),
        );
        if (f === 20) store.apply({ type: 'startFilter' });
        if (f === 21) store.apply({ type: 'filterText', text: 'content-1' });
        if (f === 22) store.apply({ type: 'endFilter', keep: true });
        if (f === 26) store.apply({ type: 'endFilter', keep: false });
        if (f === 28) store.apply({ type: 'cycleSort' });
        const before = inkFrames;
        drawFrame(store, overlay, stream);
        await settle();
        if (inkFrames === before) composed++;
        const frame = drawn;
        // The same state, rendered by React and drawn by ink.
        store.apply({ type: 'filterText', text: store.getState().filter });
        overlay.key = null;
        store.notify();
        await settle();
        assert.equal(frame, drawn, `frame ${f}`);
      }
    } finally {
      app.unmount();
      stream.detach();
    }
    assert.ok(composed >= 25, `composed ${composed} of 40 frames`);
  });
}
