/**
 * Imported first by the view's worker (view-worker.ts), before ink: Yoga (ink's layout engine,
 * yoga-layout) loads its WebAssembly from a base64 data URL, through the global `fetch` when there
 * is one, and Node's `fetch` loads undici on first use: 60-70 ms of the view's opening CPU (Yoga's
 * import 106-116 ms CPU against 40-54 ms without `fetch`, 3 runs each). Without it Yoga decodes
 * the base64 itself. The worker fetches nothing; other threads (a test importing the worker's
 * module) keep their `fetch`. `delete` does not call the lazy getter, so undici stays unloaded.
 */
import { isMainThread } from 'node:worker_threads';

if (!isMainThread) delete (globalThis as { fetch?: unknown }).fetch;
