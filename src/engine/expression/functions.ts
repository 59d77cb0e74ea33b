/**
 * Functions: CEL's standard ones (size, string tests, conversions), the strings extension
 * (lowerAscii, upperAscii, trim), the math extension (also callable as math.abs(x), ...) and sw's
 * own (sum, avg, min, max over lists; timestamp and duration as milliseconds). A call whose
 * arguments are all literals runs once at compile time; if it fails there, it would fail for
 * every record, so that is a compile error.
 */
import type { ASTNode } from './parse.js';
import type { Compilation } from './compile.js';
import type { Closure, Fail, Node, StaticType } from './node.js';
import { codePointLength, isMap, typeName } from './values.js';
import { parseDuration, parseTimestamp } from './time.js';
import { PatternCache, compilePattern } from './regex.js';
import { MACROS } from './macros.js';

interface FunctionDef {
  /** `global` f(x), `receiver` x.f(), or both. */
  readonly forms: 'global' | 'receiver' | 'both';
  /** Argument counts, the receiver included. */
  readonly min: number;
  readonly max: number;
  readonly type: StaticType;
  readonly usage: string;
  /**
   * The implementation for one argument, two, or any number. Fixed arities take their arguments
   * as parameters so that a call like `size(more)` allocates no argument array.
   */
  readonly one?: (x: unknown, fail: Fail) => unknown;
  readonly two?: (x: unknown, y: unknown, fail: Fail) => unknown;
  readonly many?: (args: readonly unknown[], fail: Fail) => unknown;
  /**
   * For `s.startsWith('premium_')`: a closure for a literal string second argument that calls
   * nothing but the receiver's closure (2–3× faster than the generic two-argument path).
   */
  readonly literalSecond?: (literal: string, text: Closure, fail: Fail) => Closure;
}

const notString = (x: unknown, fail: Fail, name: string): never => fail(`no such overload: ${name}(${typeName(x)}); it takes a string`);
const string = (x: unknown, fail: Fail, name: string): string => (typeof x === 'string' ? x : notString(x, fail, name));
const number = (x: unknown, fail: Fail, name: string): number =>
  typeof x === 'number' ? x : fail(`no such overload: ${name}(${typeName(x)}); it takes a number`);
const finite = (x: number, fail: Fail, name: string): number => (Number.isFinite(x) ? x : fail(`${name} gives ${x}, which is not a finite number`));

function numbers(list: unknown, fail: Fail, name: string): readonly number[] {
  if (!Array.isArray(list)) return fail(`no such overload: ${name}(${typeName(list)}); it takes a list of numbers`);
  for (const item of list) if (typeof item !== 'number') return fail(`${name}() needs numbers, the list holds a ${typeName(item)}`);
  return list as number[];
}

