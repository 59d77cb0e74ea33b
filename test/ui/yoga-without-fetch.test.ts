// The view's worker loads Yoga (ink's layout engine) without Node's fetch, which would load undici
// (60-70 ms of the view's opening CPU): in a worker thread, yoga-without-fetch.ts before Yoga
// leaves undici unloaded; without it (the control) Yoga's import loads undici. And the bundled
// worker (what bin/sw runs) drops `fetch` before Yoga's loader runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ROOT } from '../cli/run-sw.js';

/** Whether a worker thread that imports `modules` in order has loaded undici (Node's fetch) once they are loaded. */
function undiciLoaded(modules: readonly string[]): Promise<boolean> {
  const source = `
    const { parentPort } = require('node:worker_threads');
    (async () => {
      for (const module of ${JSON.stringify(modules)}) await import(module);
      parentPort.postMessage(process.moduleLoadList.some((name) => name.includes('undici')));
    })();
  `;
  const worker = new Worker(source, { eval: true });
  return new Promise((resolve, reject) => {
    worker.once('message', (loaded: boolean) => void worker.terminate().then(() => resolve(loaded)));
    worker.once('error', reject);
  });
}

const yoga = pathToFileURL(join(ROOT, 'node_modules/yoga-layout/dist/src/index.js')).href;
const guard = pathToFileURL(join(ROOT, 'dist/src/ui/yoga-without-fetch.js')).href;

test('control: Yoga loaded in a worker thread with fetch loads undici', async () => {
  assert.equal(await undiciLoaded([yoga]), true);
});

test('Yoga loaded in a worker thread after yoga-without-fetch leaves undici unloaded', async () => {
  assert.equal(await undiciLoaded([guard, yoga]), false);
});

test('the bundled view worker drops fetch before Yoga loads its WebAssembly', () => {
  const bundle = readFileSync(join(ROOT, 'dist/src/bundle/lazy-ui-view-worker.mjs'), 'utf8');
  const dropped = bundle.indexOf('delete globalThis.fetch');
  assert.ok(dropped >= 0, 'the guard is in the bundle');
  assert.ok(dropped < bundle.indexOf('failed to load wasm binary'), "before Yoga's loader");
});
