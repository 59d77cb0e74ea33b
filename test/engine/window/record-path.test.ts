/**
 * The record path of a window step (docs/speed.md, "Where a record's time goes"): a record whose
 * key's window is open is added to it and nothing else. Counting stubs around the operator show
 * what it touches per record: it reads the key and the aggregate arguments, never the whole
 * record, makes no window, key state or output, and takes the time from the pipeline's cell
 * (Pipeline.processAt), so no time crosses a call as an argument. Bytes allocated per record are
 * measured by the engine-window benchmark, not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fields, OutputRecord, RecordContext } from '../../../src/engine/operator.js';
import { Pipeline } from '../../../src/engine/pipeline.js';
import { WindowOperator } from '../../../src/engine/window/window-step.js';
import { brief, windowStep } from './scenario.js';

interface Counts {
  reads: Map<string, number>;
  originals: number;
  emits: number;
}

/** Fields that count their property reads; a record context that counts decodes of the whole record. */
function countingRecord(fields: Fields, counts: Counts): { fields: Fields; ctx: RecordContext } {
  const proxy = new Proxy(fields, {
    get(target, name, receiver) {
      if (typeof name === 'string') counts.reads.set(name, (counts.reads.get(name) ?? 0) + 1);
      return Reflect.get(target, name, receiver) as unknown;
    },
    ownKeys(target) {
      counts.reads.set('(keys)', (counts.reads.get('(keys)') ?? 0) + 1);
      return Reflect.ownKeys(target);
    },
  });
  const original = () => {
    counts.originals++;
    return fields;
  };
  return { fields: proxy, ctx: { line: 1, original, retain: original } };
}

const cases = [
  { name: 'tumbling', window: { type: 'tumbling', size: 60_000, offset: 0 } },
  { name: 'sliding', window: { type: 'sliding', size: 60_000, slide: 20_000, offset: 0 } },
  { name: 'session', window: { type: 'session', gap: 60_000 } },
] as const;

for (const { name, window } of cases) {
  test(`${name}: records added to open windows read only the key and the arguments, and make nothing`, () => {
    const step = windowStep({ window, allowedLateness: 1_000, aggregates: { n: ['count'], total: ['sum', 'value'], last: ['last', 'value'] } });
    const operator = new WindowOperator(step);
    const timeline: string[] = [];
    const counts: Counts = { reads: new Map(), originals: 0, emits: 0 };
    const pipeline = new Pipeline([operator], { outOfOrderness: 5_000 }, {
      emit: (record: OutputRecord) => {
        counts.emits++;
        timeline.push(brief(record));
      },
    });
    const base = 1_700_000_000_000;
    const record = (key: string, value: number, ts: number) => {
      const { fields, ctx } = countingRecord({ key, value }, counts);
      pipeline.time[0] = ts;
      pipeline.processAt(fields, ctx);
    };
    // Two keys open their windows (and key states).
    record('a', 1, base + 1);
    record('b', 2, base + 2);
    const open = operator.openState;
    const keys = operator.keyCounts.heap;
    counts.reads.clear();

    const records = 2_000;
    // Times fall as records arrive (within the out-of-orderness): the latest time is the first record's.
    for (let i = 0; i < records; i++) record(i % 2 === 0 ? 'a' : 'b', i, base + 3 + records - i);
    assert.equal(operator.openState, open, 'no window or pane opened');
    assert.equal(operator.keyCounts.heap, keys, 'no key state made');
    assert.equal(counts.emits, 0, 'nothing emitted before the watermark passes a window');
    assert.equal(counts.originals, 0, 'the whole record is never decoded nor kept');
    // The key once, each aggregate's argument once (sum and last), nothing else.
    assert.deepEqual(Object.fromEntries(counts.reads), { key: records, value: 2 * records });

    pipeline.finish();
    // The time reached the aggregates from the cell: last(value) is the value at the latest time,
    // not the last to arrive.
    const final = (key: string) => timeline.filter((line) => line.startsWith(`${key} `)).at(-1)!;
    assert.match(final('a'), /"last":0}$/);
    assert.match(final('b'), /"last":1}$/);
  });
}
