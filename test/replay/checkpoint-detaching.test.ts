/**
 * A checkpoint's row goes to the store's writer thread without detaching an ArrayBuffer: the
 * window state's encoded bytes are shared with the thread (SharedArrayBuffer), not transferred.
 * A transfer would break V8's ArrayBufferDetaching protector at the first checkpoint and slow every
 * typed-array reader of the replay (the field reader, the window operator) for the rest of the run.
 * The control that the trace sees a transfer is in test/ui/array-buffer-detaching.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ROOT } from '../cli/run-sw.js';
import { invalidatedProtectors } from '../protectors.js';

const url = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);

test('a checkpoint with window state committed on the writer thread detaches no ArrayBuffer', () => {
  const protectors = invalidatedProtectors(
    'checkpoint',
    `
    import { mkdtempSync, writeFileSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointStore } = await import(${url('dist/src/replay/checkpoint-store.js')});
    const { parsePipelineText } = await import(${url('dist/src/spec/load.js')});
    const { compileSpec } = await import(${url('dist/src/spec/compile.js')});
    const { Pipeline } = await import(${url('dist/src/engine/pipeline.js')});
    const dir = mkdtempSync(join(tmpdir(), 'sw-checkpoint-detaching-'));
    const out = join(dir, 'out.jsonl');
    writeFileSync(out, 'x\\n');
    const yaml = 'name: t\\ntime: { field: ts, outOfOrderness: 0 }\\nsteps:\\n  w:\\n    keyBy: k\\n    window: { type: tumbling, size: 1m }\\n    aggregate: { n: count() }\\n';
    const compiled = compileSpec(parsePipelineText(yaml, 't.yaml'));
    const pipeline = new Pipeline(compiled.operators, compiled.spec.time, { emit: () => {} });
    // Every row goes to the writer thread (backgroundBytes: 1).
    const store = CheckpointStore.open(join(dir, 'cp.db'), { backgroundBytes: 1 });
    for (let c = 0; c < 3; c++) {
      for (let i = c * 500; i < (c + 1) * 500; i++) pipeline.process({ ts: i * 100, k: 'k' + (i % 50) }, i * 100, { line: i + 1, original: () => ({}) });
      const engine = pipeline.snapshot({ encoded: true });
      store.writeDurable([out], {
        format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, recording: 'events.jsonl', pipelineHash: 'abc',
        source: { byteOffset: 0, nextLine: engine.records + 1, lastSeq: null }, engine,
        replay: { skipped: 0, outputs: 0, minTime: Infinity }, output: { bytes: 2, records: 1 }, deadLetters: { bytes: 0, count: 0 },
      });
    }
    if (!store.writerThread) throw new Error('the rows did not go to the writer thread');
    store.close();
    const reopened = CheckpointStore.open(join(dir, 'cp.db'));
    const { latest } = reopened.latestValid();
    if (latest === null || latest.checkpoint.engine.records !== 1500) throw new Error('the last checkpoint did not commit');
    reopened.close();
  `,
  );
  assert.ok(!protectors.includes('ArrayBufferDetaching'), protectors.join(', '));
});
