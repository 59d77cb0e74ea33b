/**
 * State size of a pipeline: for each step, keys × live windows per key × bytes per window
 * (accumulators plus per-entry overhead), or, for a CEP pattern, the events its partial matches
 * buffer. Pure arithmetic over a normalized `PipelineSpec`, so it is testable without a loader.
 */
import type { AggregateSpec, KeySpec, PipelineSpec, StepSpec, WindowSpec } from '../engine/spec.js';
import type { Assumptions } from './assumptions.js';
import { formatBytes, formatNumber } from './quantities.js';
import { formatDuration } from '../engine/duration.js';

/** Distinct keys of a step, measured from a recording or assumed. */
export interface KeyCount {
  readonly keys: number;
  readonly source: 'measured' | 'assumed' | 'not keyed';
}

export interface StateWorkload {
  readonly eventsPerSec: number;
  readonly eventBytes: number;
}

export interface StepState {
  readonly step: string;
  readonly kind: StepSpec['kind'];
  readonly keys: number;
  readonly keySource: KeyCount['source'];
  /** Bytes, or null when the spec does not bound it (a pattern without `within`, user code). */
  readonly bytes: number | null;
  readonly formula: string;
  readonly workings: string;
}

export interface PipelineState {
  /** Sum of the bounded steps. */
  readonly bytes: number;
  /** True when some step's state is unbounded or not estimable, so `bytes` is a lower bound. */
  readonly lowerBound: boolean;
  readonly steps: readonly StepState[];
}

/** The dotted paths a step's key reads, joined as the profiler names them ("a,b"); null when not a field key. */
export function keyFieldName(key: KeySpec): string | null {
  return key.kind === 'fields' ? key.paths.join(',') : null;
}

/**
 * Windows alive per key at once. A window stays in state until the watermark passes its end plus
 * allowed lateness, and the watermark trails the newest event by outOfOrderness; windows start
 * every `advance` (size for tumbling, slide for sliding, gap for sessions, treated as a window of
 * length gap), so ceil((span + outOfOrderness + allowedLateness) / advance) windows are open.
 */
export function windowsPerKey(window: WindowSpec, outOfOrderness: number, allowedLateness: number): number {
  const [span, advance] = window.type === 'tumbling' ? [window.size, window.size] : window.type === 'sliding' ? [window.size, window.slide] : [window.gap, window.gap];
  return Math.max(1, Math.ceil((span + outOfOrderness + allowedLateness) / advance));
}

/** Window length in ms an accumulator collects values over (a session's gap as its minimum). */
function windowSpan(window: WindowSpec): number {
  return window.type === 'session' ? window.gap : window.size;
}

/**
 * Bytes of one aggregate's accumulator. Fixed-size ones: count, sum, min, max, first, last hold one
 * value; avg holds sum and count; stddev holds count, mean and M2 (Welford). count_distinct holds a
 * set of the window's values (value plus a hash slot each) and percentile holds every value.
 */
export function accumulatorBytes(aggregate: AggregateSpec, eventsPerWindowPerKey: number, assumptions: Pick<Assumptions, 'valueBytes'>): number {
  const value = assumptions.valueBytes;
  switch (aggregate.fn) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
    case 'first':
    case 'last':
      return value;
    case 'avg':
      return 2 * value;
    case 'stddev':
      return 3 * value;
    case 'count_distinct':
      return Math.ceil(eventsPerWindowPerKey) * (value + 8);
    case 'percentile':
      return Math.ceil(eventsPerWindowPerKey) * value;
  }
}

export function pipelineState(
  spec: PipelineSpec,
  workload: StateWorkload,
  keysOf: (step: StepSpec) => KeyCount,
  assumptions: Pick<Assumptions, 'valueBytes' | 'stateEntryOverheadBytes'>,
): PipelineState {
  const steps = spec.steps.map((step) => stepState(step, spec.time.outOfOrderness, workload, keysOf(step), assumptions));
  let bytes = 0;
  let lowerBound = false;
  for (const step of steps) {
    if (step.bytes === null) lowerBound = true;
    else bytes += step.bytes;
  }
  return { bytes, lowerBound, steps };
}

