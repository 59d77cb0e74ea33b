/**
 * The live view's state and its pure reducer. The replay pushes output records and counters;
 * the runner batches them into one `frame` action per render tick (at most 20 a second), so the
 * reducer, not React, absorbs a million records a second. Components only render this state.
 */
import type { PacingStatus } from '../replay/pacer.js';
import type { OutputRecord } from '../engine/operator.js';
import type { WindowSpec } from '../engine/spec.js';
import { printable } from './display-format.js';

export interface StepInfo {
  readonly name: string;
  readonly kind: 'window' | 'pattern' | 'process';
  /** Window steps: the output fields, in order (aggregates then select), to sort and show. */
  readonly fields: readonly string[];
  readonly window?: WindowSpec;
}

export interface WindowRow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly firing: 'onTime' | 'late';
  readonly fields: Readonly<Record<string, unknown>>;
  /** Wall ms of the run when the row last changed (highlighted for HIGHLIGHT_MS). */
  readonly changedAt: number;
}

export interface FeedItem {
  readonly kind: 'match' | 'timeout' | 'late' | 'result';
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly fields: Readonly<Record<string, unknown>>;
  /** Stage name → number of events (matches and timeouts). */
  readonly stages: Readonly<Record<string, number>>;
  /** Stage name → the events themselves (matches and timeouts; the feed keeps 200 items). */
  readonly events: Readonly<Record<string, readonly unknown[]>>;
  readonly frame: number;
}

export interface StepCountersView {
  readonly seen: number;
  readonly accepted: number;
  readonly results: number;
  readonly late: number;
  readonly exprErrors: number;
}

export interface StepView {
  readonly info: StepInfo;
  /** Window steps: the latest result per key. */
  readonly rows: ReadonlyMap<string, WindowRow>;
  /** Pattern and process steps (and late records of every step): newest last, bounded. */
  readonly feed: readonly FeedItem[];
  readonly counters: StepCountersView;
  readonly timeouts: number;
  /** Window steps: results that never reached the table (more came between two frames than the view keeps). */
  readonly passedOver: number;
  /**
   * In a snapshot for the view's worker (view-snapshot.ts), `rows` and `feed` hold only what the
   * panel can show: the sizes of the table and the feed the runner keeps.
   */
  readonly kept?: { readonly keys: number; readonly feed: number };
}

/** Keys in a window step's table. */
export const keyCount = (step: StepView): number => step.kept?.keys ?? step.rows.size;
/** The step's feed items, counted before a snapshot kept the last few only. */
export const feedCount = (step: StepView): number => step.kept?.feed ?? step.feed.length;

export interface RunStats {
  readonly records: number;
  readonly deadLetters: number;
  readonly watermark: number;
  readonly maxEventTime: number;
  readonly minEventTime: number;
  /** How far through the recording, 0 to 1 (Replay.progress); null when unknown (stdin). */
  readonly progress: number | null;
  readonly wallMs: number;
  readonly speed: number;
  /** Requested vs achieved speed; absent in states built before a replay ran (tests). */
  readonly pacing?: PacingStatus;
  readonly paused: boolean;
  /** Wall ms since the last record arrived (for "the input is idle"). */
  readonly idleMs: number;
}

/** The data-quality panel (`--quality`): the monitor's latest snapshot, as rows. */
export interface QualityView {
  readonly headline: string;
  readonly score: number;
  readonly rules: ReadonlyArray<{ readonly id: string; readonly type: string; readonly severity: string; readonly evaluated: number; readonly failed: number; readonly status: string }>;
}

export interface LiveState {
  readonly quality: QualityView | null;
  readonly recording: string;
  readonly pipeline: string;
  readonly steps: readonly StepView[];
  readonly stats: RunStats;
  /** Records per second, one sample per second of wall time, the last 60. */
  /** Events/s, one sample per wall second, the last minute of them. */
  readonly rateHistory: readonly number[];
  readonly rate: number;
  /** Where the current rate sample started: wall ms and records then. */
  readonly rateFrom: { readonly wallMs: number; readonly records: number };
  readonly selected: number;
  readonly filter: string;
  readonly editingFilter: boolean;
  /** Index into the selected window step's fields; -1 sorts by key. */
  readonly sortField: number;
  readonly frame: number;
  readonly done: boolean;
}

