/**
 * What a step reads: the source table, or a view over it when the step filters (`where`) or keys by
 * an expression or a nested field (window GROUP BY and MATCH_RECOGNIZE PARTITION BY want plain
 * columns). A filter and a projection keep the event-time attribute, so windows and patterns work
 * on the view as on the table.
 */
import type { StepSpec } from '../engine/spec.js';
import { bare, celToSql, type CelScope, type Sql, type SqlType } from './cel-to-sql.js';
import type { SourceColumns } from './source-table.js';
import { identifier } from './sql-text.js';

/** Translation of the step's CEL with field reads recorded on the source columns. */
export interface Translate {
  (source: string, where: string, scope?: Omit<CelScope, 'where' | 'onField' | 'fieldType'>): Sql;
  /** Records what a use outside CEL reveals of a field's type (sum(price) makes price a number). */
  hint(sql: Sql, type: SqlType): void;
}

export function translator(columns: SourceColumns): Translate {
  const translate = (source: string, where: string, scope: Omit<CelScope, 'where' | 'onField' | 'fieldType'> = {}): Sql =>
    celToSql(source, {
      ...scope,
      where,
      onField: (path, type) => columns.use(path, type),
      fieldType: (path) => columns.sqlTypeOf(path),
    });
  return Object.assign(translate, {
    hint: (sql: Sql, type: SqlType) => {
      if (sql.path) columns.use(sql.path, type);
    },
  });
}

export interface KeyColumn {
  /** The column's name in the step's input and output. */
  readonly name: string;
  /** Its value as the translator's Sql (for `key` in select / having). */
  readonly sql: Sql;
}

export interface StepInput {
  /** The table or view the step's query reads. */
  readonly relation: string;
  /** CREATE TEMPORARY VIEW, when the step needs one. */
  readonly view?: string;
  readonly keys: readonly KeyColumn[];
}

export function stepInput(step: StepSpec, source: string, translate: Translate): StepInput {
  const at = `steps.${step.name}`;
  const projections: string[] = [];
  const keys: KeyColumn[] = [];
  const keyBy = step.keyBy;
  if (keyBy.kind === 'fields') {
    keyBy.paths.forEach((path, i) => {
      const sql = translate(path, `${at}.keyBy${keyBy.paths.length > 1 ? `[${i}]` : ''}`);
      const parts = path.split('.');
      if (parts.length === 1) {
        keys.push({ name: path, sql });
      } else {
        const name = parts.join('_');
        projections.push(`${sql.text} AS ${identifier(name)}`);
        keys.push({ name, sql: { text: identifier(name), type: sql.type } });
      }
    });
  } else if (keyBy.kind === 'expr') {
    const sql = translate(keyBy.expr, `${at}.keyBy`);
    projections.push(`${bare(sql.text)} AS ${identifier('key')}`);
    keys.push({ name: 'key', sql: { text: identifier('key'), type: sql.type } });
  }
  const filter = step.where === undefined ? null : translate(step.where, `${at}.where`);
  if (!filter && projections.length === 0) return { relation: source, keys };
  const relation = `${step.name}_input`;
  const view = [
    `CREATE TEMPORARY VIEW ${identifier(relation)} AS`,
    `SELECT *${projections.map((p) => `, ${p}`).join('')}`,
    `FROM ${identifier(source)}`,
    ...(filter ? [`WHERE ${bare(filter.text)}`] : []),
  ].join('\n') + ';';
  return { relation, view, keys };
}
