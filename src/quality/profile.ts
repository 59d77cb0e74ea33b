import { stringify } from 'yaml';
import { eventTimeMs, formatDuration } from './event-time.js';
import { valueKey } from './field-path.js';

/**
 * `sw quality profile`: one streaming pass that learns each field's shape — presence, null ratio,
 * types, numeric range, small enums, a string pattern, uniqueness — and writes a starter rule set
 * that the same data passes. Memory is bounded per field (caps below), not by the recording.
 */
const MAX_FIELDS = 500;
/** Nested objects are profiled down to `a.b.c`; deeper values count as objects. */
const MAX_DEPTH = 3;
/** A string field with at most this many distinct values becomes allowed_values. */
export const DEFAULT_MAX_ENUM = 20;
/** Distinct values tracked to decide uniqueness; past it a field is no longer a key candidate. */
const KEY_TRACK_LIMIT = 200_000;
const SHAPE_LIMIT = 4;
/** Shapes are cut here; a cut shape cannot become a whole-value pattern. */
const MAX_SHAPE = 40;

export interface FieldProfile {
  readonly path: string;
  present: number;
  empty: number;
  readonly types: Map<string, number>;
  min: number;
  max: number;
  mean: number;
  m2: number;
  numbers: number;
  /** Distinct string values while there are at most maxEnum of them; undefined past it. */
  enumValues: Map<string, number> | undefined;
  /** Distinct keys while unique so far and within KEY_TRACK_LIMIT; undefined once not a key. */
  keys: Set<string> | undefined;
  /** Value shapes (letters → a/A, digits → 9); undefined past SHAPE_LIMIT. */
  shapes: Set<string> | undefined;
  timeLike: number;
  maxTime: number;
  maxLag: number;
}

export interface StreamProfile {
  readonly records: number;
  readonly malformed: number;
  readonly fields: readonly FieldProfile[];
  readonly truncatedFields: boolean;
}

export class Profiler {
  private readonly fields = new Map<string, FieldProfile>();
  private records = 0;
  private malformed = 0;
  private truncated = false;

  constructor(private readonly maxEnum = DEFAULT_MAX_ENUM) {}

  observe(record: Record<string, unknown>): void {
    this.records++;
    this.walk(record, '', 1);
  }

  observeMalformed(): void {
    this.malformed++;
  }

  private walk(object: Record<string, unknown>, prefix: string, depth: number): void {
    for (const key in object) {
      const path = prefix + key;
      const value = object[key];
      this.see(path, value);
      if (depth < MAX_DEPTH && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        this.walk(value as Record<string, unknown>, `${path}.`, depth + 1);
      }
    }
  }

  private see(path: string, value: unknown): void {
    let field = this.fields.get(path);
    if (field === undefined) {
      if (this.fields.size >= MAX_FIELDS) {
        this.truncated = true;
        return;
      }
      field = {
        path,
        present: 0,
        empty: 0,
        types: new Map(),
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
        mean: 0,
        m2: 0,
        numbers: 0,
        enumValues: new Map(),
        keys: new Set(),
        shapes: new Set(),
        timeLike: 0,
        maxTime: Number.NEGATIVE_INFINITY,
        maxLag: 0,
      };
      this.fields.set(path, field);
    }
    field.present++;
    if (value === null || (typeof value === 'string' && value.trim().length === 0)) {
      field.empty++;
      return;
    }
    const type = typeOf(value);
    field.types.set(type, (field.types.get(type) ?? 0) + 1);
    if (typeof value === 'number') {
      // Welford's running mean and variance: one pass, no stored values.
      field.numbers++;
      const delta = value - field.mean;
      field.mean += delta / field.numbers;
      field.m2 += delta * (value - field.mean);
      if (value < field.min) field.min = value;
      if (value > field.max) field.max = value;
    }
    if (typeof value === 'string') {
      if (field.enumValues !== undefined) {
        field.enumValues.set(value, (field.enumValues.get(value) ?? 0) + 1);
        if (field.enumValues.size > this.maxEnum) field.enumValues = undefined;
      }
      if (field.shapes !== undefined) {
        const shape = shapeOf(value);
        field.shapes.add(shape);
        if (field.shapes.size > SHAPE_LIMIT || shape.length >= MAX_SHAPE) field.shapes = undefined;
      }
    } else field.enumValues = undefined;
    if (field.keys !== undefined) {
      if (typeof value === 'object') field.keys = undefined;
      else {
        const key = valueKey(value);
        if (field.keys.has(key) || field.keys.size >= KEY_TRACK_LIMIT) field.keys = undefined;
        else field.keys.add(key);
      }
    }
    const time = timeValue(path, value);
    if (!Number.isNaN(time)) {
      field.timeLike++;
      if (time > field.maxTime) field.maxTime = time;
      else if (field.maxTime - time > field.maxLag) field.maxLag = field.maxTime - time;
    }
  }

