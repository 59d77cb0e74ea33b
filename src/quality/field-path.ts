import { ABSENT, NULL, STRING, type FieldRow } from '../replay/field-reader.js';

/** Reads a dotted field path (`location.latitude`) from a parsed record (reference recordings). */
export type FieldReader = (record: Record<string, unknown>) => unknown;

export function fieldReader(path: string): FieldReader {
  const parts = path.split('.');
  if (parts.length === 1) return (record) => record[path];
  return (record) => walk(record, parts, 0);
}

function walk(from: unknown, parts: readonly string[], first: number): unknown {
  let at = from;
  for (let i = first; i < parts.length; i++) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[parts[i]!];
  }
  return at;
}

/**
 * A field a rule reads, bound to its top-level field's index in the record row (FieldRow): the
 * checks read rows, not objects, so a line is never built into a record and a string is decoded
 * only when a check needs its text (see src/replay/field-reader.ts, createRowReader).
 */
export interface FieldRef {
  /** The dotted path as written in the rules. */
  readonly path: string;
  /** The top-level field's index in the row. */
  readonly slot: number;
  /** True for a top-level path: its kind and bytes are in the row without decoding. */
  readonly topLevel: boolean;
  /** The value as JSON.parse gives it (undefined when absent). */
  read(row: FieldRow): unknown;
}

/**
 * The top-level fields a rule set reads, numbered in the order rules ask for them: one registry
 * per compiled rule set, and the row's index order (the reader is created with `names`).
 */
export class FieldSlots {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  /** Top-level fields some rule reads as a whole value. */
  private readonly whole = new Set<number>();
  /** Per top-level field, the nested names rules read below it (`location.latitude` → latitude). */
  private readonly nested = new Map<number, Set<string>>();

  /**
   * `use: 'kind'` promises the rule looks at a top-level field only through its kind, isMissing,
   * isEmptyField or typeName (schema, completeness, presence filters): for those an object may be
   * decoded to just the nested fields other rules read (FieldRow.project).
   */
  ref(path: string, use: 'value' | 'kind' = 'value'): FieldRef {
    const parts = path.split('.');
    const top = parts[0]!;
    let slot = this.index.get(top);
    if (slot === undefined) {
      slot = this.names.length;
      this.names.push(top);
      this.index.set(top, slot);
    }
    const at = slot;
    if (parts.length === 1 && use === 'value') this.whole.add(at);
    if (parts.length > 1) {
      const below = this.nested.get(at) ?? new Set<string>();
      below.add(parts[1]!);
      this.nested.set(at, below);
    }
    if (parts.length === 1) return { path, slot: at, topLevel: true, read: (row) => row.get(at) };
    return { path, slot: at, topLevel: false, read: (row) => walk(row.get(at), parts, 1) };
  }

  /** Sets the row's projections: objects no rule reads whole are decoded to their read nested fields. */
  project(row: FieldRow): void {
    for (const [slot, below] of this.nested) if (!this.whole.has(slot)) row.project(slot, [...below]);
  }
}

/** Absent or null, without decoding the value. */
export function isMissing(row: FieldRow, field: FieldRef): boolean {
  if (field.topLevel) return row.kinds[field.slot]! <= NULL;
  const value = field.read(row);
  return value === undefined || value === null;
}

/** Null, missing or blank (isEmptyValue); a plain string still in the line is tested on its bytes. */
export function isEmptyField(row: FieldRow, field: FieldRef): boolean {
  if (!field.topLevel) return isEmptyValue(field.read(row));
  const slot = field.slot;
  const kind = row.kinds[slot]!;
  if (kind === ABSENT || kind === NULL) return true;
  if (kind !== STRING) return false;
  if (row.pending[slot] === 1 && row.plain[slot] === 1) {
    // Printable ASCII: the only whitespace String#trim removes there is the space.
    const { buffer } = row;
    for (let i = row.starts[slot]!, end = row.ends[slot]!; i < end; i++) if (buffer[i] !== 0x20) return false;
    return true;
  }
  return isEmptyValue(row.get(slot));
}

/** Null, missing, or a blank string: the document's notion of an empty value. */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.length === 0 || value.trim().length === 0;
  return false;
}

/** The value as a set or key member: primitives by their string form, so 42 and "42" are one value. */
export function valueKey(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}
