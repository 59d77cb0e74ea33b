/**
 * Scores a scenario's output against the ground truth `sw synth` wrote beside its recording.
 *
 * A result is attributed to an injected case when
 *   - the case's kind is one the step detects,
 *   - the keys are equal (the case's key is the user / content / product the case was built on;
 *     a null case key, as a traffic spike's, matches any result key), and
 *   - their time spans overlap (closed intervals): the case spans its first to last event
 *     (`start`/`end` in the truth, else its `time`; a traffic spike [time, end)); a window
 *     result spans [start, end), a pattern match its first to last event, a process result
 *     its `fields.start`/`fields.end` when it has them, else its own time.
 * A case the truth says also qualifies as a detected kind (`alsoQualifies`) explains results too.
 * Recall is the share of cases with at least one attributed result; every result attributed to
 * no case is a false positive ("other results").
 */
import { readFileSync } from 'node:fs';
import type { OutputRecord } from '../engine/operator.js';

export interface TruthCase {
  readonly kind: string;
  /** Other kinds the case also is (synth's `alsoQualifies`: a large transfer is also an amount outlier). */
  readonly also: readonly string[];
  readonly key: string | null;
  readonly start: number;
  readonly end: number;
}

export interface StepScore {
  readonly step: string;
  readonly kinds: readonly string[];
  readonly cases: number;
  readonly found: number;
  readonly missed: readonly TruthCase[];
  readonly results: number;
  readonly falsePositives: number;
}

const FAULT_KINDS = new Set(['late', 'disorder', 'duplicate', 'missing', 'malformed']);

/** The injected cases of a `.truth.jsonl` (faults left out). */
export function readTruth(path: string): TruthCase[] {
  const cases: TruthCase[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { kind: string; key: string | null; time: number; start?: number; end?: number; alsoQualifies?: string[] };
    if (FAULT_KINDS.has(row.kind)) continue;
    // A traffic spike's `end` is exclusive: the rate falls back at `end`.
    const end = row.kind === 'traffic_spike' && row.end !== undefined ? row.end - 1 : (row.end ?? row.time);
    cases.push({ kind: row.kind, also: row.alsoQualifies ?? [], key: row.key, start: row.start ?? row.time, end });
  }
  return cases;
}

/** The closed time span a result covers. */
export function resultSpan(record: OutputRecord): [number, number] | null {
  switch (record.kind) {
    case 'window':
      return [record.start, record.end - 1];
    case 'match':
    case 'timeout':
      return [record.start, record.end];
    case 'result': {
      const { start, end } = record.fields as { start?: unknown; end?: unknown };
      if (typeof start === 'number' && typeof end === 'number') return [start, end - 1];
      return [record.time, record.time];
    }
    default:
      return null;
  }
}

function sameKey(caseKey: string | null, key: unknown): boolean {
  if (caseKey === null) return true;
  return typeof key === 'string' ? key === caseKey : JSON.stringify(key) === JSON.stringify(caseKey);
}

/** Scores one step's detections (`results`) against the truth cases of the kinds it detects. */
export function scoreStep(step: string, detects: readonly string[], results: readonly OutputRecord[], truth: readonly TruthCase[]): StepScore {
  const cases = truth.filter((c) => detects.includes(c.kind));
  // Cases of another kind that also qualify explain a result, but need not be found.
  const explaining = truth.filter((c) => detects.includes(c.kind) || c.also.some((k) => detects.includes(k)));
  const found = new Set<TruthCase>();
  let falsePositives = 0;
  for (const record of results) {
    const span = resultSpan(record);
    let attributed = false;
    if (span) {
      for (const c of explaining) {
        if (sameKey(c.key, record.key) && span[0] <= c.end && c.start <= span[1]) {
          found.add(c);
          attributed = true;
        }
      }
    }
    if (!attributed) falsePositives++;
  }
  return { step, kinds: detects, cases: cases.length, found: cases.filter((c) => found.has(c)).length, missed: cases.filter((c) => !found.has(c)), results: results.length, falsePositives };
}
