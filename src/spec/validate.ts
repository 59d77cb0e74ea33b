/**
 * Turns a parsed pipeline file (YAML, JSON or a TypeScript module's default export) into the
 * normalized PipelineSpec, or fails fast with one line: file, line, spec path, what is wrong and
 * the fix. Expressions are checked by compiling them later (compile-pipeline.ts); here only shapes.
 */
import { formatDuration, parseDuration, suggestDuration } from '../engine/duration.js';
import type {
  AggregateFunction,
  AggregateSpec,
  ComputedField,
  Contiguity,
  KeySpec,
  PatternSpec,
  PipelineSpec,
  ProcessStepSpec,
  Quantifier,
  SkipStrategy,
  StageSpec,
  StepSpec,
  TimeSpec,
  WindowSpec,
} from '../engine/spec.js';
import type { ProcessFunction } from '../engine/process.js';
import { SpecError } from '../errors.js';

export type SpecPath = readonly (string | number)[];

/** Where a spec path sits in its file: a 1-based line, when known. */
export type Locator = (path: SpecPath) => number | undefined;

const AGGREGATES: readonly AggregateFunction[] = [
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'count_distinct',
  'first',
  'last',
  'stddev',
  'percentile',
];
const CONTIGUITIES: readonly Contiguity[] = ['next', 'followedBy', 'followedByAny', 'notNext', 'notFollowedBy'];
const FIELD_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const STEP_NAME = /^[A-Za-z_][\w-]*$/;

class Checker {
  constructor(
    private readonly file: string,
    private readonly locate: Locator,
  ) {}

  fail(path: SpecPath, message: string): never {
    const line = this.locate(path);
    const where = path.length > 0 ? `${formatPath(path)}: ` : '';
    throw new SpecError(`${this.file}${line !== undefined ? `:${line}` : ''}: ${where}${message}`);
  }

  object(value: unknown, path: SpecPath): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `expected a mapping (key: value), got ${describe(value)}`);
    }
    return value as Record<string, unknown>;
  }

  onlyKeys(value: Record<string, unknown>, path: SpecPath, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const guess = closest(key, allowed);
        this.fail([...path, key], `unknown key${guess ? `; did you mean "${guess}"?` : `; allowed: ${allowed.join(', ')}`}`);
      }
    }
  }

  string(value: unknown, path: SpecPath): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, `expected a non-empty string, got ${describe(value)}`);
    return value;
  }

  optionalString(value: unknown, path: SpecPath): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  boolean(value: unknown, path: SpecPath, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(path, `expected true or false, got ${describe(value)}`);
    return value;
  }

  duration(value: unknown, path: SpecPath, { positive = false } = {}): number {
    const ms = parseDuration(value);
    if (ms === null) {
      const hint = typeof value === 'string' ? suggestDuration(value) : null;
      this.fail(path, `${JSON.stringify(value)} is not a duration; use ${hint ?? 'a number of ms or 500ms, 5s, 15m, 2h, 7d'}`);
    }
    if (positive && ms <= 0) this.fail(path, `must be greater than 0, got ${JSON.stringify(value)}`);
    return ms;
  }

  count(value: unknown, path: SpecPath, min: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.fail(path, `expected a whole number ≥ ${min}, got ${describe(value)}`);
    }
    return value;
  }
}

export function validatePipeline(raw: unknown, file: string, locate: Locator = () => undefined): PipelineSpec {
  const c = new Checker(file, locate);
  const top = c.object(raw, []);
  c.onlyKeys(top, [], ['name', 'description', 'time', 'steps']);
  const name = c.string(top.name, ['name']);
  const time = validateTime(c, top.time);
  const stepsRaw = c.object(top.steps, ['steps']);
  const names = Object.keys(stepsRaw);
  if (names.length === 0) c.fail(['steps'], 'a pipeline needs at least one step');
  const steps = names.map((stepName) => {
    if (!STEP_NAME.test(stepName)) c.fail(['steps', stepName], 'a step name is a letter or _ followed by letters, digits, _ or -');
    return validateStep(c, stepName, stepsRaw[stepName]);
  });
  return { name, time, steps, source: file };
}