  profile(): StreamProfile {
    return { records: this.records, malformed: this.malformed, fields: [...this.fields.values()], truncatedFields: this.truncated };
  }
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'object') return 'object';
  return 'string';
}

const TIME_NAME = /(^|[._])(ts|time|timestamp|event_?time|eventTime|created_?at|updated_?at)$|Time$|At$/i;
/** 2001-09-09 .. 2286-11-20 in epoch ms: numbers outside are counts or amounts, not times. */
const EPOCH_MS_LOW = 1e12;
const EPOCH_MS_HIGH = 1e13;

function timeValue(path: string, value: unknown): number {
  if (!TIME_NAME.test(path)) return Number.NaN;
  if (typeof value === 'number') return value >= EPOCH_MS_LOW && value < EPOCH_MS_HIGH ? value : Number.NaN;
  return eventTimeMs(value);
}

/** `user_042` → `a_9`, `USD` → `A`, `content.watched` → `a.a`. */
export function shapeOf(text: string): string {
  let shape = '';
  let last = '';
  for (let i = 0; i < text.length && shape.length < MAX_SHAPE; i++) {
    const code = text.charCodeAt(i);
    const cls = code >= 97 && code <= 122 ? 'a' : code >= 65 && code <= 90 ? 'A' : code >= 48 && code <= 57 ? '9' : text[i]!;
    if ((cls === 'a' || cls === 'A' || cls === '9') && cls === last) continue;
    shape += cls;
    last = cls;
  }
  return shape;
}

const SHAPE_CLASSES: Readonly<Record<string, string>> = { a: '[a-z]+', A: '[A-Z]+', '9': '[0-9]+' };

export function shapeRegex(shape: string): string {
  let out = '^';
  for (const ch of shape) out += SHAPE_CLASSES[ch] ?? ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  return `${out}$`;
}

interface RuleOut {
  id: string;
  type: string;
  description: string;
  severity: string;
  max_fail_ratio?: number;
  config: Record<string, unknown>;
}

