/**
 * CEL's macros: has(a.b) and the comprehensions all, exists, exists_one, map and filter. A
 * comprehension's variable (`e` in `more.map(e, e.price)`) is a local: it lives in a Slot that
 * the macro sets per element, it shadows fields and bindings, and it is not an event field.
 * Over a map, the comprehensions iterate its keys, as in CEL.
 */
import type { ASTNode } from './parse.js';
import type { Compilation, Slot } from './compile.js';
import { EvaluationError } from './errors.js';
import type { Closure, Fail, Node } from './node.js';
import { INHERITED_KEYS, isMap, ownValue, typeName } from './values.js';

interface MacroDef {
  readonly form: 'global' | 'receiver';
  readonly usage: string;
  compile(c: Compilation, receiver: ASTNode | null, args: readonly ASTNode[], offset: number): Node;
}

export const MACROS: Readonly<Record<string, MacroDef>> = {
  has: { form: 'global', usage: 'has(a.b)', compile: compileHas },
  all: comprehension('all', 2, (target, body, slot, fail) => quantifier(target, body, slot, fail, false)),
  exists: comprehension('exists', 2, (target, body, slot, fail) => quantifier(target, body, slot, fail, true)),
  exists_one: comprehension('exists_one', 2, (target, body, slot, fail) => (event, bindings) => {
    const items = elements(target(event, bindings), fail, 'exists_one');
    const saved = slot.value;
    try {
      let count = 0;
      for (let i = 0; i < items.length; i++) {
        slot.value = items[i];
        if (predicate(body(event, bindings), fail, 'exists_one')) count++;
      }
      return count === 1;
    } finally {
      slot.value = saved;
    }
  }),
  filter: comprehension('filter', 2, (target, body, slot, fail) => (event, bindings) => {
    const items = elements(target(event, bindings), fail, 'filter');
    const saved = slot.value;
    try {
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) {
        slot.value = items[i];
        if (predicate(body(event, bindings), fail, 'filter')) out.push(items[i]);
      }
      return out;
    } finally {
      slot.value = saved;
    }
  }),
  map: comprehension('map', 3, (target, body, slot, fail, transform) => (event, bindings) => {
    const items = elements(target(event, bindings), fail, 'map');
    const saved = slot.value;
    try {
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) {
        slot.value = items[i];
        if (transform === undefined) out.push(body(event, bindings));
        else if (predicate(body(event, bindings), fail, 'map')) out.push(transform(event, bindings));
      }
      return out;
    } finally {
      slot.value = saved;
    }
  }),
};

/**
 * has(a.b): whether map `a` has key `b`, without the error reading it would raise. As an sw
 * extension, has(price) tests a top-level event field (in CEL every variable is declared).
 */
function compileHas(c: Compilation, _receiver: ASTNode | null, args: readonly ASTNode[], offset: number): Node {
  const arg = args[0];
  const usage = 'has() takes one field selection, such as has(metadata.price) or has(price)';
  if (args.length !== 1 || arg === undefined) throw c.syntax(usage, offset);
  const fail = c.failAt(offset);
  if (arg.op === 'id' || (arg.op === '.' && arg.args[0].op === 'id' && arg.args[0].args === 'event' && c.isFree('event'))) {
    const name = arg.op === 'id' ? arg.args : arg.args[1];
    if (arg.op === 'id' && (!c.isFree(name) || name === 'event')) throw c.syntax(`${usage}; '${name}' is not an event field`, arg.start);
    c.fields.add(name);
    const run: Closure = INHERITED_KEYS.has(name)
      ? (event) => ownValue(event, name) !== undefined
      : (event) => event[name] !== undefined;
    return { run, type: 'bool' };
  }
  if (arg.op !== '.') throw c.syntax(usage, arg.start);
  const key = arg.args[1];
  const object = c.node(arg.args[0]);
  const of = object.run;
  const run: Closure = (event, bindings) => {
    const value = of(event, bindings);
    return isMap(value) ? ownValue(value, key) !== undefined : fail(`has() needs a map to test '${key}' in, got ${typeName(value)}`);
  };
  return c.derived(run, 'bool', [object]);
}

type ComprehensionBuilder = (target: Closure, body: Closure, slot: Slot, fail: Fail, transform?: Closure) => Closure;

function comprehension(name: string, maxArgs: 2 | 3, build: ComprehensionBuilder): MacroDef {
  const usage = maxArgs === 3 ? `list.${name}(x, f(x)) or list.${name}(x, p(x), f(x))` : `list.${name}(x, p(x))`;
  const returnsBool = name !== 'map' && name !== 'filter';
  return {
    form: 'receiver',
    usage,
    compile(c, receiver, args, offset) {
      const variable = args[0];
      if (receiver === null || args.length < 2 || args.length > maxArgs || variable === undefined) {
        throw c.syntax(`wrong number of arguments to ${name}(); write ${usage}`, offset);
      }
      if (variable.op !== 'id') throw c.syntax(`the first argument of ${name}() must be a variable name; write ${usage}`, variable.start);
      const target = c.node(receiver);
      if (target.type !== 'list' && target.type !== 'map' && target.type !== 'dyn') {
        throw c.syntax(`${name}() iterates a list or a map, not a ${target.type}`, offset);
      }
      const slot: Slot = { value: undefined };
      const [body, transform] = c.withLocal(variable.args, slot, () => args.slice(1).map((arg) => c.node(arg)));
      const isPredicate = returnsBool || (name === 'filter') || transform !== undefined;
      if (isPredicate && body!.type !== 'bool' && body!.type !== 'dyn') {
        throw c.syntax(`the condition of ${name}() must be a bool, got ${body!.type}`, args[1]!.start);
      }
      const run = build(target.run, body!.run, slot, c.failAt(offset), transform?.run);
      return { run, type: returnsBool ? 'bool' : 'list' };
    },
  };
}

function elements(value: unknown, fail: Fail, name: string): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (isMap(value)) return Object.keys(value);
  return fail(`${name}() iterates a list or a map, not a ${typeName(value)}`);
}

function predicate(value: unknown, fail: Fail, name: string): boolean {
  return typeof value === 'boolean' ? value : fail(`the condition of ${name}() must be a bool, got ${typeName(value)}`);
}

/**
 * all (decisive = false) and exists (decisive = true) with CEL's error absorption: one element
 * that decides the answer decides it even if another element's predicate fails.
 */
function quantifier(target: Closure, body: Closure, slot: Slot, fail: Fail, decisive: boolean): Closure {
  const name = decisive ? 'exists' : 'all';
  return (event, bindings) => {
    const items = elements(target(event, bindings), fail, name);
    const saved = slot.value;
    let firstError: unknown;
    try {
      for (let i = 0; i < items.length; i++) {
        slot.value = items[i];
        try {
          if (predicate(body(event, bindings), fail, name) === decisive) return decisive;
        } catch (error) {
          if (!(error instanceof EvaluationError)) throw error;
          firstError ??= error;
        }
      }
    } finally {
      slot.value = saved;
    }
    if (firstError !== undefined) throw firstError;
    return !decisive;
  };
}
