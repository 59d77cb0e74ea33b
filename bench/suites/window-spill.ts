/**
 * Window steps with keys spilled to SQLite (`--state-backend sqlite --state-cache N`) against the
 * heap: 200K records through the window operator (no file reading), CPU time (user + system).
 *   - "sessions": 10K users, session windows with a 10-minute gap, one record per user every
 *     ~17 minutes of event time on average (most users idle most of the time: where spilling pays);
 *   - "tumbling": the same records in 1-minute tumbling windows per user (every window end fires
 *     every key with an open window: each spilled one is loaded to fire);
 *   each on the heap and with a budget of a tenth of the keys (1,000) in a temporary SQLite file;
 *   - "heap held": 100K session keys open at once, the heap they keep after a full GC, heap
 *     against a 1,000-key budget;
 *   - "firing peak": 100K keys with a 1-minute tumbling window open in the same minute, then one
 *     watermark past its end fires them all: the most keys on the heap and the highest heap used
 *     during that firing (sampled every 500 results; live, after a full GC, every 10,000), heap
 *     against a 1,000-key budget.
 */
import type { Fields, OutputRecord } from '../../src/engine/operator.js';
import type { KeySpillOptions } from '../../src/engine/state/key-spill.js';
import type { WindowSpec } from '../../src/engine/spec.js';
import { WindowOperator } from '../../src/engine/window/window-operator.js';
import { SqliteStateStore } from '../../src/state/sqlite-backend.js';
import { Random } from '../../src/synth/random.js';
import { ratioRow, throughputRow, type BenchRow } from '../suite.js';
import { fullGc, startTiming, type Timing } from '../timing.js';

export const name = 'window-spill';

const EVENTS = 200_000;
const USERS = 10_000;
const HEAP_KEYS = 100_000;
const START = 1_767_225_600_000;

function operatorFor(window: WindowSpec, spill?: KeySpillOptions): WindowOperator {
  const field = (n: string) => (f: Fields) => f[n];
  return new WindowOperator(
    {
      name: 'bench',
      window,
      allowedLateness: 0,
      lateOutput: false,
      filter: null,
      key: field('user'),
      aggregates: [
        { name: 'n', fn: 'count', arg: null },
        { name: 'total', fn: 'sum', arg: field('amount') },
      ],
      select: [],
      having: null,
    },
    spill,
  );
}

/** Runs the input through a fresh operator, the watermark following the records (5 s disorder allowed). */
function drive(operator: WindowOperator, users: number, events: number): { timing: Timing; outputs: number } {
  const random = new Random(3); // deterministic inputs, so runs compare
  let outputs = 0;
  const out = { emit: (_r: OutputRecord) => void outputs++ };
  const ctx = { line: 0, original: () => ({}) };
  // 10K users, one record per user every ~17 min: 10,000 / 1,000 s = 10 records per event-time second.
  const step = (1_000 * 1_000) / users / 10;
  const stop = startTiming();
  for (let i = 0; i < events; i++) {
    const ts = START + Math.floor(i * step);
    operator.process({ user: `user_${Math.floor(random.float() * users)}`, amount: i % 100 }, ts, ctx, out);
    if (i % 16 === 0) operator.advanceWatermark(ts - 5_001, out);
  }
  operator.advanceWatermark(Infinity, out);
  return { timing: stop(), outputs };
}

