import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputRecord, WindowResult } from '../../src/engine/operator.js';
import { FEED_LIMIT, firstWindowEnd, initialState, lastFeedItems, liveReducer, naturalCompare, visibleRows, whyNothingYet, type LiveState, type RunStats, type StepInfo, type WindowBatch, type WindowRow } from '../../src/ui/live-state.js';
import { sparkline } from '../../src/ui/display-format.js';
import { PendingOutputs, RING } from '../../src/ui/pending-outputs.js';
import { frameOf, stats } from './run-stats.js';

const STEPS: StepInfo[] = [
  { name: 'trending', kind: 'window', fields: ['watches', 'users'], window: { type: 'tumbling', size: 60_000, offset: 0 } },
  { name: 'binge', kind: 'pattern', fields: ['watched'] },
];


const win = (key: string, start: number, watches: number, firing: 'onTime' | 'late' = 'onTime'): WindowResult =>
  ({ step: 'trending', kind: 'window', key, start, end: start + 60_000, firing, fields: { watches, users: 1 } });

/** Each run's pending outputs, by its window table (the same map from its first state to its last). */
const runs = new WeakMap<object, PendingOutputs>();

/** A frame of `outputs`, through the run's pending outputs as the runner hands them over. */
function frame(state: LiveState, outputs: OutputRecord[], over: Partial<RunStats> = {}, results = [outputs.length, 0]): LiveState {
  const run = state.steps[0]!.rows;
  if (!runs.has(run)) runs.set(run, new PendingOutputs(STEPS));
  const counters = results.map((r) => ({ seen: 10, accepted: 10, results: r, late: 0, exprErrors: 0 }));
  return liveReducer(state, frameOf(runs.get(run)!, outputs, stats(over), counters));
}

test('window results keep the latest window per key; an older late firing does not replace it', () => {
  let s = initialState('r.jsonl', 'p.yaml', STEPS, 100);
  s = frame(s, [win('c1', 0, 3), win('c2', 0, 5), win('c1', 60_000, 1), win('c1', 0, 4, 'late')]);
  const rows = s.steps[0]!.rows;
  assert.equal(rows.size, 2);
  assert.deepEqual(rows.get('c1')!.fields, { watches: 1, users: 1 });
  assert.equal(rows.get('c1')!.start, 60_000);
});

test('rows sort by the chosen field descending, then by key in natural order; the filter matches keys', () => {
  let s = initialState('r', 'p', STEPS, 100);
  s = frame(s, [win('c10', 0, 2), win('c2', 0, 2), win('c3', 0, 9)]);
  const keys = (st: LiveState) => visibleRows(st.steps[0]!, st.filter, st.sortField, 10).map((r) => r.key);
  assert.deepEqual(keys(s), ['c3', 'c2', 'c10']);
  s = liveReducer(s, { type: 'cycleSort' }); // users (all 1): ties by key
  s = liveReducer(s, { type: 'cycleSort' }); // key
  assert.equal(s.sortField, -1);
  assert.deepEqual(keys(s), ['c2', 'c3', 'c10']);
  s = liveReducer(s, { type: 'filterText', text: 'c1' });
  assert.deepEqual(keys(s), ['c10']);
  s = liveReducer(s, { type: 'endFilter', keep: false });
  assert.equal(s.filter, '');
});

test('matches, timeouts and late records go to the feed, bounded', () => {
  let s = initialState('r', 'p', STEPS, 100);
  const match: OutputRecord = { step: 'binge', kind: 'match', key: 'u1', start: 0, end: 10, events: { start: [{}], more: [{}, {}, {}] }, fields: { watched: 4 } };
  const timeout: OutputRecord = { step: 'binge', kind: 'timeout', key: 'u2', start: 0, end: 7_200_000, events: { start: [{}] }, fields: {} };
  s = frame(s, [match, timeout, { step: 'binge', kind: 'late', key: 'u3', event: { a: 1 } }]);
  const step = s.steps[1]!;
  assert.deepEqual(step.feed.map((f) => [f.kind, f.key]), [['match', 'u1'], ['timeout', 'u2'], ['late', 'u3']]);
  assert.deepEqual(step.feed[0]!.stages, { start: 1, more: 3 });
  assert.equal(step.timeouts, 1);
  s = frame(s, Array.from({ length: 250 }, () => match));
  assert.equal(s.steps[1]!.feed.length, 200);
});

