/**
 * The Kafka source table: one column per top-level field the pipeline reads (nested paths become
 * ROW types), an event-time column computed from `time.field`, and a WATERMARK that trails it by
 * the spec's outOfOrderness (Flink's BoundedOutOfOrderness, as the engine's watermark).
 *
 * Column types come from a sample recording when one is given; otherwise from how the
 * expressions use each field (compared with a number, summed, ... → DOUBLE; compared with a
 * string, matched, ... → STRING; tested as a condition → BOOLEAN), and STRING when nothing tells.
 */
import type { PipelineSpec } from '../engine/spec.js';
import type { SqlType } from './cel-to-sql.js';
import { identifier, interval, stringLiteral } from './sql-text.js';

/** A Flink column type for a sample value: JSON numbers that are whole read as BIGINT only for the time field. */
export type ColumnType = string;

const SQL_OF: Readonly<Record<SqlType, ColumnType | undefined>> = {
  number: 'DOUBLE',
  string: 'STRING',
  bool: 'BOOLEAN',
  list: 'ARRAY<STRING>',
  null: undefined,
  dyn: undefined,
};

/** The field paths a pipeline reads, with their types as far as usage or a sample tells. */
export class SourceColumns {
  private readonly hints = new Map<string, SqlType>();
  private readonly sampled = new Map<string, ColumnType>();

  constructor(readonly timePath: readonly string[]) {
    this.use(timePath, 'dyn');
  }

  /** A read of `path`; the first definite type wins (a field compared with a number stays DOUBLE). */
  use(path: readonly string[], type: SqlType): void {
    const key = path.join('.');
    const known = this.hints.get(key);
    if (known === undefined || ((known === 'dyn' || known === 'null') && type !== 'null')) this.hints.set(key, type);
  }

  /** Types seen in a sample recording (dotted path → Flink type); they override usage hints. */
  sample(types: ReadonlyMap<string, ColumnType>): void {
    for (const [path, type] of types) this.sampled.set(path, type);
  }

  /** Whether the time field holds ISO-8601 strings (from the sample); epoch milliseconds otherwise. */
  get isoTime(): boolean {
    return this.sampled.get(this.timePath.join('.')) === 'STRING';
  }

  /** The Flink type of a leaf path. */
  typeOf(path: readonly string[]): ColumnType {
    const key = path.join('.');
    if (key === this.timePath.join('.')) return this.isoTime ? 'STRING' : 'BIGINT';
    const sampled = this.sampled.get(key);
    if (sampled) return sampled;
    return SQL_OF[this.hints.get(key) ?? 'dyn'] ?? 'STRING';
  }

  /** The SqlType of a path as the translator sees it (for size(): CHAR_LENGTH or CARDINALITY). */
  sqlTypeOf(path: readonly string[]): SqlType | undefined {
    const sampled = this.sampled.get(path.join('.'));
    if (sampled === undefined) return undefined;
    if (sampled.startsWith('ARRAY')) return 'list';
    if (sampled === 'STRING') return 'string';
    if (sampled === 'BOOLEAN') return 'bool';
    return 'number';
  }

  /** `name TYPE` per top-level field, nested paths folded into ROW<...>. */
  columns(): string[] {
    const tree = new Map<string, Tree>();
    for (const key of [...this.hints.keys()].sort()) insert(tree, key.split('.'));
    return [...tree].map(([name, node]) => `${identifier(name)} ${this.render(node, [name])}`);
  }

  private render(node: Tree, path: string[]): ColumnType {
    if (node.size === 0) return this.typeOf(path);
    const fields = [...node].map(([name, child]) => `${identifier(name)} ${this.render(child, [...path, name])}`);
    return `ROW<${fields.join(', ')}>`;
  }
}

type Tree = Map<string, Tree>;

function insert(tree: Tree, path: readonly string[]): void {
  let node = tree;
  for (const part of path) {
    let child = node.get(part);
    if (!child) node.set(part, (child = new Map()));
    node = child;
  }
}

export interface KafkaOptions {
  readonly brokers: string;
  readonly sourceTopic: string;
  readonly sinkTopicPrefix: string;
}

/** CREATE TABLE for the Kafka source with its event-time column and watermark. */
export function sourceTableDdl(spec: PipelineSpec, columns: SourceColumns, table: string, rowtime: string, kafka: KafkaOptions): string {
  const time = columns.timePath.map(identifier).join('.');
  const eventTime = columns.isoTime
    ? // ISO-8601 text: 'T' and a trailing 'Z' (UTC) are what CAST's 'yyyy-MM-dd HH:mm:ss.SSS' lacks.
      `CAST(REPLACE(REPLACE(${time}, 'T', ' '), 'Z', '') AS TIMESTAMP(3))`
    : `TO_TIMESTAMP_LTZ(${time}, 3)`;
  const lines = [
    ...columns.columns(),
    `${identifier(rowtime)} AS ${eventTime}`,
    `WATERMARK FOR ${identifier(rowtime)} AS ${identifier(rowtime)} - ${interval(spec.time.outOfOrderness)}`,
  ];
  return [
    `CREATE TABLE ${identifier(table)} (`,
    lines.map((l) => `  ${l}`).join(',\n'),
    `) WITH (`,
    withOptions([
      ['connector', 'kafka'],
      ['topic', kafka.sourceTopic],
      ['properties.bootstrap.servers', kafka.brokers],
      ['properties.group.id', `sw-${spec.name}`],
      ['scan.startup.mode', 'earliest-offset'],
      ['format', 'json'],
      // The engine counts a record it cannot read and goes on; so does the JSON format with this.
      ['json.ignore-parse-errors', 'true'],
    ]),
    `);`,
  ].join('\n');
}

/** CREATE TABLE for one step's Kafka sink (append-only: window and match results are final when emitted). */
export function sinkTableDdl(table: string, columns: ReadonlyArray<readonly [string, ColumnType]>, topic: string, kafka: KafkaOptions): string {
  return [
    `CREATE TABLE ${identifier(table)} (`,
    columns.map(([name, type]) => `  ${identifier(name)} ${type}`).join(',\n'),
    `) WITH (`,
    withOptions([
      ['connector', 'kafka'],
      ['topic', topic],
      ['properties.bootstrap.servers', kafka.brokers],
      ['format', 'json'],
    ]),
    `);`,
  ].join('\n');
}

function withOptions(options: ReadonlyArray<readonly [string, string]>): string {
  return options.map(([k, v]) => `  ${stringLiteral(k)} = ${stringLiteral(v)}`).join(',\n');
}
