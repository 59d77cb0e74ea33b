/**
 * "The replay ran ~10% slower under the view than its frames account for" (issue 5, session 12):
 * the runner transferred the window results' typed arrays to the view's worker, and a transfer
 * detaches an ArrayBuffer. The first detached buffer of an isolate invalidates V8's
 * ArrayBufferDetaching protector for the rest of the process: every optimized function that reads
 * a typed array (the field reader, the window operator) is deoptimized and recompiled with a
 * detach check on each access. A live replay must leave the protector intact; V8 says when one is
 * invalidated (--trace-protector-invalidation). A control proves the trace sees a transfer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalidatedProtectors } from '../protectors.js';
import { liveReplayScript } from './live-replay-script.js';

test('a live replay detaches no ArrayBuffer: the window results go to the view\'s worker cloned, not transferred', () => {
  const protectors = invalidatedProtectors(
    'live',
    liveReplayScript("if (frames === 0 || summary.steps[0].results === 0) throw new Error('the view drew no window results');"),
  );
  assert.ok(!protectors.includes('ArrayBufferDetaching'), protectors.join(', '));
});

test('control: a transfer to a worker invalidates the ArrayBufferDetaching protector, and the trace says so', () => {
  const protectors = invalidatedProtectors(
    'control',
    `
    import { Worker } from 'node:worker_threads';
    const worker = new Worker('process.exit(0)', { eval: true });
    const numbers = new Float64Array(16);
    worker.postMessage({ numbers }, [numbers.buffer]);
    await new Promise((resolve) => worker.on('exit', resolve));
  `,
  );
  assert.ok(protectors.includes('ArrayBufferDetaching'), protectors.join(', '));
});