test('a panel shows the last feed items whose key holds the filter, oldest first', () => {
  let s = initialState('r', 'p', STEPS, 100);
  const match = (key: string, start: number): OutputRecord => ({ step: 'binge', kind: 'match', key, start, end: start + 1, events: { start: [{}] }, fields: {} });
  s = frame(s, [match('ann', 1), match('bob', 2), match('Anna', 3), match('carl', 4), match('joann', 5)]);
  const feed = s.steps[1]!.feed;
  const shown = (filter: string, limit: number) => lastFeedItems(feed, filter, limit).map((item) => `${item.key}@${item.start}`);
  assert.deepEqual(shown('', 2), ['carl@4', 'joann@5']);
  assert.deepEqual(shown('ANN', 2), ['Anna@3', 'joann@5']);
  assert.deepEqual(shown('ann', 10), ['ann@1', 'Anna@3', 'joann@5']);
  assert.deepEqual(shown('zed', 10), []);
});

test('panels: select by number, tab cycles, out-of-range numbers are ignored', () => {
  let s = initialState('r', 'p', STEPS, 100);
  s = liveReducer(s, { type: 'select', index: 1 });
  assert.equal(s.selected, 1);
  s = liveReducer(s, { type: 'nextPanel' });
  assert.equal(s.selected, 0);
  assert.equal(liveReducer(s, { type: 'select', index: 7 }), s);
});

test('a rate sample is taken once per wall second for the sparkline', () => {
  let s = initialState('r', 'p', STEPS, 100);
  s = frame(s, [], { wallMs: 500, records: 500 });
  s = frame(s, [], { wallMs: 1_000, records: 1_000 });
  s = frame(s, [], { wallMs: 2_000, records: 3_000 });
  assert.deepEqual(s.rateHistory, [1_000, 2_000]);
  assert.equal(s.rate, 2_000);
});