function validateTime(c: Checker, raw: unknown): TimeSpec {
  const time = c.object(raw, ['time']);
  c.onlyKeys(time, ['time'], ['field', 'outOfOrderness', 'idleTimeout']);
  const field = c.string(time.field, ['time', 'field']);
  if (!FIELD_PATH.test(field)) c.fail(['time', 'field'], `"${field}" is not a field path; use a dotted path such as timestamp or meta.ts`);
  const outOfOrderness = time.outOfOrderness === undefined ? 0 : c.duration(time.outOfOrderness, ['time', 'outOfOrderness']);
  const spec: TimeSpec = { field, outOfOrderness };
  if (time.idleTimeout !== undefined && time.idleTimeout !== null) {
    return { ...spec, idleTimeout: c.duration(time.idleTimeout, ['time', 'idleTimeout'], { positive: true }) };
  }
  return spec;
}

function validateKey(c: Checker, raw: unknown, path: SpecPath): KeySpec {
  if (raw === undefined || raw === null) return { kind: 'none' };
  if (Array.isArray(raw)) {
    if (raw.length === 0) c.fail(path, 'an empty list; omit keyBy for one global window, or name the key fields');
    const paths = raw.map((item, i) => {
      const p = c.string(item, [...path, i]);
      if (!FIELD_PATH.test(p)) c.fail([...path, i], `"${p}" is not a field path; list field paths, or give one CEL expression instead of a list`);
      return p;
    });
    return { kind: 'fields', paths, composite: true };
  }
  const text = c.string(raw, path).trim();
  if (FIELD_PATH.test(text)) return { kind: 'fields', paths: [text], composite: false };
  return { kind: 'expr', expr: text };
}

function validateStep(c: Checker, name: string, raw: unknown): StepSpec {
  const path = ['steps', name];
  const step = c.object(raw, path);
  const kinds = ['window', 'pattern', 'process'].filter((k) => step[k] !== undefined);
  if (kinds.length !== 1) {
    c.fail(path, kinds.length === 0 ? 'a step needs one of window, pattern or process' : `a step has one of window, pattern or process, not ${kinds.join(' and ')}`);
  }
  const where = c.optionalString(step.where, [...path, 'where']);
  const keyBy = validateKey(c, step.keyBy, [...path, 'keyBy']);
  const base = where === undefined ? { name, keyBy } : { name, keyBy, where };
  if (kinds[0] === 'window') {
    c.onlyKeys(step, path, ['description', 'where', 'keyBy', 'window', 'allowedLateness', 'lateOutput', 'aggregate', 'select', 'having']);
    const aggregateRaw = c.object(step.aggregate, [...path, 'aggregate']);
    const aggregate = Object.entries(aggregateRaw).map(([field, text]) => parseAggregate(c, field, text, [...path, 'aggregate', field]));
    if (aggregate.length === 0) c.fail([...path, 'aggregate'], 'a window step needs at least one aggregate, e.g. count: count()');
    const select = validateSelect(c, step.select, [...path, 'select'], aggregate.map((a) => a.name));
    const having = c.optionalString(step.having, [...path, 'having']);
    return {
      ...base,
      kind: 'window',
      window: validateWindow(c, step.window, [...path, 'window']),
      allowedLateness: step.allowedLateness === undefined ? 0 : c.duration(step.allowedLateness, [...path, 'allowedLateness']),
      lateOutput: c.boolean(step.lateOutput, [...path, 'lateOutput'], false),
      aggregate,
      select,
      ...(having === undefined ? {} : { having }),
    };
  }
  if (kinds[0] === 'pattern') {
    c.onlyKeys(step, path, ['description', 'where', 'keyBy', 'pattern', 'emitTimeouts', 'lateOutput', 'select']);
    const pattern = validatePattern(c, step.pattern, [...path, 'pattern']);
    return {
      ...base,
      kind: 'pattern',
      pattern,
      emitTimeouts: c.boolean(step.emitTimeouts, [...path, 'emitTimeouts'], false),
      lateOutput: c.boolean(step.lateOutput, [...path, 'lateOutput'], false),
      select: validateSelect(c, step.select, [...path, 'select'], []),
    };
  }
  c.onlyKeys(step, path, ['description', 'where', 'keyBy', 'process', 'lateOutput']);
  if (typeof step.process !== 'function') {
    c.fail([...path, 'process'], 'expected a function returning a ProcessFunction; process steps live in TypeScript pipeline modules (.pipeline.ts)');
  }
  const spec: ProcessStepSpec = {
    ...base,
    kind: 'process',
    lateOutput: c.boolean(step.lateOutput, [...path, 'lateOutput'], false),
    create: step.process as () => ProcessFunction,
  };
  return spec;
}

