/**
 * PipelineSpec → operators. Compiles every CEL expression once (a bad one fails the run before
 * any record is read, naming its spec path), builds key extractors, and works out which top-level
 * fields the pipeline reads, so the reader decodes only those.
 */
import type { KeySpillFactory } from './state/key-spill.js';
import type { CompiledExpression } from './expression/index.js';
import { EvaluationError, ExpressionSyntaxError } from './expression/errors.js';
import { lazyModule } from '../lazy-module.js';
import type { Fields, Operator } from './operator.js';
import type { KeySpec, PatternStepSpec, PipelineSpec, ProcessStepSpec, WindowStepSpec } from './spec.js';
import { WindowOperator } from './window/window-operator.js';
import type { WindowStep } from './window/window-step.js';
import type { PatternStep, StageEvents } from './cep/pattern-step.js';
import type { CepStageSpec } from './cep/nfa/compiler.js';
import type { StateBackendFactory } from './state/state-backend.js';

// Loaded when a spec needs them: a window pipeline without expressions never parses CEL.
const expressions = lazyModule<typeof import('./expression/index.js')>('./expression/index.js', import.meta.url);
const cep = lazyModule<typeof import('./cep/pattern-operator.js')>('./cep/pattern-operator.js', import.meta.url);
const cepCompiler = lazyModule<typeof import('./cep/nfa/compiler.js')>('./cep/nfa/compiler.js', import.meta.url);
const processes = lazyModule<typeof import('./process/process-operator.js')>('./process/process-operator.js', import.meta.url);

export interface CompiledPipeline {
  readonly spec: PipelineSpec;
  readonly operators: Operator[];
  /** Top-level fields to decode, or 'all' when some expression reads the whole `event` or a process function did not say. */
  readonly fields: readonly string[] | 'all';
  /** Reads the event time field (dotted path) from decoded fields. */
  readonly timeOf: (fields: Fields) => unknown;
}

export interface CompileOptions {
  /** Keyed state of process steps; default: on the heap (MemoryStateBackend). */
  readonly stateBackend?: StateBackendFactory;
  /** Where window steps evict idle keys beyond a key budget; default: every key on the heap. */
  readonly keySpill?: KeySpillFactory;
}

/** A spec problem found while compiling: message already names the file and spec path. */
export class PipelineCompileError extends Error {}

export function compilePipeline(spec: PipelineSpec, options: CompileOptions = {}): CompiledPipeline {
  const used = new Set<string>();
  let whole = false;
  const file = spec.source ?? spec.name;
  const track = (expr: CompiledExpression): CompiledExpression => {
    for (const field of expr.fields) used.add(field);
    if (expr.wholeEvent) whole = true;
    return expr;
  };
  const compile = (source: string, where: string, bindings?: readonly string[]) =>
    track(guard(file, where, () => expressions().compileExpression(source, bindings ? { where, bindings } : { where })));
  const condition = (source: string, where: string, bindings?: readonly string[]) => {
    const expr = guard(file, where, () => expressions().compileCondition(source, bindings ? { where, bindings } : { where }));
    track(expr);
    return expr;
  };

  used.add(topLevel(spec.time.field));
  const operators = spec.steps.map((step): Operator => {
    const at = `steps.${step.name}`;
    const filterExpr = step.where === undefined ? null : condition(step.where, `${at}.where`);
    const filter = filterExpr ? (fields: Fields) => filterExpr.test(fields) : null;
    const key = keyExtractor(step.keyBy, `${at}.keyBy`, compile, used);
    switch (step.kind) {
      case 'window':
        return new WindowOperator(windowStep(step, at, filter, key, compile, condition), options.keySpill?.(step.name));
      case 'pattern':
        return new (cep().PatternOperator)(patternStep(step, at, filter, key, compile, condition));
      case 'process':
        return new (processes().ProcessOperator)(processStep(step, filter, key, used, () => (whole = true)), options.stateBackend?.(step.name));
    }
  });
  return { spec, operators, fields: whole ? 'all' : [...used], timeOf: pathReader(spec.time.field) };
}

type Compile = (source: string, where: string, bindings?: readonly string[]) => CompiledExpression;
type Condition = (source: string, where: string, bindings?: readonly string[]) => CompiledExpression & {
  test(event: Fields, bindings?: (name: string) => unknown): boolean;
};
const NO_FIELDS: Fields = Object.freeze({}) as Fields;

function windowStep(
  step: WindowStepSpec,
  at: string,
  filter: WindowStep['filter'],
  key: WindowStep['key'],
  compile: Compile,
  condition: Condition,
): WindowStep {
  const scopeNames = ['key', 'window', ...step.aggregate.map((a) => a.name), ...step.select.map((s) => s.name)];
  return {
    name: step.name,
    window: step.window,
    allowedLateness: step.allowedLateness,
    lateOutput: step.lateOutput,
    filter,
    key,
    ...keyFieldOf(step.keyBy),
    aggregates: step.aggregate.map((a) => {
      const arg = a.arg === undefined ? null : compile(a.arg, `${at}.aggregate.${a.name}`);
      return {
        name: a.name,
        fn: a.fn,
        arg: arg ? (fields: Fields) => arg.evaluate(fields) : null,
        ...(a.quantile === undefined ? {} : { quantile: a.quantile }),
      };
    }),
    select: step.select.map((s) => {
      const expr = compile(s.expr, `${at}.select.${s.name}`, scopeNames);
      return { name: s.name, evaluate: (scope: (name: string) => unknown) => expr.evaluate(NO_FIELDS, scope) };
    }),
    having: step.having === undefined ? null : havingOf(condition(step.having, `${at}.having`, scopeNames)),
  };
}

