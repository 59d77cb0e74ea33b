import { RulesError } from './rule.js';
import { durationMs } from './event-time.js';

/**
 * Reads one rule's `config` map with one-line errors that name the rules file, the rule and the
 * key: `rules.yaml: rule "amount_range" (rules[3]) config.field_ranges.amount.min: expected a number, got "ten"`.
 */
export class RuleConfig {
  constructor(
    /** `file:line` of the rule. */
    readonly at: string,
    readonly ruleId: string,
    readonly index: number,
    readonly config: Readonly<Record<string, unknown>>,
  ) {}

  /** The error prefix naming the file, the rule and the place. */
  where(path: string): string {
    return `${this.at}: rule "${this.ruleId}" (rules[${this.index}]) config.${path}`;
  }

  error(path: string, problem: string): RulesError {
    return new RulesError(`${this.where(path)}: ${problem}`);
  }

  /** Refuses keys the check does not know, so a typo (`max_nul_ratio`) is not silently ignored. */
  onlyKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.config)) {
      if (!allowed.includes(key)) {
        throw this.error(key, `unknown key; expected one of ${allowed.join(', ')}`);
      }
    }
  }

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  string(key: string, fallback?: string): string {
    const value = this.config[key];
    if (value === undefined || value === null) {
      if (fallback !== undefined) return fallback;
      throw this.error(key, 'missing; add it to the rule config');
    }
    if (typeof value !== 'string' || value.length === 0) throw this.error(key, `expected a non-empty string, got ${show(value)}`);
    return value;
  }

  number(key: string, options: { fallback?: number; min?: number; max?: number } = {}): number {
    const value = this.config[key];
    if (value === undefined || value === null) {
      if (options.fallback !== undefined) return options.fallback;
      throw this.error(key, 'missing; add a number to the rule config');
    }
    return checkNumber(this, key, value, options.min, options.max);
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.config[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw this.error(key, `expected true or false, got ${show(value)}`);
    return value;
  }

  /** A list of field paths; `fallback` when absent. */
  fieldList(key: string, fallback?: readonly string[]): string[] {
    const value = this.config[key];
    if (value === undefined || value === null) {
      if (fallback !== undefined) return [...fallback];
      throw this.error(key, 'missing; list the field names, e.g. [userId, eventType]');
    }
    if (!Array.isArray(value) || value.length === 0) throw this.error(key, `expected a non-empty list of field names, got ${show(value)}`);
    return value.map((item, at) => {
      if (typeof item !== 'string' || item.length === 0) throw this.error(`${key}[${at}]`, `expected a field name, got ${show(item)}`);
      return item;
    });
  }

  /** A map keyed by field path (field_types, field_ranges, field_patterns). */
  fieldMap(key: string): Array<[string, unknown]> {
    const value = this.config[key];
    if (value === undefined || value === null) throw this.error(key, 'missing; give a map from field name to its setting');
    if (typeof value !== 'object' || Array.isArray(value)) throw this.error(key, `expected a map from field name to its setting, got ${show(value)}`);
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) throw this.error(key, 'is empty; name at least one field');
    return entries;
  }

  /**
   * A duration in ms from `key` (a duration string or ms, as pipeline-spec.md writes them) or from the
   * document's `secondsKey` (a number of seconds: `max_age_seconds: 300`).
   */
  duration(key: string, secondsKey: string, fallbackMs: number): number {
    if (this.has(key) && this.has(secondsKey)) throw this.error(key, `give either ${key} or ${secondsKey}, not both`);
    if (this.has(secondsKey)) return this.number(secondsKey, { min: 0 }) * 1000;
    if (!this.has(key)) return fallbackMs;
    const ms = durationMs(this.config[key]);
    if (Number.isNaN(ms)) throw this.error(key, `expected a duration such as 500ms, 30s, 5m, 1h, 7d (or ms), got ${show(this.config[key])}`);
    return ms;
  }
}

export function checkNumber(config: RuleConfig, path: string, value: unknown, min?: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw config.error(path, `expected a number, got ${show(value)}`);
  if (min !== undefined && value < min) throw config.error(path, `must be at least ${min}, got ${value}`);
  if (max !== undefined && value > max) throw config.error(path, `must be at most ${max}, got ${value}`);
  return value;
}

/** A short JSON rendering of a bad value for an error message. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