function validateWindow(c: Checker, raw: unknown, path: SpecPath): WindowSpec {
  const w = c.object(raw, path);
  const type = w.type;
  if (type === 'tumbling') {
    c.onlyKeys(w, path, ['type', 'size', 'offset']);
    const size = c.duration(w.size, [...path, 'size'], { positive: true });
    return { type, size, offset: w.offset === undefined ? 0 : c.duration(w.offset, [...path, 'offset']) };
  }
  if (type === 'sliding') {
    c.onlyKeys(w, path, ['type', 'size', 'slide', 'offset']);
    const size = c.duration(w.size, [...path, 'size'], { positive: true });
    const slide = c.duration(w.slide, [...path, 'slide'], { positive: true });
    const offset = w.offset === undefined ? 0 : c.duration(w.offset, [...path, 'offset']);
    if (offset >= slide) c.fail([...path, 'offset'], `must be smaller than the slide (${formatDuration(slide)}), as in Flink`);
    return { type, size, slide, offset };
  }
  if (type === 'session') {
    c.onlyKeys(w, path, ['type', 'gap']);
    return { type, gap: c.duration(w.gap, [...path, 'gap'], { positive: true }) };
  }
  return c.fail([...path, 'type'], `${JSON.stringify(type)} is not a window type; use tumbling, sliding or session`);
}

const CALL = /^\s*([A-Za-z_]\w*)\s*\(([\s\S]*)\)\s*$/;

function parseAggregate(c: Checker, name: string, raw: unknown, path: SpecPath): AggregateSpec {
  const text = c.string(raw, path);
  const call = CALL.exec(text);
  if (!call) {
    const unbalanced = (text.match(/\(/g) ?? []).length !== (text.match(/\)/g) ?? []).length;
    c.fail(
      path,
      unbalanced
        ? `"${text}" is cut at a comma; inside { } quote the call: "percentile(x, 0.95)"`
        : `"${text}" is not an aggregate call; write function(expression), e.g. count() or sum(amount)`,
    );
  }
  const fn = call[1]! as AggregateFunction;
  if (!AGGREGATES.includes(fn)) {
    const guess = closest(fn, AGGREGATES);
    c.fail(path, `${fn}() is not an aggregate${guess ? `; did you mean ${guess}()?` : `; use one of ${AGGREGATES.join(', ')}`}`);
  }
  const args = splitArguments(call[2]!);
  if (fn === 'count') {
    if (args.length > 1) c.fail(path, 'count takes no argument (count()) or one expression (count(x) counts non-null values)');
    return args.length === 0 ? { name, fn } : { name, fn, arg: args[0]! };
  }
  if (fn === 'percentile') {
    const quantile = Number(args[1]);
    if (args.length !== 2 || !(quantile >= 0 && quantile <= 1)) {
      c.fail(path, `percentile takes an expression and a quantile between 0 and 1, e.g. percentile(latency, 0.95)`);
    }
    return { name, fn, arg: args[0]!, quantile };
  }
  if (args.length !== 1) c.fail(path, `${fn} takes one expression, e.g. ${fn}(amount)`);
  return { name, fn, arg: args[0]! };
}

/** Splits call arguments on top-level commas (not inside brackets or strings). */
function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== '' || parts.length > 0) parts.push(last);
  return parts;
}