export type LiveAction =
  | {
      readonly type: 'frame';
      /** Feed records since the last frame (matches, timeouts, late records, process results). */
      readonly outputs: readonly FeedRecord[];
      readonly stats: RunStats;
      readonly counters: readonly StepCountersView[];
      /** Timeouts per step since the start, when `outputs` was coalesced (it may miss some then). */
      readonly timeouts?: readonly number[];
      /** Results per step since the start that `outputs` had no room for (PendingOutputs). */
      readonly passedOver?: readonly number[];
      /**
       * Per step, window results since the last frame, read where they are kept (PendingOutputs'
       * ring), folded into the table; null for a step with none.
       */
      readonly windows?: readonly (WindowBatch | null)[];
      readonly quality?: QualityView;
    }
  | { readonly type: 'select'; readonly index: number }
  | { readonly type: 'nextPanel' }
  | { readonly type: 'startFilter' }
  | { readonly type: 'filterText'; readonly text: string }
  | { readonly type: 'endFilter'; readonly keep: boolean }
  | { readonly type: 'cycleSort' }
  | { readonly type: 'done' };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The output records a feed shows: every kind but window results (those fold into the table). */
export type FeedRecord = Exclude<OutputRecord, { kind: 'window' }>;

/**
 * Window results of one step, oldest first, read in place: result n's key, window, firing, and
 * the value of the step's field f (StepInfo.fields order). Folding them needs no record object.
 */
export interface WindowBatch {
  readonly size: number;
  key(n: number): unknown;
  start(n: number): number;
  end(n: number): number;
  late(n: number): boolean;
  value(n: number, field: number): unknown;
}

export const FEED_LIMIT = 200;
/**
 * A row stays highlighted this long after it changed. Wall time, not frames: frames are skipped
 * when nothing changed, and the view redraws at least once a wall second (its clock), so a
 * highlight goes out within 1-2 s even when the replay is paused.
 */
export const HIGHLIGHT_MS = 1_000;
/** No record for this long and the input counts as idle. */
export const IDLE_MS = 2_000;

const ZERO_COUNTERS: StepCountersView = { seen: 0, accepted: 0, results: 0, late: 0, exprErrors: 0 };

/** Panels: one per step, then the quality panel when the run checks quality. */
export function panelCount(state: LiveState): number {
  return state.steps.length + (state.quality ? 1 : 0);
}

export function initialState(recording: string, pipeline: string, steps: readonly StepInfo[], speed: number, quality: QualityView | null = null): LiveState {
  return {
    quality,
    recording,
    pipeline,
    steps: steps.map((info) => ({ info, rows: new Map(), feed: [], counters: ZERO_COUNTERS, timeouts: 0, passedOver: 0 })),
    stats: {
      records: 0,
      deadLetters: 0,
      watermark: -Infinity,
      maxEventTime: -Infinity,
      minEventTime: Infinity,
      progress: null,
      wallMs: 0,
      speed,
      paused: false,
      idleMs: 0,
    },
    rateHistory: [],
    rate: 0,
    rateFrom: { wallMs: 0, records: 0 },
    selected: 0,
    filter: '',
    editingFilter: false,
    sortField: 0,
    frame: 0,
    done: false,
  };
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  switch (action.type) {
    case 'frame':
      return applyFrame(state, action);
    case 'select':
      return action.index >= 0 && action.index < panelCount(state) ? { ...state, selected: action.index, sortField: 0 } : state;
    case 'nextPanel':
      return { ...state, selected: (state.selected + 1) % Math.max(1, panelCount(state)), sortField: 0 };
    case 'startFilter':
      return { ...state, editingFilter: true };
    case 'filterText':
      return { ...state, filter: action.text };
    case 'endFilter':
      return { ...state, editingFilter: false, filter: action.keep ? state.filter : '' };
    case 'cycleSort': {
      const fields = state.steps[state.selected]?.info.fields.length ?? 0;
      // Cycles through the fields, then by key (-1), then back to the first field.
      return { ...state, sortField: state.sortField + 1 >= fields ? -1 : state.sortField + 1 };
    }
    case 'done':
      return { ...state, done: true };
  }
}

function applyFrame(state: LiveState, action: Extract<LiveAction, { type: 'frame' }>): LiveState {
  const frame = state.frame + 1;
  const index = new Map(state.steps.map((s, i) => [s.info.name, i]));
  const feeds: (FeedItem[] | null)[] = state.steps.map(() => null);
  const timeouts = state.steps.map((s, i) => action.timeouts?.[i] ?? s.timeouts);
  for (const record of action.outputs) {
    const i = index.get(record.step);
    if (i === undefined) continue;
    const key = keyText(record.key);
    const feed = (feeds[i] ??= [...state.steps[i]!.feed]);
    if (record.kind === 'timeout' && action.timeouts === undefined) timeouts[i]!++;
    feed.push(feedItem(record, key, frame));
  }
  if (action.windows !== undefined) foldWindows(state.steps.map((step) => step.rows as Map<string, WindowRow>), state.steps, action.windows, action.stats.wallMs);
  const steps = state.steps.map((step, i) => {
    const feed = feeds[i];
    if (feed && feed.length > FEED_LIMIT) feed.splice(0, feed.length - FEED_LIMIT);
    return {
      info: step.info,
      rows: step.rows,
      feed: feed ?? step.feed,
      counters: action.counters[i] ?? step.counters,
      timeouts: timeouts[i]!,
      passedOver: action.passedOver?.[i] ?? step.passedOver,
    };
  });
  // One rate sample per elapsed wall second: the records since the last sample over the time since.
  let { rateHistory, rate, rateFrom } = state;
  if (Math.floor(action.stats.wallMs / 1000) > Math.floor(rateFrom.wallMs / 1000)) {
    const seconds = Math.max(1e-3, (action.stats.wallMs - rateFrom.wallMs) / 1000);
    rate = (action.stats.records - rateFrom.records) / seconds;
    rateHistory = [...rateHistory.slice(-59), rate];
    rateFrom = { wallMs: action.stats.wallMs, records: action.stats.records };
  } else if (state.frame === 0 && action.stats.wallMs > 0) {
    rate = action.stats.records / (action.stats.wallMs / 1000);
  }
  return { ...state, steps, stats: action.stats, frame, rateHistory, rate, rateFrom, quality: action.quality ?? state.quality };
}

