/**
 * A window step → INSERT INTO its sink: TUMBLE / HOP window table-valued functions (with the spec's
 * offset), a session window as a group-window aggregation (GROUP BY SESSION(...): the SESSION
 * table-valued function with PARTITION BY needs Flink 1.19+ and is missing from dt-sql-parser's
 * grammar, while the group window runs on every Flink version). Aggregates map one to one; `select`
 * and `having` become an outer query over the aggregates, where `window.start` / `window.end` read
 * window_start / window_end and `key` the key columns.
 */
import type { AggregateSpec, WindowStepSpec } from '../engine/spec.js';
import { bare, type Sql } from './cel-to-sql.js';
import type { ExportReport } from './export-report.js';
import { stepInput, type Translate } from './step-input.js';
import { identifier, interval, numberLiteral } from './sql-text.js';

/** A step's statements, rendered once every field's type is known (translation gathers the hints). */
export interface StepPlan {
  readonly name: string;
  render(columnType: (sql: Sql) => string, sinkDdl: (columns: ReadonlyArray<readonly [string, string]>) => string, sink: string): string;
}

interface Output {
  readonly name: string;
  readonly sql: Sql;
  /** A fixed sink type (COUNT is BIGINT), else the type of `sql`. */
  readonly type?: string;
}

export function planWindowStep(step: WindowStepSpec, source: string, rowtime: string, translate: Translate, report: ExportReport): StepPlan {
  const at = `steps.${step.name}`;
  const input = stepInput(step, source, translate);
  const aggregates = step.aggregate.map((a) => aggregate(a, `${at}.aggregate.${a.name}`, translate));

  const bindings = new Map<string, Sql>(aggregates.map((a) => [a.name, { ...a.sql, text: identifier(a.name) }]));
  const selects: Output[] = [];
  for (const field of step.select) {
    const sql = translate(field.expr, `${at}.select.${field.name}`, { bindings, key: input.keys.map((k) => k.sql), window: true });
    selects.push({ name: field.name, sql });
    // A later computed field may read an earlier one: it reads the expression, not a column.
    bindings.set(field.name, { ...sql, text: `(${bare(sql.text)})` });
  }
  const having = step.having === undefined ? null : translate(step.having, `${at}.having`, { bindings, key: input.keys.map((k) => k.sql), window: true });

  const w = step.window;
  const bounds = w.type === 'session' ? [w.gap] : w.type === 'sliding' ? [w.size, w.slide, w.offset] : [w.size, w.offset];
  const readsBounds = [...step.select.map((s) => s.expr), step.having ?? ''].some((e) => /\bwindow\s*\.\s*(start|end)\b/.test(e));
  if (readsBounds && bounds.some((ms) => ms % 1000 !== 0)) {
    report.add(step.name, 'differs', 'window.start / window.end in select or having are read to the second (Flink SQL has no millisecond epoch of a TIMESTAMP), and this window has sub-second bounds', 'select window_start / window_end from the sink instead of computing with them');
  }
  if (step.allowedLateness > 0) {
    report.add(step.name, 'differs', `allowedLateness ${step.allowedLateness} ms: Flink SQL window aggregations emit each window once, at the watermark, and drop rows that arrive later, so the engine's late re-firings are not produced`, 'raise time.outOfOrderness by the lateness (later but complete results), or run the step on the DataStream API with allowedLateness');
  }
  if (step.lateOutput) {
    report.add(step.name, 'differs', 'lateOutput: Flink SQL has no side output for late rows; they are dropped', 'compare CURRENT_WATERMARK(event_time) with event_time in a separate INSERT to capture late rows, or use the DataStream API side output');
  }

  return {
    name: step.name,
    render(columnType, sinkDdl, sink) {
      const keyNames = input.keys.map((k) => identifier(k.name));
      const aggregateList = aggregates.map((a) => `${a.text} AS ${identifier(a.name)}`);
      let inner: string[];
      if (w.type === 'session') {
        const gap = interval(w.gap);
        inner = [
          `SELECT ${[...keyNames, `SESSION_START(${identifier(rowtime)}, ${gap}) AS window_start`, `SESSION_END(${identifier(rowtime)}, ${gap}) AS window_end`, ...aggregateList].join(', ')}`,
          `FROM ${identifier(input.relation)}`,
          `GROUP BY ${[...keyNames, `SESSION(${identifier(rowtime)}, ${gap})`].join(', ')}`,
        ];
      } else {
        const sizes = w.type === 'sliding' ? [interval(w.slide), interval(w.size)] : [interval(w.size)];
        if (w.offset !== 0) sizes.push(w.offset > 0 ? interval(w.offset) : `-${interval(-w.offset)}`);
        const fn = w.type === 'sliding' ? 'HOP' : 'TUMBLE';
        inner = [
          `SELECT ${[...keyNames, 'window_start', 'window_end', ...aggregateList].join(', ')}`,
          `FROM TABLE(${fn}(TABLE ${identifier(input.relation)}, DESCRIPTOR(${identifier(rowtime)}), ${sizes.join(', ')}))`,
          `GROUP BY ${[...keyNames, 'window_start', 'window_end'].join(', ')}`,
        ];
      }
      const outputs: Output[] = [
        ...input.keys.map((k) => ({ name: k.name, sql: k.sql })),
        { name: 'window_start', sql: { text: 'window_start', type: 'dyn' as const }, type: 'TIMESTAMP(3)' },
        { name: 'window_end', sql: { text: 'window_end', type: 'dyn' as const }, type: 'TIMESTAMP(3)' },
        ...aggregates.map((a) => ({ name: a.name, sql: a.sql, ...(a.type ? { type: a.type } : {}) })),
        ...selects,
      ];
      const sinkColumns = outputs.map((o) => [o.name, o.type ?? columnType(o.sql)] as const);
      let query: string[];
      if (selects.length === 0 && having === null) {
        query = inner;
      } else {
        const outer = [
          ...input.keys.map((k) => identifier(k.name)),
          'window_start',
          'window_end',
          ...aggregates.map((a) => identifier(a.name)),
          ...selects.map((s) => `${castTo(s.sql, columnType(s.sql))} AS ${identifier(s.name)}`),
        ];
        query = [`SELECT ${outer.join(', ')}`, 'FROM (', ...inner.map((l) => `  ${l}`), ')', ...(having ? [`WHERE ${bare(having.text)}`] : [])];
      }
      return [
        ...(input.view ? [input.view, ''] : []),
        sinkDdl(sinkColumns),
        '',
        `INSERT INTO ${identifier(sink)}`,
        ...query,
      ].join('\n') + ';';
    },
  };
}