/** A starter rule set (YAML text) fitted to the profile: the profiled data passes every rule. */
export function starterRules(profile: StreamProfile, source: string, maxEnum = DEFAULT_MAX_ENUM): string {
  const { records } = profile;
  const fields = profile.fields;
  const top = fields.filter((f) => !f.path.includes('.'));
  const singleType = (f: FieldProfile): string | undefined => {
    if (f.types.size === 1) return [...f.types.keys()][0];
    if (f.types.size === 2 && f.types.has('int') && f.types.has('number')) return 'number';
    return undefined;
  };
  const timeField = fields
    .filter((f) => f.timeLike > 0 && f.timeLike === f.present - f.empty && f.present === records)
    .sort((a, b) => a.path.length - b.path.length)[0];
  const rules: RuleOut[] = [];

  const required = top.filter((f) => f.present === records).map((f) => f.path);
  const optional = top.filter((f) => f.present < records).map((f) => f.path);
  const fieldTypes: Record<string, string> = {};
  for (const f of fields) {
    const type = f === timeField ? 'timestamp' : singleType(f);
    if (type !== undefined) fieldTypes[f.path] = type;
  }
  if (required.length > 0 || Object.keys(fieldTypes).length > 0) {
    rules.push({
      id: 'schema',
      type: 'schema',
      description: `Fields present in all ${records} profiled records, with their types`,
      severity: 'CRITICAL',
      config: { ...(required.length ? { required_fields: required } : {}), ...(optional.length ? { optional_fields: optional } : {}), field_types: fieldTypes },
    });
  }

  const nullRatios: Record<string, number> = {};
  for (const f of top) nullRatios[f.path] = ceilRatio((f.empty + records - f.present) / Math.max(records, 1));
  if (top.length > 0) {
    rules.push({
      id: 'completeness',
      type: 'completeness',
      description: 'Null/blank share per field at most what the profile saw (1% when it saw none)',
      severity: 'HIGH',
      config: { fields: nullRatios },
    });
  }

  const isKey = (f: FieldProfile) => f.keys !== undefined && f.present === records && f.empty === 0 && records >= 2 && f !== timeField;
  const ranges: Record<string, Record<string, unknown>> = {};
  const patterns: Record<string, string> = {};
  const continuous: string[] = [];
  for (const f of fields) {
    if (f === timeField || isKey(f)) continue;
    const type = singleType(f);
    if ((type === 'int' || type === 'number') && f.numbers > 0) {
      ranges[f.path] = { min: f.min, max: f.max };
      if (f.numbers >= 30 && f.max > f.min && !(f.enumValues === undefined && f.keys !== undefined)) continuous.push(f.path);
    } else if (type === 'string' && f.enumValues !== undefined && f.enumValues.size > 0 && f.enumValues.size <= maxEnum && f.present - f.empty >= 2 * f.enumValues.size) {
      ranges[f.path] = { allowed_values: [...f.enumValues.keys()].sort() };
    } else if (type === 'string' && f.shapes !== undefined && f.shapes.size === 1 && f.present - f.empty >= 10) {
      patterns[f.path] = shapeRegex([...f.shapes][0]!);
    }
  }
  for (const f of fields) {
    if (isKey(f) && singleType(f) === 'string' && f.shapes !== undefined && f.shapes.size === 1) patterns[f.path] = shapeRegex([...f.shapes][0]!);
  }
  if (Object.keys(ranges).length > 0) {
    rules.push({ id: 'value_ranges', type: 'value_range', description: 'Numbers within the profiled min/max; low-cardinality strings within their seen values', severity: 'MEDIUM', config: { field_ranges: ranges } });
  }
  if (Object.keys(patterns).length > 0) {
    rules.push({ id: 'patterns', type: 'pattern', description: 'Strings keep the one shape the profile saw', severity: 'LOW', config: { field_patterns: patterns } });
  }

  const keys = fields.filter(isKey).sort((a, b) => keyPreference(b.path) - keyPreference(a.path) || a.path.length - b.path.length);
  if (keys.length > 0) {
    rules.push({
      id: 'duplicates',
      type: 'duplicates',
      description: `${keys[0]!.path} was unique in the profile (key candidates: ${keys.map((k) => k.path).join(', ')})`,
      severity: 'HIGH',
      config: { key_fields: [keys[0]!.path], window: '1h', ...(timeField ? { timestamp_field: timeField.path } : {}) },
    });
  }
  if (timeField) {
    rules.push({
      id: 'freshness',
      type: 'freshness',
      description: `Records at most this far behind the stream (the profile saw ${formatDuration(timeField.maxLag)} at most)`,
      severity: 'MEDIUM',
      config: { timestamp_field: timeField.path, max_age: formatDuration(niceAge(timeField.maxLag)) },
    });
  }
  if (continuous.length > 0) {
    rules.push({
      id: 'anomalies',
      type: 'statistical_anomaly',
      description: 'Values far from the recent profile (z > 3.5); up to 1% may stand out before the rule fails',
      severity: 'LOW',
      max_fail_ratio: 0.01,
      config: { numeric_fields: continuous, z_threshold: 3.5 },
    });
  }

  const header = [
    `# Starter rules profiled from ${source}: ${records} records${profile.malformed ? `, ${profile.malformed} malformed lines skipped` : ''}.`,
    '# Edit thresholds before relying on them. Field summary (present / empty / types / distinct):',
    ...fields.map((f) => `#   ${f.path}: ${f.present} / ${f.empty} / ${[...f.types.keys()].join('|') || '-'} / ${distinctText(f, maxEnum)}`),
    ...(profile.truncatedFields ? [`#   (only the first ${MAX_FIELDS} field paths were profiled)`] : []),
  ];
  return `${header.join('\n')}\n${stringify({ name: 'profiled', description: `Profiled from ${source}`, rules }, { lineWidth: 0 })}`;
}

function distinctText(f: FieldProfile, maxEnum: number): string {
  if (f.enumValues !== undefined && f.enumValues.size > 0) return String(f.enumValues.size);
  if (f.keys !== undefined && f.keys.size > 0) return `${f.keys.size} (unique)`;
  return `> ${maxEnum}`;
}

function keyPreference(path: string): number {
  return /(^|[._])id$|_id$|Id$/.test(path) ? 1 : 0;
}

/** A starter threshold above what was seen: ratios rounded up to the next 0.5%, at least 1%. */
function ceilRatio(ratio: number): number {
  if (ratio <= 0) return 0.01;
  return Math.min(1, Math.max(0.01, Math.ceil(ratio * 1.2 * 200) / 200));
}

/** The observed lateness with headroom, rounded up to whole seconds/minutes; at least 1 minute. */
function niceAge(lagMs: number): number {
  const wanted = Math.max(60_000, lagMs * 1.5);
  const unit = wanted >= 3_600_000 ? 3_600_000 : 60_000;
  return Math.ceil(wanted / unit) * unit;
}