/**
 * Window results into the steps' tables (the latest window per key), in place: per step its
 * batch (null: none), folded into `tables[i]`, the values under the step's field names: the
 * reducer's tables (tests, ink-testing-library). The view's worker folds into tables of its own,
 * by column (window-table.ts), by the same rule.
 */
export function foldWindows(tables: readonly (Map<string, WindowRow> | null)[], steps: readonly { readonly info: StepInfo }[], windows: readonly (WindowBatch | null)[], wallMs: number): void {
  windows.forEach((batch, i) => {
    const rows = tables[i];
    const step = steps[i];
    if (batch === null || rows === null || rows === undefined || step === undefined) return;
    const fields = step.info.fields;
    for (let n = 0; n < batch.size; n++) {
      const row = foldRow(rows, keyText(batch.key(n)), batch.start(n), batch.end(n), batch.late(n), wallMs);
      if (row === null) continue;
      const values = row.fields as Record<string, unknown>;
      for (let f = 0; f < fields.length; f++) values[fields[f]!] = batch.value(n, f);
    }
  });
}

/**
 * One window result into the table (the latest window per key): the row to write the result's
 * values into, or null for an older window's late firing, which does not replace a newer row.
 * Rows and their field objects are updated in place, not copied: a frame folds up to 4,096
 * results (RING) into a table of up to 50K keys, and a copy per result was most of a frame's
 * garbage. Only the newest state is ever rendered, so older states sharing the map do not matter.
 */
function foldRow(rows: Map<string, WindowRow>, key: string, start: number, end: number, late: boolean, wallMs: number): Mutable<WindowRow> | null {
  const current = rows.get(key) as Mutable<WindowRow> | undefined;
  const firing = late ? 'late' : 'onTime';
  if (current === undefined) {
    const row: Mutable<WindowRow> = { key, start, end, firing, fields: {}, changedAt: wallMs };
    rows.set(key, row);
    return row;
  }
  if (start < current.start) return null;
  current.start = start;
  current.end = end;
  current.firing = firing;
  current.changedAt = wallMs;
  return current;
}

function feedItem(record: FeedRecord, key: string, frame: number): FeedItem {
  switch (record.kind) {
    case 'match':
    case 'timeout':
      return {
        kind: record.kind,
        key,
        start: record.start,
        end: record.end,
        fields: record.fields,
        stages: Object.fromEntries(Object.entries(record.events).map(([stage, events]) => [stage, events.length])),
        events: record.events,
        frame,
      };
    case 'late':
      return { kind: 'late', key, start: NaN, end: NaN, fields: { event: record.event }, stages: {}, events: {}, frame };
    case 'result':
      return { kind: 'result', key, start: record.time, end: record.time, fields: record.fields, stages: {}, events: {}, frame };
  }
}

/** A key as the view shows it (unprintable characters escaped: display-format.ts printable). */
export function keyText(key: unknown): string {
  if (key === null || key === undefined) return '(all)';
  if (typeof key === 'string') return printable(key);
  return printable(JSON.stringify(key));
}

/**
 * The rows a window panel shows: filtered by key, sorted by the chosen field (descending, then
 * by key in natural order), top `limit` (selectTop). The view's worker picks them from its own
 * table the same way (window-table.ts).
 */
export function visibleRows(step: StepView, filter: string, sortField: number, limit: number): WindowRow[] {
  const needle = filter.toLowerCase();
  const field = sortField >= 0 ? step.info.fields[sortField] : undefined;
  const rows = [...step.rows.values()];
  const value = (i: number): unknown => (field === undefined ? undefined : rows[i]!.fields[field]);
  const top = selectTop(
    rows.length,
    limit,
    needle === '' ? null : (i) => rows[i]!.key.toLowerCase().includes(needle),
    (a, b) => compareRows(value(a), value(b), rows[a]!.key, rows[b]!.key),
    field === undefined ? null : (i) => {
      const v = value(i);
      return typeof v === 'number' ? v : NaN;
    },
  );
  return top.map((i) => rows[i]!);
}