function withSpill<T>(budget: number | null, measure: (spill: KeySpillOptions | undefined) => T): T {
  if (budget === null) return measure(undefined);
  const store = SqliteStateStore.open();
  try {
    return measure({ spill: store.spill('bench'), budget });
  } finally {
    store.close();
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const windows: [string, WindowSpec][] = [
    ['sessions (10 min gap)', { type: 'session', gap: 600_000 }],
    ['tumbling 1 min', { type: 'tumbling', size: 60_000, offset: 0 }],
  ];
  for (const [label, window] of windows) {
    const pair: BenchRow[] = [];
    let heapOutputs = -1;
    for (const budget of [null, USERS / 10]) {
      withSpill(budget, (spill) => {
        const { timing, outputs } = drive(operatorFor(window, spill), USERS, EVENTS);
        if (heapOutputs < 0) heapOutputs = outputs;
        else if (outputs !== heapOutputs) throw new Error(`${label}: ${outputs} results with the spill, ${heapOutputs} on the heap`);
        pair.push(
          throughputRow(name, `${label}, 10K keys, ${budget === null ? 'heap' : `sqlite, ${budget.toLocaleString('en')}-key budget`}`, EVENTS, timing, {
            note: `${outputs.toLocaleString('en')} results`,
          }),
        );
      });
    }
    rows.push(...pair, ratioRow(name, pair[1]!, pair[0]!));
  }
  rows.push(...heapHeld());
  rows.push(...firingPeak());
  return rows;
}

/** 100K tumbling keys due at one watermark: peak heap key count and heap used while they fire. */
export function firingPeak(): BenchRow[] {
  const gc = fullGc();
  const rows: BenchRow[] = [];
  for (const budget of [1_000, null]) {
    withSpill(budget, (spill) => {
      const operator = operatorFor({ type: 'tumbling', size: 60_000, offset: 0 }, spill);
      const ctx = { line: 0, original: () => ({}) };
      const idle = { emit: () => {} };
      for (let i = 0; i < HEAP_KEYS; i++) operator.process({ user: `user_${i}`, amount: i }, START + (i % 60_000), ctx, idle);
      gc();
      const base = process.memoryUsage().heapUsed;
      let results = 0;
      let peakKeys = 0;
      let peakHeap = base;
      let peakLive = base;
      const out = {
        emit: () => {
          if (++results % 500 !== 0) return;
          peakKeys = Math.max(peakKeys, operator.keyCounts.heap);
          peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
          // Live heap (garbage collected) at every 10,000th result: what the firing holds, not what it churns.
          if (results % 10_000 !== 0) return;
          gc();
          peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
        },
      };
      const stop = startTiming();
      operator.advanceWatermark(START + 60_000, out);
      const timing = stop();
      rows.push(
        throughputRow(name, `firing peak: 100K tumbling keys due at once, ${budget === null ? 'heap' : `sqlite, ${budget.toLocaleString('en')}-key budget`}`, HEAP_KEYS, timing, {
          note: `${results.toLocaleString('en')} results; at most ${peakKeys.toLocaleString('en')} keys on the heap during the firing; heap used ${(base / 1e6).toFixed(1)} MB before it (after a full GC), at most ${(peakHeap / 1e6).toFixed(1)} MB during it, ${(peakLive / 1e6).toFixed(1)} MB live (after a full GC at every 10,000th result; the CPU time includes those 10 GCs)`,
        }),
      );
    });
  }
  return rows;
}

/** 100K keys each with an open session (no watermark yet), the heap kept after a full GC. */
function heapHeld(): BenchRow[] {
  const gc = fullGc();
  const rows: BenchRow[] = [];
  for (const budget of [1_000, null]) {
    withSpill(budget, (spill) => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const operator = operatorFor({ type: 'session', gap: 600_000 }, spill);
      const out = { emit: () => {} };
      const ctx = { line: 0, original: () => ({}) };
      const stop = startTiming();
      for (let i = 0; i < HEAP_KEYS; i++) operator.process({ user: `user_${i}`, amount: i }, START + i, ctx, out);
      const timing = stop();
      gc();
      const held = process.memoryUsage().heapUsed - before;
      const { heap, spilled } = operator.keyCounts;
      rows.push(
        throughputRow(name, `heap held by 100K open session keys, ${budget === null ? 'heap' : `sqlite, ${budget.toLocaleString('en')}-key budget`}`, HEAP_KEYS, timing, {
          note: `${(held / 1e6).toFixed(1)} MB of heap after a full GC (${heap.toLocaleString('en')} keys on the heap, ${spilled.toLocaleString('en')} spilled, ${operator.openState.toLocaleString('en')} open windows)`,
        }),
      );
    });
  }
  return rows;
}
