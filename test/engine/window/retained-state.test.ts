/**
 * Memory is bounded by open state, not by the input (issue 2: RSS under 300 MB for 10M events):
 * once a window is purged, nothing of it or of its key may stay reachable. The operator's own
 * structures are counted (open windows, keys on the heap), and every key object a result carried
 * is watched through a WeakRef: after the final watermark and a full garbage collection, none may
 * be alive. Anything that still references a purged key's state keeps its key alive and is counted
 * here, whatever holds it (a Map iterator kept every table its Map was rehashed into, entries
 * included: a key per purged key state after 20,000 of them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputRecord } from '../../../src/engine/operator.js';
import { EncodedKeySpill, type KeySpillOptions } from '../../../src/engine/state/key-spill.js';
import { WindowOperator } from '../../../src/engine/window/window-step.js';
import type { WindowSpec } from '../../../src/engine/spec.js';
import { spillOptions, windowStep } from './scenario.js';
import { aliveAfterGc } from '../../garbage-collection.js';


interface Watched {
  /** Key objects that some window result carried (the key state's own key object). */
  readonly keys: WeakRef<object>[];
  readonly results: number;
  readonly operator: WindowOperator;
}

/**
 * `records` in-order records, 10 ms apart, over `keys` keys; each record's key is a fresh array,
 * so a key object outlives its record only inside the operator's key state.
 */
function stream(window: WindowSpec, records: number, keys: number, spill: KeySpillOptions | undefined): Watched {
  const step = windowStep({ window, key: (fields) => [fields['user'], fields['group']], aggregates: { n: ['count'] } });
  const operator = new WindowOperator(step, spill);
  const seen = new WeakSet<object>();
  const watched: WeakRef<object>[] = [];
  let results = 0;
  const out = {
    emit(record: OutputRecord) {
      if (record.kind !== 'window') return;
      results++;
      const key = record.key as object;
      if (!seen.has(key)) {
        seen.add(key);
        watched.push(new WeakRef(key));
      }
    },
  };
  for (let i = 0; i < records; i++) {
    const ts = i * 10;
    const fields = { user: `u${(i * 7919) % keys}`, group: i % 3 };
    operator.process(fields, ts, { line: i + 1, original: () => fields }, out);
    operator.advanceWatermark(ts - 1, out);
  }
  operator.advanceWatermark(Infinity, out);
  return { keys: watched, results, operator };
}

const windows: Array<[string, WindowSpec]> = [
  ['tumbling', { type: 'tumbling', size: 1000, offset: 0 }],
  ['session', { type: 'session', gap: 500 }],
  ['sliding', { type: 'sliding', size: 2000, slide: 500, offset: 0 }],
];

for (const [name, window] of windows) {
  for (const [spillName, spill] of [['on the heap', spillOptions()], ['with a 50-key spill', { spill: new EncodedKeySpill(), budget: 50 }]] as const) {
    test(`${name} windows, ${spillName}: nothing of a purged window or its key stays reachable`, async () => {
      const run = stream(window, 20_000, 300, spill);
      assert.ok(run.results > 5_000, `${run.results} results`);
      assert.ok(run.keys.length > 1_000, `${run.keys.length} key states made over the stream`);
      assert.equal(run.operator.openState, 0, 'open windows after the final watermark');
      assert.deepEqual(run.operator.keyCounts, { heap: 0, spilled: 0, idle: 0 });
      assert.equal(await aliveAfterGc(run.keys), 0, 'key states of purged windows still reachable');
    });
  }
}