/** Two rows in a panel's order: by their sort values (numbers descending, text ascending), else by key in natural order. */
export function compareRows(x: unknown, y: unknown, keyA: string, keyB: string): number {
  if (typeof x === 'number' && typeof y === 'number' && x !== y) return y - x;
  if (typeof x === 'string' && typeof y === 'string' && x !== y) return x < y ? -1 : 1;
  return naturalCompare(keyA, keyB);
}

/**
 * The best `limit` of items 0 … count-1 that pass `passes` (null: all), best first by `compare`:
 * a selection, not a sort, one pass keeping the best `limit`, so 50K keys cost 50K comparisons
 * with the current last at most. Once the selection is full, most items fall below its last:
 * one whose `sortNumber` (the sort value when it is a number, else NaN; null: no numeric sort) is
 * smaller than the last's is passed over without the comparison.
 */
export function selectTop(count: number, limit: number, passes: ((i: number) => boolean) | null, compare: (a: number, b: number) => number, sortNumber: ((i: number) => number) | null): number[] {
  const top: number[] = [];
  if (limit <= 0) return top;
  let worst = NaN;
  for (let i = 0; i < count; i++) {
    if (passes !== null && !passes(i)) continue;
    if (top.length === limit) {
      if (sortNumber !== null && sortNumber(i) < worst) continue;
      if (compare(i, top[limit - 1]!) >= 0) continue;
      top.pop();
    }
    let at = top.length;
    while (at > 0 && compare(i, top[at - 1]!) < 0) at--;
    top.splice(at, 0, i);
    if (top.length === limit && sortNumber !== null) worst = sortNumber(top[limit - 1]!);
  }
  return top;
}

/**
 * The feed items a pattern panel shows: the last `limit` whose key holds the filter
 * (case-insensitive), oldest first. From the newest back, so that a long feed is not filtered whole.
 */
export function lastFeedItems(feed: readonly FeedItem[], filter: string, limit: number): FeedItem[] {
  const needle = filter.toLowerCase();
  const items: FeedItem[] = [];
  for (let n = feed.length - 1; n >= 0 && items.length < limit; n--) {
    const item = feed[n]!;
    if (needle === '' || item.key.toLowerCase().includes(needle)) items.push(item);
  }
  return items.reverse();
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** Natural order for keys: u2 before u10; digit runs compare by value, the rest by code point. */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let si = i;
      let sj = j;
      while (si < a.length && a.charCodeAt(si) === 48) si++;
      while (sj < b.length && b.charCodeAt(sj) === 48) sj++;
      let ei = si;
      let ej = sj;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      if (ei - si !== ej - sj) return ei - si - (ej - sj);
      for (let k = 0; k < ei - si; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

/** Why a step has no results yet, in the user's words; null once it has some. */
export function whyNothingYet(step: StepView, stats: RunStats): string | null {
  if (step.counters.results > 0 || keyCount(step) > 0 || feedCount(step) > 0) return null;
  if (stats.records === 0) return stats.idleMs > IDLE_MS ? 'the input is idle: no record has arrived yet' : 'waiting for the first record';
  if (step.counters.accepted === 0) {
    return step.counters.exprErrors > 0
      ? `no record passed its filter (${step.counters.exprErrors} expression errors: a field missing?)`
      : `no record passed its filter yet (${step.counters.seen} seen)`;
  }
  const firstEnd = firstWindowEnd(step.info.window, stats.minEventTime);
  if (firstEnd !== null && stats.watermark < firstEnd - 1) {
    return `the watermark is ${formatLag(firstEnd - 1 - stats.watermark)} behind the first window's end`;
  }
  if (stats.idleMs > IDLE_MS) return 'the input is idle: no record for a while, and the watermark only moves with records';
  return step.info.kind === 'pattern' ? 'no match yet: partial matches are open' : 'nothing emitted yet';
}

function formatLag(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.round(ms / 60_000)}m`;
}

/** End of the earliest window that holds a record at `t`, as Flink assigns it. */
export function firstWindowEnd(window: WindowSpec | undefined, t: number): number | null {
  if (!window || !Number.isFinite(t)) return null;
  if (window.type === 'session') return t + window.gap;
  const slide = window.type === 'sliding' ? window.slide : window.size;
  const lastStart = t - ((((t - window.offset) % slide) + slide) % slide);
  const firstStart = window.type === 'sliding' ? lastStart - Math.ceil(window.size / slide - 1) * slide : lastStart;
  let start = firstStart;
  while (start + window.size <= t) start += slide;
  return start + window.size;
}
