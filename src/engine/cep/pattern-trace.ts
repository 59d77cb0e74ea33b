/**
 * The core of `sw pattern trace`: an observer that keeps, for one key, what happened event by event
 * — which stage conditions passed or failed for each record, which partial matches were created,
 * dropped (contiguity broken), stopped (negated stage seen), pruned (skip strategy), timed out or
 * completed, and which are still alive — and renders it as text. It answers "why did this not match?".
 */
import type { PatternObserver } from './pattern-operator.js';
import type { PartialMatchChange, PartialMatchView } from './trace.js';

export interface ConditionResult {
  readonly stage: string;
  readonly kind: 'where' | 'until';
  readonly passed: boolean;
  readonly error?: string;
}

export type TraceEntry =
  | {
      readonly kind: 'record';
      readonly timestamp: number;
      readonly record: Record<string, unknown>;
      readonly conditions: ConditionResult[];
      readonly changes: PartialMatchChange[];
      alive: readonly PartialMatchView[];
    }
  /** Time moved (to a record's time or the watermark) and partial matches timed out or completed. */
  | { readonly kind: 'time'; readonly watermark: number; readonly changes: PartialMatchChange[] }
  | { readonly kind: 'late'; readonly timestamp: number; readonly record: Record<string, unknown> };

/** True when `key` is the one the user named: its text, or its JSON for composite keys. */
export function keyMatches(key: unknown, wanted: string): boolean {
  return (typeof key === 'string' ? key : JSON.stringify(key)) === wanted || String(key) === wanted;
}

export class PatternTrace implements PatternObserver {
  readonly entries: TraceEntry[] = [];
  private active = false;
  private current: TraceEntry | null = null;
  private watermark = -Infinity;

  constructor(private readonly wanted: string) {}

  key(key: unknown, watermark: number): void {
    this.active = keyMatches(key, this.wanted);
    this.watermark = watermark;
    this.current = this.active ? { kind: 'time', watermark, changes: [] } : null;
    if (this.current) this.entries.push(this.current);
  }

  record(_key: unknown, timestamp: number, record: Record<string, unknown>): void {
    if (!this.active) return;
    this.current = { kind: 'record', timestamp, record, conditions: [], changes: [], alive: [] };
    this.entries.push(this.current);
  }

  afterRecord(_key: unknown, timestamp: number, alive: readonly PartialMatchView[]): void {
    if (!this.active || this.current?.kind !== 'record') return;
    this.current.alive = alive;
    // What follows (advanceTime to the next record or the watermark) belongs to a time entry.
    void timestamp;
    this.current = { kind: 'time', watermark: this.watermark, changes: [] };
    this.entries.push(this.current);
  }

  late(key: unknown, timestamp: number, record: Record<string, unknown>): void {
    if (keyMatches(key, this.wanted)) this.entries.push({ kind: 'late', timestamp, record });
  }

  condition(stage: string, kind: 'where' | 'until', passed: boolean, error?: unknown): void {
    if (this.current?.kind !== 'record') return;
    this.current.conditions.push({ stage, kind, passed, ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }) });
  }

  partialMatch(change: PartialMatchChange): void {
    if (this.current === null || this.current.kind === 'late') return;
    this.current.changes.push(change);
  }

  /** Entries with something to say (empty time entries dropped). */
  get meaningful(): TraceEntry[] {
    return this.entries.filter((e) => e.kind !== 'time' || e.changes.length > 0);
  }
}

const SYMBOL: Record<PartialMatchChange['kind'], string> = {
  created: '+ created  ',
  dropped: '- dropped  ',
  stopped: 'x stopped  ',
  pruned: '- pruned   ',
  timedOut: '- timed out',
  completed: '= MATCH    ',
};

const time = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms));

function summary(view: PartialMatchView): string {
  const stages = Object.entries(view.events).map(([stage, events]) => `${stage}×${events.length}`).join(' ');
  return `at ${view.state}, started ${time(view.start)}${stages ? `, ${stages}` : ''}`;
}

/** The trace as text, one block per record, for a terminal or a log. */
export function formatTrace(entries: readonly TraceEntry[]): string {
  const lines: string[] = [];
  for (const entry of entries) {
    if (entry.kind === 'late') {
      lines.push(`${time(entry.timestamp)}  LATE (at or before the watermark: never matched)  ${JSON.stringify(entry.record)}`);
      continue;
    }
    if (entry.kind === 'time') {
      lines.push(entry.watermark === Infinity ? 'end of input (final watermark)' : `watermark ${time(entry.watermark)}`);
    } else {
      lines.push(`${time(entry.timestamp)}  ${JSON.stringify(entry.record)}`);
      if (entry.conditions.length > 0) {
        const seen = new Map<string, string>();
        for (const c of entry.conditions) {
          const label = `${c.stage}.${c.kind}`;
          const mark = c.error !== undefined ? `error (${c.error})` : c.passed ? 'pass' : 'fail';
          const prior = seen.get(label);
          seen.set(label, prior === undefined || prior === mark ? mark : `${prior}/${mark}`);
        }
        lines.push(`    conditions: ${[...seen].map(([label, mark]) => `${label} ${mark}`).join(', ')}`);
      }
    }
    for (const change of entry.changes) lines.push(`    ${SYMBOL[change.kind]}  ${summary(change)}`);
    if (entry.kind === 'record') {
      lines.push(`    alive: ${entry.alive.length === 0 ? 'none' : entry.alive.length}`);
      for (const view of entry.alive) lines.push(`      ${summary(view)}`);
    }
  }
  return lines.join('\n');
}