/** An expression whose type the translation could not tell is cast to its sink column's type. */
export function castTo(sql: Sql, type: string): string {
  return sql.type === 'dyn' && !sql.path ? `CAST(${bare(sql.text)} AS ${type})` : bare(sql.text);
}

interface AggregateSql {
  readonly name: string;
  readonly text: string;
  readonly sql: Sql;
  readonly type?: string;
}

function aggregate(spec: AggregateSpec, where: string, translate: Translate): AggregateSql {
  const arg = spec.arg === undefined ? null : translate(spec.arg, where);
  const value = arg ? bare(arg.text) : '*';
  // CEL numbers are doubles; SUM of an INT expression (cond ? 1 : 0) would stay INT in SQL.
  const double = arg?.double ? value : `CAST(${value} AS DOUBLE)`;
  if (arg && ['sum', 'avg', 'stddev', 'percentile'].includes(spec.fn)) translate.hint(arg, 'number');
  const number = (text: string): AggregateSql => ({ name: spec.name, text, sql: { text, type: 'number' }, type: 'DOUBLE' });
  switch (spec.fn) {
    case 'count':
      return { name: spec.name, text: `COUNT(${value})`, sql: { text: value, type: 'number' }, type: 'BIGINT' };
    case 'count_distinct':
      return { name: spec.name, text: `COUNT(DISTINCT ${value})`, sql: { text: value, type: 'number' }, type: 'BIGINT' };
    case 'sum':
      return number(`SUM(${double})`);
    case 'avg':
      return number(`AVG(${double})`);
    case 'stddev':
      return number(`STDDEV_SAMP(${double})`);
    case 'percentile':
      return number(`PERCENTILE(${double}, ${numberLiteral(spec.quantile ?? 0.5)})`);
    case 'min':
    case 'max':
    case 'first':
    case 'last': {
      const fn = spec.fn === 'first' ? 'FIRST_VALUE' : spec.fn === 'last' ? 'LAST_VALUE' : spec.fn.toUpperCase();
      const text = `${fn}(${value})`;
      return { name: spec.name, text, sql: { ...arg!, text } };
    }
  }
}