function extreme(args: readonly unknown[], fail: Fail, name: 'min' | 'max'): number {
  const values = args.length === 1 && Array.isArray(args[0]) ? numbers(args[0], fail, name) : numbers(args, fail, name);
  if (values.length === 0) return fail(`${name}() of an empty list`);
  let best = values[0]!;
  for (const value of values) if (name === 'min' ? value < best : value > best) best = value;
  return best;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_TEXT = new Set(['1', 't', 'true', 'TRUE', 'True']);
const FALSE_TEXT = new Set(['0', 'f', 'false', 'FALSE', 'False']);

function stringTest(name: string, test: (text: string, part: string) => boolean, literalSecond: FunctionDef['literalSecond']): FunctionDef {
  return {
    forms: 'receiver',
    min: 2,
    max: 2,
    type: 'bool',
    usage: `s.${name}('text')`,
    two: (text, part, fail) => test(string(text, fail, name), string(part, fail, name)),
    literalSecond,
  };
}

function stringMap(name: string, change: (text: string) => string): FunctionDef {
  return { forms: 'receiver', min: 1, max: 1, type: 'string', usage: `s.${name}()`, one: (text, fail) => change(string(text, fail, name)) };
}

function math(name: string, f: (x: number) => number): FunctionDef {
  const label = `${name}()`;
  return {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'number',
    usage: `${name}(x)`,
    one: (x, fail) => finite(f(number(x, fail, name)), fail, label),
  };
}

export const FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  size: {
    forms: 'both',
    min: 1,
    max: 1,
    type: 'number',
    usage: 'size(x) or x.size()',
    one: (x, fail) => {
      if (typeof x === 'string') return codePointLength(x);
      if (Array.isArray(x)) return x.length;
      if (isMap(x)) return Object.keys(x).length;
      return fail(`no such overload: size(${typeName(x)}); it takes a string, list or map`);
    },
  },
  // One closure literal per function, so that each call site inside stays monomorphic.
  startsWith: stringTest(
    'startsWith',
    (text, part) => text.startsWith(part),
    (part, of, fail) => (event, bindings) => {
      const text = of(event, bindings);
      return typeof text === 'string' ? text.startsWith(part) : notString(text, fail, 'startsWith');
    },
  ),
  endsWith: stringTest(
    'endsWith',
    (text, part) => text.endsWith(part),
    (part, of, fail) => (event, bindings) => {
      const text = of(event, bindings);
      return typeof text === 'string' ? text.endsWith(part) : notString(text, fail, 'endsWith');
    },
  ),
  contains: stringTest(
    'contains',
    (text, part) => text.includes(part),
    (part, of, fail) => (event, bindings) => {
      const text = of(event, bindings);
      return typeof text === 'string' ? text.includes(part) : notString(text, fail, 'contains');
    },
  ),
  lowerAscii: stringMap('lowerAscii', (text) => text.replace(/[A-Z]+/g, (run) => run.toLowerCase())),
  upperAscii: stringMap('upperAscii', (text) => text.replace(/[a-z]+/g, (run) => run.toUpperCase())),
  trim: stringMap('trim', (text) => text.trim()),
  int: {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'number',
    usage: 'int(x)',
    one: (x, fail) => {
      if (typeof x === 'number') return Math.trunc(x);
      if (typeof x === 'string' && INTEGER.test(x.trim())) return finite(Number(x), fail, 'int()');
      return fail(`cannot convert ${typeName(x)} ${JSON.stringify(x)} to int`);
    },
  },
  double: {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'number',
    usage: 'double(x)',
    one: (x, fail) => {
      if (typeof x === 'number') return x;
      if (typeof x === 'string' && DECIMAL.test(x.trim())) return finite(Number(x), fail, 'double()');
      return fail(`cannot convert ${typeName(x)} ${JSON.stringify(x)} to double`);
    },
  },
  string: {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'string',
    usage: 'string(x)',
    one: (x, fail) => {
      if (typeof x === 'string') return x;
      if (typeof x === 'number' || typeof x === 'boolean') return String(x);
      return fail(`no such overload: string(${typeName(x)}); it converts numbers and bools`);
    },
  },
  bool: {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'bool',
    usage: 'bool(x)',
    one: (x, fail) => {
      if (typeof x === 'boolean') return x;
      if (typeof x === 'string' && TRUE_TEXT.has(x)) return true;
      if (typeof x === 'string' && FALSE_TEXT.has(x)) return false;
      return fail(`cannot convert ${typeName(x)} ${JSON.stringify(x)} to bool; use 'true' or 'false'`);
    },
  },
  dyn: { forms: 'global', min: 1, max: 1, type: 'dyn', usage: 'dyn(x)', one: (x) => x },
  timestamp: {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'number',
    usage: "timestamp('2026-01-01T00:00:00Z')",
    one: (x, fail) => {
      if (typeof x === 'number') return x;
      const ms = typeof x === 'string' ? parseTimestamp(x) : null;
      return ms ?? fail(`${JSON.stringify(x)} is not a timestamp; write one like '2026-01-01T00:00:00Z'`);
    },
  },
  duration: {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'number',
    usage: "duration('5m')",
    one: (x, fail) => {
      if (typeof x === 'number') return x;
      const ms = typeof x === 'string' ? parseDuration(x) : null;
      return ms ?? fail(`${JSON.stringify(x)} is not a duration; use 500ms, 5s, 15m, 2h or 7d`);
    },
  },
  sum: {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'number',
    usage: 'sum(list)',
    one: (list, fail) => {
      let total = 0;
      for (const value of numbers(list, fail, 'sum')) total += value;
      return finite(total, fail, 'sum()');
    },
  },
  avg: {
    forms: 'global',
    min: 1,
    max: 1,
    type: 'number',
    usage: 'avg(list)',
    one: (list, fail) => {
      const values = numbers(list, fail, 'avg');
      if (values.length === 0) return fail('avg() of an empty list');
      let total = 0;
      for (const value of values) total += value;
      return finite(total / values.length, fail, 'avg()');
    },
  },
  min: {
    forms: 'global',
    min: 1,
    max: Infinity,
    type: 'number',
    usage: 'min(list) or min(a, b, ...)',
    one: (list, fail) => extreme([list], fail, 'min'),
    // min(x, 1.0) caps a score: two numbers take no array.
    two: (x, y, fail) => (typeof x === 'number' && typeof y === 'number' ? (y < x ? y : x) : extreme([x, y], fail, 'min')),
    many: (args, fail) => extreme(args, fail, 'min'),
  },
  max: {
    forms: 'global',
    min: 1,
    max: Infinity,
    type: 'number',
    usage: 'max(list) or max(a, b, ...)',
    one: (list, fail) => extreme([list], fail, 'max'),
    two: (x, y, fail) => (typeof x === 'number' && typeof y === 'number' ? (y > x ? y : x) : extreme([x, y], fail, 'max')),
    many: (args, fail) => extreme(args, fail, 'max'),
  },
  abs: math('abs', Math.abs),
  // CEL's math.round rounds half away from zero; Math.round rounds -2.5 to -2.
  round: math('round', (x) => Math.sign(x) * Math.round(Math.abs(x))),
  floor: math('floor', Math.floor),
  ceil: math('ceil', Math.ceil),
  sqrt: math('sqrt', Math.sqrt),
  pow: {
    forms: 'global',
    min: 2,
    max: 2,
    type: 'number',
    usage: 'pow(x, y)',
    two: (x, y, fail) => finite(Math.pow(number(x, fail, 'pow'), number(y, fail, 'pow')), fail, 'pow()'),
  },
  log: math('log', Math.log),
  matches: {
    forms: 'both',
    min: 2,
    max: 2,
    type: 'bool',
    usage: "s.matches('^a+$')",
    // compileMatches builds the closure: a literal pattern is compiled and checked once.
  },
};