function havingOf(expr: ReturnType<Condition>) {
  return (scope: (name: string) => unknown) => expr.test(NO_FIELDS, scope);
}

function patternStep(
  step: PatternStepSpec,
  at: string,
  filter: PatternStep['filter'],
  key: PatternStep['key'],
  compile: Compile,
  condition: Condition,
): PatternStep {
  // A pattern from the TypeScript builder may nest group patterns: their stages have conditions too.
  const stageNames = cepCompiler().leafStages(step.pattern.stages).map((s) => s.name);
  const conditions = new Map<string, { where: StageCondition | null; until: StageCondition | null }>();
  let fieldsOnly = true;
  let readsStages = false;
  const compileStages = (stages: readonly CepStageSpec[], path: string): void =>
    stages.forEach((stage, i) => {
      const where = stage.where === undefined ? null : condition(stage.where, `${path}[${i}].where`, stageNames);
      const until = stage.until === undefined ? null : condition(stage.until, `${path}[${i}].until`, stageNames);
      for (const expr of [where, until]) if (expr !== null && (expr.readsBindings || expr.wholeEvent)) fieldsOnly = false;
      for (const expr of [where, until]) if (expr !== null && expr.readsBindings) readsStages = true;
      conditions.set(stage.name, { where: where ? stageCondition(where) : null, until: until ? stageCondition(until) : null });
      if (stage.group !== undefined) compileStages(stage.group, `${path}[${i}].group`);
    });
  compileStages(step.pattern.stages, `${at}.pattern.stages`);
  return {
    name: step.name,
    pattern: step.pattern,
    emitTimeouts: step.emitTimeouts,
    lateOutput: step.lateOutput,
    filter,
    key,
    ...keyFieldOf(step.keyBy),
    conditions,
    conditionsReadFieldsOnly: fieldsOnly,
    conditionsReadStages: readsStages,
    select: step.select.map((s) => {
      const expr = compile(s.expr, `${at}.select.${s.name}`, stageNames);
      return { name: s.name, evaluate: (scope: (name: string) => unknown) => expr.evaluate(NO_FIELDS, scope) };
    }),
  };
}

type StageCondition = (event: Record<string, unknown>, stages: StageEvents) => boolean;

function stageCondition(expr: ReturnType<Condition>): StageCondition {
  return (event, stages) => expr.test(event, stages);
}

function processStep(
  step: ProcessStepSpec,
  filter: PatternStep['filter'],
  key: PatternStep['key'],
  used: Set<string>,
  readsEverything: () => void,
) {
  // Ask a throwaway instance which fields it reads; none declared means it may read any.
  const probe = step.create();
  if (probe.fields) for (const field of probe.fields) used.add(field);
  else readsEverything();
  return { name: step.name, filter, key, create: step.create };
}

function keyExtractor(spec: KeySpec, where: string, compile: Compile, used: Set<string>): (fields: Fields) => unknown {
  if (spec.kind === 'none') return () => null;
  if (spec.kind === 'expr') {
    const expr = compile(spec.expr, where);
    return (fields) => expr.evaluate(fields);
  }
  for (const path of spec.paths) used.add(topLevel(path));
  const readers = spec.paths.map((path) => requiredPath(path));
  if (!spec.composite) return readers[0]!;
  return (fields) => readers.map((read) => read(fields));
}

/** `{ keyField }` for a step keyed by one top-level field (key hints), `{}` otherwise. */
function keyFieldOf(spec: KeySpec): { keyField?: string } {
  return spec.kind === 'fields' && !spec.composite && !spec.paths[0]!.includes('.') ? { keyField: spec.paths[0]! } : {};
}

function topLevel(path: string): string {
  const dot = path.indexOf('.');
  return dot < 0 ? path : path.slice(0, dot);
}

/** Reads a dotted path; undefined when any part is missing. */
export function pathReader(path: string): (fields: Fields) => unknown {
  const parts = path.split('.');
  if (parts.length === 1) {
    const name = parts[0]!;
    return (fields) => fields[name];
  }
  return (fields) => {
    let value: unknown = fields;
    for (const part of parts) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}

/** A key field: missing or not a scalar is an evaluation error (counted; the record skips the step). */
function requiredPath(path: string): (fields: Fields) => unknown {
  const read = pathReader(path);
  return (fields) => {
    const value = read(fields);
    if (value === undefined) throw new EvaluationError(`no such field '${path}' (keyBy)`);
    return value;
  };
}

function guard<T>(file: string, where: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) throw new PipelineCompileError(`${file}: ${error.message}`);
    throw new PipelineCompileError(`${file}: ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