const WHY: Array<[string, Partial<RunStats>, { seen: number; accepted: number; exprErrors: number }, RegExp]> = [
  ['no records yet', { records: 0 }, { seen: 0, accepted: 0, exprErrors: 0 }, /waiting for the first record/],
  ['idle input', { records: 0, idleMs: 5_000 }, { seen: 0, accepted: 0, exprErrors: 0 }, /the input is idle/],
  ['filter passes nothing', {}, { seen: 10, accepted: 0, exprErrors: 0 }, /no record passed its filter yet \(10 seen\)/],
  ['filter errors', {}, { seen: 10, accepted: 0, exprErrors: 4 }, /4 expression errors: a field missing\?/],
  ['watermark behind the first window end', { minEventTime: 1_000, watermark: 30_000 }, { seen: 10, accepted: 10, exprErrors: 0 }, /the watermark is 30\.0s behind the first window's end/],
  ['records came, then the input went idle', { minEventTime: 1_000, watermark: 70_000, idleMs: 5_000 }, { seen: 10, accepted: 10, exprErrors: 0 }, /the input is idle: no record for a while/],
];

for (const [title, over, counters, message] of WHY) {
  test(`an empty panel says why: ${title}`, () => {
    const s = initialState('r', 'p', STEPS, 100);
    const step = { ...s.steps[0]!, counters: { ...counters, results: 0, late: 0 } };
    assert.match(whyNothingYet(step, stats(over)) ?? '', message);
  });
}

const ENDS: Array<[string, Parameters<typeof firstWindowEnd>[0], number, number]> = [
  ['tumbling', { type: 'tumbling', size: 60_000, offset: 0 }, 61_000, 120_000],
  ['tumbling with offset', { type: 'tumbling', size: 60_000, offset: 15_000 }, 10_000, 15_000],
  ['sliding 10m/3m: the earliest window holding t', { type: 'sliding', size: 600_000, slide: 180_000, offset: 0 }, 60_000, 240_000],
  ['session: t + gap', { type: 'session', gap: 30_000 }, 5_000, 35_000],
];

for (const [title, window, t, end] of ENDS) {
  test(`first window end: ${title}`, () => {
    assert.equal(firstWindowEnd(window, t), end);
  });
}

const SPARKS: Array<[string, number[], number, number, string]> = [
  ['one char per sample', [1, 2, 4, 8], 4, 1, '▁▂▄█'],
  ['60 one-second rates in 30 characters: the mean of each pair', [...Array.from({ length: 58 }, () => 0), 8, 8], 30, 2, `${' '.repeat(29)}█`],
  ['the newest sample is always the last character', [8, 0, 0], 2, 2, '█ '],
  ['idle seconds draw nothing', [0, 0], 2, 1, '  '],
];

for (const [title, samples, width, perChar, expected] of SPARKS) {
  test(`sparkline: ${title}`, () => {
    assert.equal(sparkline(samples, width, perChar), expected);
  });
}

test('top rows: the best N by the sort field, ties in natural key order, without sorting the table', () => {
  let s = initialState('r', 'p', STEPS, 100);
  const many = Array.from({ length: 500 }, (_, i) => win(`u${i}`, 0, i % 7));
  s = frame(s, many);
  const top = visibleRows(s.steps[0]!, '', 0, 5).map((r) => `${r.key}=${r.fields.watches}`);
  assert.deepEqual(top, ['u6=6', 'u13=6', 'u20=6', 'u27=6', 'u34=6']);
  assert.equal(naturalCompare('c2', 'c10') < 0, true);
  assert.equal(naturalCompare('u9', 'u10') < 0 && naturalCompare('b1', 'a2') > 0, true);
});

for (const [kind, value] of [
  ['numbers with many ties', (i: number) => (i * 7_919) % 23],
  ['text', (i: number) => `t${(i * 7_919) % 23}`],
] as const) {
  test(`top rows: the same as sorting the whole table and taking the first N (${kind}, with and without a filter)`, () => {
    // 2,000 keys in a scrambled order.
    let s = initialState('r', 'p', STEPS, 100);
    s = frame(s, Array.from({ length: 2_000 }, (_, i) => win(`k${(i * 4_817) % 2_000}`, 0, value(i) as number)));
    const step = s.steps[0]!;
    const byValue = (a: WindowRow, b: WindowRow): number => {
      const x = a.fields.watches;
      const y = b.fields.watches;
      if (typeof x === 'number' && typeof y === 'number' && x !== y) return y - x;
      if (typeof x === 'string' && typeof y === 'string' && x !== y) return x < y ? -1 : 1;
      return naturalCompare(a.key, b.key);
    };
    for (const filter of ['', '1']) {
      const all = [...step.rows.values()].filter((row) => row.key.includes(filter));
      for (const limit of [1, 5, 40, 300]) {
        const expected = [...all].sort(byValue).slice(0, limit).map((row) => row.key);
        assert.deepEqual(visibleRows(step, filter, 0, limit).map((row) => row.key), expected, `top ${limit}, filter '${filter}'`);
      }
    }
  });
}

/** A batch's results as records of `step` (what the ring was given, field for field). */
function batchRecords(batch: WindowBatch | null, step = 'trending', fields = STEPS[0]!.fields): WindowResult[] {
  if (batch === null) return [];
  return Array.from({ length: batch.size }, (_, n) => ({
    step, kind: 'window' as const, key: batch.key(n), start: batch.start(n), end: batch.end(n), firing: batch.late(n) ? ('late' as const) : ('onTime' as const),
    fields: Object.fromEntries(fields.map((f, i) => [f, batch.value(n, i)])),
  }));
}

test('pending outputs keep every window result up to the ring, the last 200 feed items, and count every timeout', () => {
  const pending = new PendingOutputs(STEPS);
  assert.equal(pending.empty, true);
  const n = RING - 1;
  for (let i = 0; i < n; i++) pending.add(win(`c${i % 3}`, i * 60_000, i));
  pending.add(win('c0', 0, 99, 'late'));
  const timeout: OutputRecord = { step: 'binge', kind: 'timeout', key: 'u2', start: 0, end: 1, events: {}, fields: {} };
  for (let i = 0; i < 1_000; i++) pending.add(timeout);
  const { outputs, windows, timeouts, passedOver } = pending.take();
  assert.equal(windows[1], null);
  const results = batchRecords(windows[0]!);
  assert.equal(results.length, RING);
  // Read out of the ring as they came: the same records, field for field.
  assert.deepEqual(results[n - 1], win(`c${(n - 1) % 3}`, (n - 1) * 60_000, n - 1));
  assert.deepEqual(results[n], win('c0', 0, 99, 'late'));
  assert.equal(outputs.filter((o) => o.kind === 'timeout').length, FEED_LIMIT);
  assert.deepEqual(timeouts, [0, 1_000]);
  assert.deepEqual(passedOver, [0, 0]);
  let s = initialState('r', 'p', STEPS, 100);
  s = liveReducer(s, { type: 'frame', outputs, windows, timeouts, passedOver, stats: stats(), counters: [] });
  assert.equal(s.steps[0]!.rows.size, 3);
  // The newest result of each key, the late firing of an older window left out.
  for (let k = 0; k < 3; k++) {
    const last = n - 1 - ((n - 1 - k) % 3);
    assert.equal(s.steps[0]!.rows.get(`c${k}`)!.fields.watches, last);
    assert.equal(s.steps[0]!.rows.get(`c${k}`)!.firing, 'onTime');
  }
  assert.equal(s.steps[1]!.timeouts, 1_000);
  assert.equal(pending.empty, true);
  assert.equal(pending.take().windows[0], null);
});

test('pending outputs: past the ring between two frames, the oldest results are passed over and counted', () => {
  const pending = new PendingOutputs(STEPS);
  const over = 5_000;
  // Non-number fields too: they travel through the ring's value array.
  for (let i = 0; i < RING + over; i++) pending.add({ ...win(`u${i}`, 60_000, i), fields: { watches: i, users: i % 2 === 0 ? `n${i}` : null } });
  const first = pending.take();
  const results = batchRecords(first.windows[0]!);
  assert.equal(results.length, RING);
  assert.deepEqual(first.passedOver, [over, 0]);
  assert.deepEqual(results[0]!.key, `u${over}`);
  assert.deepEqual(results.at(-1)!.fields, { watches: RING + over - 1, users: (RING + over - 1) % 2 === 0 ? `n${RING + over - 1}` : null });
  let s = initialState('r', 'p', STEPS, 100);
  s = liveReducer(s, { type: 'frame', ...first, stats: stats(), counters: [] });
  assert.equal(s.steps[0]!.rows.size, RING);
  assert.equal(s.steps[0]!.rows.has('u0'), false);
  assert.equal(s.steps[0]!.rows.get(`u${over + 1}`)!.fields.users, null);
  assert.equal(s.steps[0]!.passedOver, over);
  // The count stays (since the start) while later frames fit the ring.
  pending.add(win('u0', 120_000, 7));
  const second = pending.take();
  assert.deepEqual(second.passedOver, [over, 0]);
  s = liveReducer(s, { type: 'frame', ...second, stats: stats(), counters: [] });
  assert.equal(s.steps[0]!.rows.get('u0')!.fields.watches, 7);
  assert.equal(s.steps[0]!.passedOver, over);
  // An older window's late firing does not replace the newer row, through the ring as well.
  pending.add(win('u0', 60_000, 99, 'late'));
  s = liveReducer(s, { type: 'frame', ...pending.take(), stats: stats(), counters: [] });
  assert.equal(s.steps[0]!.rows.get('u0')!.fields.watches, 7);
  assert.equal(s.steps[0]!.rows.get('u0')!.start, 120_000);
});