const MATH_NAMESPACE = new Set(['abs', 'round', 'floor', 'ceil', 'sqrt', 'pow', 'log', 'min', 'max']);

export function compileCall(c: Compilation, name: string, receiver: ASTNode | null, argAsts: readonly ASTNode[], offset: number): Node {
  const macro = Object.hasOwn(MACROS, name) ? MACROS[name]! : undefined;
  if (macro) {
    if ((receiver === null) !== (macro.form === 'global')) throw c.syntax(`${name}() ${macro.form === 'global' ? 'is not a method' : 'is a method'}; write ${macro.usage}`, offset);
    return macro.compile(c, receiver, argAsts, offset);
  }
  if (receiver?.op === 'id' && receiver.args === 'math' && MATH_NAMESPACE.has(name) && c.isFree('math')) {
    return compileCall(c, name, null, argAsts, offset);
  }
  const def = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name]! : undefined;
  if (!def) throw c.syntax(`unknown function '${name}'${suggestion(name)}`, offset);
  if (receiver !== null && def.forms === 'global') throw c.syntax(`${name}() is not a method; write ${def.usage}`, offset);
  if (receiver === null && def.forms === 'receiver') throw c.syntax(`${name}() is a method; write ${def.usage}`, offset);
  const asts = receiver === null ? argAsts : [receiver, ...argAsts];
  if (asts.length < def.min || asts.length > def.max) throw c.syntax(`wrong number of arguments to ${name}(); write ${def.usage}`, offset);
  const args = asts.map((ast) => c.node(ast));
  const build = (fail: Fail) => (name === 'matches' ? compileMatches(c, args, offset, fail) : closureFor(def, args, fail));
  const node = c.derived(build(c.failAt(offset)), def.type, args);
  if (node.constant === undefined && args.every((arg) => arg.constant !== undefined)) {
    // Every argument is a literal and folding failed: the call fails for every record, so say so now.
    build((what) => {
      throw c.syntax(what, offset);
    })({}, undefined);
  }
  return node;
}

function closureFor(def: FunctionDef, args: readonly Node[], fail: Fail): Closure {
  const second = args[1]?.constant?.value;
  if (def.literalSecond && typeof second === 'string' && args.length === 2) return def.literalSecond(second, args[0]!.run, fail);
  const runs = args.map((arg) => arg.run);
  const { one, two, many } = def;
  if (one && runs.length === 1) {
    const a = runs[0]!;
    return (event, bindings) => one(a(event, bindings), fail);
  }
  if (two && runs.length === 2) {
    const [a, b] = runs as [Closure, Closure];
    return (event, bindings) => two(a(event, bindings), b(event, bindings), fail);
  }
  if (!many) throw new Error(`${def.usage}: no implementation for ${runs.length} arguments`);
  return (event, bindings) => many(runs.map((run) => run(event, bindings)), fail);
}

function compileMatches(c: Compilation, args: readonly Node[], offset: number, fail: Fail): Closure {
  const [text, pattern] = args as [Node, Node];
  const of = text.run;
  if (pattern.constant !== undefined) {
    if (typeof pattern.constant.value !== 'string') throw c.syntax(`matches() takes a string pattern, got ${pattern.type}`, offset);
    const compiled = compilePattern(pattern.constant.value);
    if ('problem' in compiled) throw c.syntax(compiled.problem, offset);
    const regex = compiled.regex;
    return (event, bindings) => regex.test(string(of(event, bindings), fail, 'matches'));
  }
  const cache = new PatternCache();
  const patternOf = pattern.run;
  return (event, bindings) => {
    const subject = string(of(event, bindings), fail, 'matches');
    const compiled = cache.get(string(patternOf(event, bindings), fail, 'matches'));
    return 'problem' in compiled ? fail(compiled.problem) : compiled.regex.test(subject);
  };
}

/** "; did you mean 'floor'?" for a name within two edits of a known one. */
function suggestion(name: string): string {
  let best = '';
  let bestDistance = 3;
  for (const known of [...Object.keys(FUNCTIONS), ...Object.keys(MACROS)]) {
    const distance = editDistance(name.toLowerCase(), known.toLowerCase());
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best ? `; did you mean '${best}'?` : `; known functions: ${Object.keys(FUNCTIONS).join(', ')}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
