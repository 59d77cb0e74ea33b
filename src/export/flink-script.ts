/**
 * A pipeline spec → one Flink SQL script for the SQL client: the Kafka source table, per step its
 * view (filter / key), its Kafka sink table, and its INSERT, all INSERTs in one statement set so
 * they run as one job reading the topic once. Steps Flink SQL cannot express are left out with a
 * comment block saying why, and listed in the report.
 */
import { compilePipeline, PipelineCompileError } from '../engine/compile-pipeline.js';
import { ExpressionSyntaxError } from '../engine/expression/index.js';
import type { PipelineSpec } from '../engine/spec.js';
import { SpecError } from '../errors.js';
import { NotExpressible, type Sql } from './cel-to-sql.js';
import { ExportReport } from './export-report.js';
import { planPatternStep } from './pattern-insert.js';
import { sinkTableDdl, sourceTableDdl, SourceColumns, type KafkaOptions } from './source-table.js';
import { comment, identifier } from './sql-text.js';
import { translator } from './step-input.js';
import { planWindowStep, type StepPlan } from './window-insert.js';

export interface ExportOptions extends Partial<KafkaOptions> {
  /** Column types seen in a sample recording (dotted path → Flink type). */
  readonly sampleTypes?: ReadonlyMap<string, string>;
}

export interface FlinkExport {
  readonly sql: string;
  readonly report: ExportReport;
}

/** The source table's name in the script. */
const SOURCE = 'events';

const PROCESS_SUGGESTION =
  'port it to a KeyedProcessFunction on the DataStream API reading the same topic: the state, timers and side outputs of sw\'s process API map one to one onto Flink\'s';

export function exportFlinkSql(spec: PipelineSpec, options: ExportOptions = {}): FlinkExport {
  const file = spec.source ?? spec.name;
  let compiled;
  try {
    compiled = compilePipeline(spec);
  } catch (error) {
    if (error instanceof PipelineCompileError || error instanceof ExpressionSyntaxError) throw new SpecError(error.message);
    throw error;
  }
  const kafka: KafkaOptions = {
    brokers: options.brokers ?? 'localhost:9092',
    sourceTopic: options.sourceTopic ?? spec.name,
    sinkTopicPrefix: options.sinkTopicPrefix ?? `${spec.name}.`,
  };
  const columns = new SourceColumns(spec.time.field.split('.'));
  if (options.sampleTypes) columns.sample(options.sampleTypes);
  const translate = translator(columns);
  const report = new ExportReport();
  // The computed event-time column, named so that it cannot hide an event field of the same name.
  const rowtime = compiled.fields !== 'all' && compiled.fields.includes('event_time') ? 'sw_event_time' : 'event_time';

  const plans: Array<StepPlan | null> = spec.steps.map((step) => {
    try {
      switch (step.kind) {
        case 'window':
          return planWindowStep(step, SOURCE, rowtime, translate, report);
        case 'pattern':
          return planPatternStep(step, SOURCE, rowtime, translate, report);
        case 'process':
          report.add(step.name, 'unsupported', 'a TypeScript process function (keyed state and timers in code) has no SQL form', PROCESS_SUGGESTION);
          return null;
      }
    } catch (error) {
      if (error instanceof NotExpressible) {
        report.add(step.name, 'unsupported', error.message, 'rewrite the expression with the operators docs/flink-sql.md lists, or run the step on the DataStream API');
        return null;
      }
      if (error instanceof ExpressionSyntaxError) throw new SpecError(`${file}: ${error.message}`);
      throw error;
    }
  });
  // Top-level fields the engine reads that no translated expression named (a process step's) stay
  // in the source table, so the same topic serves the DataStream port of that step.
  if (compiled.fields !== 'all') {
    const named = new Set(columns.columns().map((c) => c.split(' ')[0]!.replaceAll('`', '')));
    for (const field of compiled.fields) if (!named.has(field)) columns.use([field], 'dyn');
  }

  const columnType = (sql: Sql): string => {
    if (sql.type === 'number') return 'DOUBLE';
    if (sql.type === 'string') return 'STRING';
    if (sql.type === 'bool') return 'BOOLEAN';
    if (sql.path) return columns.typeOf(sql.path);
    return 'STRING';
  };

  const usesPercentile = spec.steps.some((s) => s.kind === 'window' && s.aggregate.some((a) => a.fn === 'percentile'));
  const header = [
    `Flink SQL for pipeline "${spec.name}" (${file}), written by \`sw export flink-sql\`.`,
    'Run it with the Flink SQL client: sql-client.sh -f <this file> (the Kafka SQL connector jar on the classpath).',
    `Source topic: ${kafka.sourceTopic}; one sink topic per step: ${kafka.sinkTopicPrefix}<step>; brokers: ${kafka.brokers}.`,
    options.sampleTypes
      ? 'Column types were read from a sample recording.'
      : 'Column types are guessed from how the expressions use each field (DOUBLE when used as a number, STRING otherwise);\npass --sample <recording> to read them from data.',
    columns.isoTime
      ? `The time field ${spec.time.field} holds ISO-8601 text (UTC, 'Z'): it is cast to TIMESTAMP(3).`
      : `The time field ${spec.time.field} is read as epoch milliseconds (BIGINT → TO_TIMESTAMP_LTZ(x, 3)).`,
    ...(usesPercentile ? ['PERCENTILE(x, q) needs Flink 1.19 or later.'] : []),
  ];
  const ddl: string[] = [comment(header.join('\n'))];
  if (spec.time.idleTimeout !== undefined) {
    ddl.push(`-- time.idleTimeout: a source split idle this long stops holding back the watermark.\nSET 'table.exec.source.idle-timeout' = '${spec.time.idleTimeout} ms';`);
  }
  ddl.push(sourceTableDdl(spec, columns, SOURCE, rowtime, kafka));
  const inserts: string[] = [];
  spec.steps.forEach((step, i) => {
    const plan = plans[i];
    const notes = report.commentFor(step.name);
    const title = `-- step ${step.name} (${step.kind})${plan ? '' : ': not exported'}`;
    if (!plan) {
      ddl.push([title, notes].join('\n'));
      return;
    }
    const sink = `${step.name}_sink`;
    const rendered = plan.render(columnType, (cols) => sinkTableDdl(sink, cols, kafka.sinkTopicPrefix + step.name, kafka), sink);
    const at = rendered.indexOf(`INSERT INTO ${identifier(sink)}`);
    ddl.push([title, ...(notes ? [notes] : []), rendered.slice(0, at).trimEnd()].join('\n'));
    inserts.push(`-- step ${step.name}\n${rendered.slice(at)}`);
  });
  const body = inserts.length === 0
    ? ['-- No step could be exported: see the comments above.']
    : [`EXECUTE STATEMENT SET\nBEGIN\n\n${inserts.join('\n\n')}\n\nEND;`];
  return { sql: [...ddl, ...body].join('\n\n') + '\n', report };
}
