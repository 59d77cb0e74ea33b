/**
 * Window tests as scenarios: a table of `[event, ts]` rows and `{ watermark }` rows becomes
 * process / advanceWatermark calls, and the output becomes a timeline of short lines:
 *
 *   '@1999'                                 the watermark advanced to 1999
 *   'key2 [0,3000) onTime {"sum":3}'        a window result
 *   'late key2 {"key":"key2","value":1}'    a late record
 *   'open 0'                                the open window count, where an `{ open: true }` row asks
 *
 * Without `{ watermark }` rows, `outOfOrderness` gives the pipeline's rule: after each record the
 * watermark is max event time − outOfOrderness − 1, and +∞ at the end.
 */
import type { Fields, OutputRecord } from '../../../src/engine/operator.js';
import type { AggregateFunction, WindowSpec } from '../../../src/engine/spec.js';
import { WindowOperator, type Scope, type WindowStep } from '../../../src/engine/window/window-step.js';
import { EncodedKeySpill, type KeySpillOptions } from '../../../src/engine/state/key-spill.js';

/**
 * SW_WINDOW_SPILL_BUDGET=<keys> runs every scenario with a key spill and that key budget
 * (spill.test.ts runs this folder's tests so with 1 and 2 keys: their expected timelines must hold).
 */
const SPILL_BUDGET = process.env['SW_WINDOW_SPILL_BUDGET'];

export function spillOptions(budget = SPILL_BUDGET === undefined ? undefined : Number(SPILL_BUDGET)): KeySpillOptions | undefined {
  return budget === undefined ? undefined : { spill: new EncodedKeySpill(), budget };
}

export type Row = readonly [event: Fields, ts: number] | { readonly watermark: number } | { readonly open: true };

export interface StepOptions {
  readonly name?: string;
  readonly window: WindowSpec;
  readonly allowedLateness?: number;
  readonly lateOutput?: boolean;
  readonly filter?: (fields: Fields) => boolean;
  /** A field name, a function, or null for a non-keyed step; default the field `key`. */
  readonly key?: string | ((fields: Fields) => unknown) | null;
  /** name → [function, argument field or function (omit for count()), quantile]. Default {sum: sum(value)}. */
  readonly aggregates?: Record<string, readonly [AggregateFunction, (string | ((fields: Fields) => unknown))?, number?]>;
  readonly select?: Record<string, (scope: Scope) => unknown>;
  readonly having?: (scope: Scope) => boolean;
}

/** A field read that fails like a CEL evaluation of a missing field. */
export function field(name: string): (fields: Fields) => unknown {
  return (fields) => {
    if (!(name in fields)) throw new Error(`no such key: ${name}`);
    return fields[name];
  };
}

export function windowStep(options: StepOptions): WindowStep {
  const key = options.key === undefined ? 'key' : options.key;
  const aggregates = options.aggregates ?? { sum: ['sum', 'value'] };
  return {
    name: options.name ?? 'w',
    window: options.window,
    allowedLateness: options.allowedLateness ?? 0,
    lateOutput: options.lateOutput ?? true,
    filter: options.filter ?? null,
    key: key === null ? () => null : typeof key === 'string' ? field(key) : key,
    aggregates: Object.entries(aggregates).map(([name, [fn, arg, quantile]]) => ({
      name,
      fn,
      arg: arg === undefined ? null : typeof arg === 'string' ? field(arg) : arg,
      ...(quantile === undefined ? {} : { quantile }),
    })),
    select: Object.entries(options.select ?? {}).map(([name, evaluate]) => ({ name, evaluate })),
    having: options.having ?? null,
  };
}

export function brief(record: OutputRecord): string {
  if (record.kind === 'window') {
    return `${JSON.stringify(record.key)} [${record.start},${record.end}) ${record.firing} ${JSON.stringify(record.fields)}`.replace(/^"([^"]*)"/, '$1');
  }
  if (record.kind === 'late') return `late ${JSON.stringify(record.key).replace(/^"([^"]*)"$/, '$1')} ${JSON.stringify(record.event)}`;
  return JSON.stringify(record);
}

export interface Replay {
  readonly timeline: string[];
  readonly records: OutputRecord[];
  readonly operator: WindowOperator;
}

export function replay(step: WindowStep, rows: readonly Row[], rule?: { outOfOrderness: number }, spill = spillOptions()): Replay {
  const operator = new WindowOperator(step, spill);
  const timeline: string[] = [];
  const records: OutputRecord[] = [];
  const out = {
    emit(record: OutputRecord) {
      records.push(record);
      timeline.push(brief(record));
    },
  };
  let maxTs = -Infinity;
  let line = 0;
  for (const row of rows) {
    if ('watermark' in row) {
      timeline.push(`@${row.watermark}`);
      operator.advanceWatermark(row.watermark, out);
    } else if ('open' in row) {
      timeline.push(`open ${operator.openState}`);
    } else {
      const [event, ts] = row;
      line++;
      const ctx = { line, original: () => event };
      operator.process(event, ts, ctx, out);
      if (rule) {
        maxTs = Math.max(maxTs, ts);
        operator.advanceWatermark(maxTs - rule.outOfOrderness - 1, out);
      }
    }
  }
  if (rule) {
    timeline.push('@end');
    operator.advanceWatermark(Infinity, out);
  }
  return { timeline, records, operator };
}

/** `[{key, value}, ts]` rows, the shape Flink's window tests use (Tuple2<String, Integer>). */
export function kv(key: string, value: number, ts: number): Row {
  return [{ key, value }, ts];
}