function stepState(
  step: StepSpec,
  outOfOrderness: number,
  workload: StateWorkload,
  keyCount: KeyCount,
  assumptions: Pick<Assumptions, 'valueBytes' | 'stateEntryOverheadBytes'>,
): StepState {
  const keys = step.keyBy.kind === 'none' ? 1 : Math.max(1, keyCount.keys);
  const keySource = step.keyBy.kind === 'none' ? 'not keyed' : keyCount.source;
  const base = { step: step.name, kind: step.kind, keys, keySource } as const;
  const overhead = assumptions.stateEntryOverheadBytes;

  if (step.kind === 'window') {
    const perKey = windowsPerKey(step.window, outOfOrderness, step.allowedLateness);
    const eventsPerWindowPerKey = (workload.eventsPerSec * windowSpan(step.window)) / 1000 / keys;
    const accumulators = step.aggregate.reduce((sum, aggregate) => sum + accumulatorBytes(aggregate, eventsPerWindowPerKey, assumptions), 0);
    const bytes = keys * perKey * (accumulators + overhead);
    return {
      ...base,
      bytes,
      formula: 'keys × windows per key × (accumulator bytes + entry overhead); windows per key = ceil((span + outOfOrderness + allowedLateness) / advance)',
      workings: `${formatNumber(keys)} × ${perKey} × (${formatNumber(accumulators)} + ${overhead}) = ${formatBytes(bytes)} (${describeWindow(step.window)}, outOfOrderness ${formatDuration(outOfOrderness)}, allowedLateness ${formatDuration(step.allowedLateness)}, ${step.aggregate.map((a) => a.fn).join(', ') || 'no aggregates'})`,
    };
  }

  if (step.kind === 'pattern') {
    // The CEP operator buffers every event until the watermark passes it (outOfOrderness worth
    // of the stream, summed over keys), and its shared buffer keeps the events of partial matches,
    // at worst every event of the key within `within`.
    const waiting = (workload.eventsPerSec * outOfOrderness) / 1000;
    const waitingBytes = waiting * (workload.eventBytes + overhead);
    const within = step.pattern.within;
    if (within === undefined) {
      return {
        ...base,
        bytes: null,
        formula: 'keys × events per key within `within` × (event bytes + entry overhead) + events waiting for the watermark',
        workings: `unbounded: a pattern without \`within\` keeps partial matches until they complete; add \`within\` to bound it (events waiting for the watermark alone: ${formatBytes(waitingBytes)})`,
      };
    }
    const eventsPerKey = (workload.eventsPerSec * within) / 1000 / keys;
    const bytes = keys * eventsPerKey * (workload.eventBytes + overhead) + waitingBytes;
    return {
      ...base,
      bytes,
      formula: 'keys × events per key within `within` × (event bytes + entry overhead) + events/s × outOfOrderness × (event bytes + entry overhead)',
      workings: `${formatNumber(keys)} × ${formatNumber(eventsPerKey)} × (${formatNumber(workload.eventBytes)} + ${overhead}) + ${formatNumber(waiting)} × (${formatNumber(workload.eventBytes)} + ${overhead}) = ${formatBytes(bytes)} (within ${formatDuration(within)}, worst case: every event is in a partial match)`,
    };
  }

  return {
    ...base,
    bytes: null,
    formula: 'not estimable from the spec',
    workings: 'a keyed process function keeps whatever state its code writes; measure it with a replay',
  };
}

function describeWindow(window: WindowSpec): string {
  switch (window.type) {
    case 'tumbling':
      return `tumbling ${formatDuration(window.size)}`;
    case 'sliding':
      return `sliding ${formatDuration(window.size)}/${formatDuration(window.slide)}`;
    case 'session':
      return `session gap ${formatDuration(window.gap)}`;
  }
}