function validateSelect(c: Checker, raw: unknown, path: SpecPath, taken: readonly string[]): ComputedField[] {
  if (raw === undefined || raw === null) return [];
  const select = c.object(raw, path);
  return Object.entries(select).map(([name, expr]) => {
    if (taken.includes(name)) c.fail([...path, name], `"${name}" is already an aggregate; give the computed field another name`);
    return { name, expr: typeof expr === 'number' || typeof expr === 'boolean' ? String(expr) : c.string(expr, [...path, name]) };
  });
}

function validatePattern(c: Checker, raw: unknown, path: SpecPath): PatternSpec {
  // A TypeScript builder (Pattern.begin(...)) hands over its spec.
  if (raw !== null && typeof raw === 'object' && typeof (raw as { toSpec?: unknown }).toSpec === 'function') {
    return (raw as { toSpec(): PatternSpec }).toSpec();
  }
  const p = c.object(raw, path);
  c.onlyKeys(p, path, ['within', 'skip', 'stages']);
  if (!Array.isArray(p.stages) || p.stages.length === 0) c.fail([...path, 'stages'], 'a pattern needs a list of stages');
  const stages = (p.stages as unknown[]).map((s, i) => validateStage(c, s, [...path, 'stages', i], i));
  const seen = new Set<string>();
  for (const [i, stage] of stages.entries()) {
    if (seen.has(stage.name)) c.fail([...path, 'stages', i, 'name'], `stage "${stage.name}" is named twice; stage names are unique`);
    seen.add(stage.name);
  }
  const within = p.within === undefined || p.within === null ? undefined : c.duration(p.within, [...path, 'within'], { positive: true });
  const last = stages[stages.length - 1]!;
  if (last.contiguity === 'notFollowedBy' && within === undefined) {
    c.fail([...path, 'stages', stages.length - 1], 'notFollowedBy as the last stage needs pattern.within (the match completes when within expires)');
  }
  if (last.contiguity === 'notNext') c.fail([...path, 'stages', stages.length - 1], 'a pattern cannot end with notNext; end it with a positive stage');
  const skip = validateSkip(c, p.skip, [...path, 'skip'], seen);
  return within === undefined ? { skip, stages } : { within, skip, stages };
}

function validateSkip(c: Checker, raw: unknown, path: SpecPath, stages: ReadonlySet<string>): SkipStrategy {
  if (raw === undefined || raw === null) return { kind: 'noSkip' };
  const text = c.string(raw, path);
  if (text === 'noSkip' || text === 'skipToNext' || text === 'skipPastLastEvent') return { kind: text };
  const m = /^(skipToFirst|skipToLast):(.+)$/.exec(text);
  if (m) {
    const stage = m[2]!.trim();
    if (!stages.has(stage)) c.fail(path, `no stage named "${stage}"; use one of ${[...stages].join(', ')}`);
    return { kind: m[1] as 'skipToFirst' | 'skipToLast', stage };
  }
  return c.fail(path, `"${text}" is not a skip strategy; use noSkip, skipToNext, skipPastLastEvent, skipToFirst:<stage> or skipToLast:<stage>`);
}

