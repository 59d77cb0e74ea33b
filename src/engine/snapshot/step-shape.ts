/**
 * The shape of a step's state, for savepoints resumed into a changed pipeline (Flink's operator
 * uid + state compatibility, in sw's terms): state is matched by step name, and a step's saved
 * state fits the new step when what the state's layout depends on is unchanged:
 *
 *   every step   kind, keyBy (the keys the state is partitioned by)
 *   window       window type, size, slide, offset, gap; the aggregates' names and functions
 *                (and a percentile's quantile): the accumulators
 *   pattern      the stages' names, order, contiguity and quantifiers (the NFA's states)
 *   process      nothing more: the function's own state is its business, as in Flink
 *
 * What only changes behaviour from now on is compatible: filters, aggregate arguments, select,
 * having, allowedLateness, lateOutput, conditions, within, skip strategy, emitTimeouts.
 */
import { formatDuration as ms } from '../duration.js';
import type { KeySpec, PipelineSpec, StageSpec, StepSpec, WindowSpec } from '../spec.js';

export interface StepShape {
  readonly step: string;
  readonly kind: StepSpec['kind'];
  readonly keyBy: string;
  /** window: `tumbling 1m`, `sliding 5m/1m`, `session gap 30s` (offset when not 0). */
  readonly window?: string;
  /** window: `name=fn` per aggregate, in order. */
  readonly aggregates?: readonly string[];
  /** pattern: one line per stage, `name contiguity quantifier flags`. */
  readonly stages?: readonly string[];
}

export function stepShapes(spec: PipelineSpec): StepShape[] {
  return spec.steps.map(stepShape);
}

function stepShape(step: StepSpec): StepShape {
  const base = { step: step.name, kind: step.kind, keyBy: keyText(step.keyBy) };
  switch (step.kind) {
    case 'window':
      return {
        ...base,
        window: windowText(step.window),
        aggregates: step.aggregate.map((a) => `${a.name}=${a.fn}${a.fn === 'percentile' ? `(${a.quantile})` : ''}`),
      };
    case 'pattern':
      return { ...base, stages: step.pattern.stages.map(stageText) };
    case 'process':
      return base;
  }
}

function keyText(key: KeySpec): string {
  switch (key.kind) {
    case 'none':
      return '(none)';
    case 'fields':
      return key.paths.join(', ');
    case 'expr':
      return key.expr;
  }
}

function windowText(window: WindowSpec): string {
  switch (window.type) {
    case 'tumbling':
      return `tumbling ${ms(window.size)}${window.offset !== 0 ? ` offset ${ms(window.offset)}` : ''}`;
    case 'sliding':
      return `sliding ${ms(window.size)}/${ms(window.slide)}${window.offset !== 0 ? ` offset ${ms(window.offset)}` : ''}`;
    case 'session':
      return `session gap ${ms(window.gap)}`;
  }
}

function stageText(stage: StageSpec): string {
  const q = stage.quantifier;
  const quantifier = q.kind === 'single' ? 'once' : q.kind === 'times' ? (q.from === q.to ? `times ${q.from}` : `times ${q.from}..${q.to}`) : `${q.atLeast}+`;
  const flags = (['optional', 'greedy', 'consecutive', 'allowCombinations'] as const).filter((f) => stage[f]);
  return [stage.name, stage.contiguity ?? 'first', quantifier, ...flags, ...(stage.until === undefined ? [] : ['until'])].join(' ');
}

/** Why the saved state of a step cannot go into the new step; null when it fits. */
export function shapeChange(saved: StepShape, now: StepShape): string | null {
  if (saved.kind !== now.kind) return `it was a ${saved.kind} step and is now a ${now.kind} step`;
  if (saved.keyBy !== now.keyBy) return `keyBy changed from ${saved.keyBy} to ${now.keyBy}`;
  if (saved.window !== now.window) return `the window changed from ${saved.window} to ${now.window}`;
  const list = (items: readonly string[] | undefined) => (items ?? []).join('; ');
  if (list(saved.aggregates) !== list(now.aggregates)) return `the aggregates changed from ${list(saved.aggregates)} to ${list(now.aggregates)}`;
  if (list(saved.stages) !== list(now.stages)) return `the pattern's stages changed from [${list(saved.stages)}] to [${list(now.stages)}]`;
  return null;
}

export interface StateMapping {
  /** Steps whose saved state goes into the new pipeline's step of the same name. */
  readonly restored: readonly string[];
  /** New steps (no saved state): they start empty. */
  readonly added: readonly string[];
  /** Saved steps the new pipeline no longer has. */
  readonly removed: readonly string[];
  /** Steps whose state does not fit, with the reason; any of these refuses the resume. */
  readonly incompatible: readonly { readonly step: string; readonly reason: string }[];
}

/** Matches saved step state to the new pipeline's steps by name. */
export function mapStepState(saved: readonly StepShape[], now: readonly StepShape[]): StateMapping {
  const before = new Map(saved.map((s) => [s.step, s]));
  const names = new Set(now.map((s) => s.step));
  const restored: string[] = [];
  const added: string[] = [];
  const incompatible: { step: string; reason: string }[] = [];
  for (const shape of now) {
    const old = before.get(shape.step);
    if (old === undefined) {
      added.push(shape.step);
      continue;
    }
    const reason = shapeChange(old, shape);
    if (reason === null) restored.push(shape.step);
    else incompatible.push({ step: shape.step, reason });
  }
  return { restored, added, removed: saved.filter((s) => !names.has(s.step)).map((s) => s.step), incompatible };
}