function validateStage(c: Checker, raw: unknown, path: SpecPath, index: number): StageSpec {
  const s = c.object(raw, path);
  c.onlyKeys(s, path, [
    'name',
    'contiguity',
    'where',
    'or',
    'times',
    'oneOrMore',
    'timesOrMore',
    'optional',
    'greedy',
    'consecutive',
    'allowCombinations',
    'until',
  ]);
  const name = c.string(s.name, [...path, 'name']);
  if (!/^[A-Za-z_]\w*$/.test(name)) c.fail([...path, 'name'], `"${name}" is not a stage name; use letters, digits and _ (it becomes a variable in conditions)`);
  let contiguity: Contiguity | undefined;
  if (index === 0) {
    if (s.contiguity !== undefined) c.fail([...path, 'contiguity'], 'the first stage has no contiguity (it begins the pattern)');
  } else {
    const value = s.contiguity ?? 'next';
    if (!CONTIGUITIES.includes(value as Contiguity)) {
      c.fail([...path, 'contiguity'], `${JSON.stringify(value)} is not a contiguity; use ${CONTIGUITIES.join(', ')}`);
    }
    contiguity = value as Contiguity;
  }
  const alternatives: string[] = [];
  if (Array.isArray(s.where)) s.where.forEach((w, i) => alternatives.push(c.string(w, [...path, 'where', i])));
  else if (s.where !== undefined && s.where !== null) alternatives.push(c.string(s.where, [...path, 'where']));
  if (Array.isArray(s.or)) s.or.forEach((w, i) => alternatives.push(c.string(w, [...path, 'or', i])));
  else if (s.or !== undefined && s.or !== null) alternatives.push(c.string(s.or, [...path, 'or']));
  const where = alternatives.length === 0 ? undefined : alternatives.length === 1 ? alternatives[0]! : alternatives.map((a) => `(${a})`).join(' || ');

  const quantifiers = ['times', 'oneOrMore', 'timesOrMore'].filter((k) => s[k] !== undefined && s[k] !== false);
  if (quantifiers.length > 1) c.fail(path, `choose one of ${quantifiers.join(', ')}`);
  let quantifier: Quantifier = { kind: 'single' };
  if (s.times !== undefined) {
    if (Array.isArray(s.times)) {
      if (s.times.length !== 2) c.fail([...path, 'times'], 'times is a number or [from, to]');
      const from = c.count(s.times[0], [...path, 'times', 0], 0);
      const to = c.count(s.times[1], [...path, 'times', 1], 1);
      if (to < from) c.fail([...path, 'times'], `[${from}, ${to}]: "to" must be ≥ "from"`);
      quantifier = { kind: 'times', from, to };
    } else {
      const n = c.count(s.times, [...path, 'times'], 1);
      quantifier = { kind: 'times', from: n, to: n };
    }
  } else if (s.oneOrMore !== undefined && s.oneOrMore !== false) {
    if (s.oneOrMore !== true) c.fail([...path, 'oneOrMore'], 'expected true');
    quantifier = { kind: 'looping', atLeast: 1 };
  } else if (s.timesOrMore !== undefined) {
    quantifier = { kind: 'looping', atLeast: c.count(s.timesOrMore, [...path, 'timesOrMore'], 1) };
  }
  const loops = quantifier.kind !== 'single';
  const negated = contiguity === 'notNext' || contiguity === 'notFollowedBy';
  const optional = c.boolean(s.optional, [...path, 'optional'], false);
  const greedy = c.boolean(s.greedy, [...path, 'greedy'], false);
  const consecutive = c.boolean(s.consecutive, [...path, 'consecutive'], false);
  const allowCombinations = c.boolean(s.allowCombinations, [...path, 'allowCombinations'], false);
  const until = c.optionalString(s.until, [...path, 'until']);
  if (negated && (loops || optional)) c.fail(path, `${contiguity} stages cannot have a quantifier or be optional (as in Flink)`);
  if (greedy && !loops) c.fail([...path, 'greedy'], 'greedy applies to looping stages (times, oneOrMore, timesOrMore)');
  if ((consecutive || allowCombinations) && !loops) {
    c.fail(path, 'consecutive and allowCombinations apply inside loops (times, oneOrMore, timesOrMore)');
  }
  if (consecutive && allowCombinations) c.fail(path, 'choose consecutive or allowCombinations, not both');
  if (until !== undefined && quantifier.kind !== 'looping') c.fail([...path, 'until'], 'until applies to oneOrMore / timesOrMore stages');
  if (index === 0 && negated) c.fail(path, 'a pattern cannot begin with a negated stage');
  const stage: StageSpec = {
    name,
    quantifier,
    optional,
    greedy,
    consecutive,
    allowCombinations,
    ...(contiguity === undefined ? {} : { contiguity }),
    ...(where === undefined ? {} : { where }),
    ...(until === undefined ? {} : { until }),
  };
  return stage;
}

export function formatPath(path: SpecPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The allowed word nearest to a misspelling (edit distance ≤ 2), for "did you mean". */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
