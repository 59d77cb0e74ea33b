/**
 * AST → closures. Each AST node becomes one closure, specialised by the shape of its operands
 * where that pays (a field compared with a literal reads the field inline). Literal subtrees are
 * folded to constants at compile time, and the top-level fields an expression reads are collected
 * statically so that the reader decodes only those.
 *
 * Why not @marcbachmann/cel-js's own evaluator: it walks the AST on every evaluation with its type
 * machinery (~1–2 M evaluations/s on a two-comparison filter, see bench/expression.ts) and it keeps
 * CEL's int/double split, which JSON input (all doubles) does not have.
 */
import type { ASTNode } from './parse.js';
import { ExpressionSyntaxError, type ExpressionSite } from './errors.js';
import type { Closure, Fail, Node, StaticType } from './node.js';
import { staticTypeOf } from './node.js';
import { INHERITED_KEYS, deepFreeze, isMap, ownValue, putKey, typeName } from './values.js';
import { compileBinary, compileConditional, compileLogical, compileUnary } from './operators.js';
import { compileCall } from './functions.js';

/** A macro variable's current value (`e` in `more.map(e, e.price)`), set by the macro per element. */
export interface Slot {
  value: unknown;
}

const NO_EVENT: Record<string, unknown> = Object.freeze({});

/**
 * Closures nest as deep as the AST, and evaluation recurses through them. The parser bounds
 * parentheses (250) but not a chain like `a + a + ... + a`; 20 000 terms overflow the stack.
 * 1 000 levels keep evaluation well inside Node's default stack (~10 000 frames).
 */
const MAX_DEPTH = 1000;

/**
 * The parser builds string literals piece by piece; V8 compares such a string with a record's
 * string ~5× slower than an internalized one (a filter `eventType == 'x'`: 20 M/s against
 * 100 M/s). A string used as a property key is internalized.
 */
function internalize(text: string): string {
  return Object.keys({ [text]: 0 })[0] ?? text;
}

export class Compilation {
  /** Top-level event fields the expression reads. */
  readonly fields = new Set<string>();
  /** Whether the expression reads `event`, the whole record. */
  wholeEvent = false;
  /** Whether the expression reads a binding (a stage's events, an aggregate, `key`, `window`). */
  readsBindings = false;
  private readonly scope = new Map<string, Slot>();
  private depth = 0;

  constructor(
    readonly site: ExpressionSite,
    private readonly bindingNames: ReadonlySet<string>,
  ) {}

  syntax(what: string, offset: number): ExpressionSyntaxError {
    return this.site.syntax(what, offset);
  }

  /** A function that throws an EvaluationError pointing at `offset`. */
  failAt(offset: number): Fail {
    const site = this.site;
    return (what: string): never => {
      throw site.evaluation(what, offset);
    };
  }

  /**
   * A thrower for an error whose message never changes (a missing field). Records that lack a
   * field fail on every evaluation; building the Error, even without a stack, costs about as much
   * again as throwing it (~2–3 µs each), so one instance per place is made on first use and reused.
   */
  failWith(what: string, offset: number): () => never {
    const site = this.site;
    let error: Error | undefined;
    return (): never => {
      throw (error ??= site.evaluation(what, offset));
    };
  }

  /** The source text of a node, for messages ("no such field 'metadata.price'"). */
  text(ast: ASTNode): string {
    return this.site.source.slice(ast.start, ast.end);
  }

  /** Compiles `body` with `name` bound to `slot` (a macro variable), shadowing fields and bindings. */
  withLocal<T>(name: string, slot: Slot, body: () => T): T {
    const outer = this.scope.get(name);
    this.scope.set(name, slot);
    try {
      return body();
    } finally {
      if (outer) this.scope.set(name, outer);
      else this.scope.delete(name);
    }
  }

  isFree(name: string): boolean {
    return !this.scope.has(name) && !this.bindingNames.has(name);
  }

  constant(value: unknown): Node {
    const frozen = typeof value === 'string' ? internalize(value) : deepFreeze(value);
    return { run: () => frozen, type: staticTypeOf(frozen), constant: { value: frozen } };
  }

  /**
   * A node computed from its children only. When every child is a constant it is evaluated once
   * now and becomes a constant; when that evaluation fails it stays a closure, so that the error
   * is raised per record and can still be absorbed (`false && 1 / 0 > 1` is false).
   */
  derived(run: Closure, type: StaticType, children: readonly Node[]): Node {
    if (children.every((child) => child.constant !== undefined)) {
      try {
        return this.constant(run(NO_EVENT, undefined));
      } catch {
        return { run, type };
      }
    }
    return { run, type };
  }

  node(ast: ASTNode): Node {
    if (this.depth >= MAX_DEPTH) {
      throw this.syntax(`the expression nests more than ${MAX_DEPTH} levels deep; split it into computed fields`, ast.start);
    }
    this.depth++;
    try {
      return this.nodeOf(ast);
    } finally {
      this.depth--;
    }
  }

  private nodeOf(ast: ASTNode): Node {
    switch (ast.op) {
      case 'value':
        return this.literal(ast.args, ast.start);
      case 'id':
        return this.identifier(ast.args, ast.start);
      case '.':
        return this.select(ast.args[0], ast.args[1], ast);
      case '[]':
        return this.index(ast.args[0], ast.args[1]);
      case 'list':
        return this.list(ast.args);
      case 'map':
        return this.map(ast.args);
      case 'call':
        return compileCall(this, ast.args[0], null, ast.args[1], ast.start);
      case 'rcall':
        // Messages point at the method's name, not at its receiver.
        return compileCall(this, ast.args[0], ast.args[1], ast.args[2], this.operatorOffset(ast.args[0], ast.args[1]));
      case '?:':
        return compileConditional(this, this.node(ast.args[0]), this.node(ast.args[1]), this.node(ast.args[2]), ast.start);
      case '&&':
      case '||':
        return compileLogical(this, ast.op, this.node(ast.args[0]), this.node(ast.args[1]), this.operatorOffset(ast.op, ast.args[0]));
      case '!_':
      case '-_':
        return compileUnary(this, ast.op, this.node(ast.args), ast.start);
      case '.?':
      case '[?]':
        throw this.syntax('optional selection is not supported; test presence with has(a.b)', ast.start);
      default:
        return compileBinary(this, ast.op, this.node(ast.args[0]), this.node(ast.args[1]), this.operatorOffset(ast.op, ast.args[0]));
    }
  }

  /** The column of an operator or method name after `left` (the parser reports the left operand's). */
  private operatorOffset(op: string, left: ASTNode): number {
    const at = this.site.source.indexOf(op, left.end);
    return at >= 0 ? at : left.start;
  }

  private literal(value: unknown, offset: number): Node {
    // Every number is a double: JSON has no integers, so 100 and 100.0 are the same value.
    if (typeof value === 'bigint') return this.constant(Number(value));
    if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') {
      return this.constant(value);
    }
    if (value instanceof Uint8Array) throw this.syntax('bytes literals are not supported; use a string', offset);
    // An unsigned literal such as 5u.
    if (typeof value === 'object' && value !== null && 'value' in value) return this.constant(Number((value as { value: bigint }).value));
    throw this.syntax(`unsupported literal ${String(value)}`, offset);
  }

  private identifier(name: string, offset: number): Node {
    const slot = this.scope.get(name);
    if (slot) return { run: () => slot.value, type: 'dyn' };
    if (this.bindingNames.has(name)) return this.binding(name, offset);
    if (name === 'event') {
      this.wholeEvent = true;
      return { run: (event) => event, type: 'map' };
    }
    return this.field(name, offset);
  }

  private binding(name: string, offset: number): Node {
    this.readsBindings = true;
    const fail = this.failAt(offset);
    const run: Closure = (_event, bindings) => {
      if (bindings === undefined) return fail(`'${name}' is not available here`);
      const value = bindings(name);
      return value === undefined ? fail(`'${name}' has no value here`) : value;
    };
    return { run, type: 'dyn' };
  }

  /** A top-level field of the event. Absent (undefined) is an error; JSON null is a value. */
  field(name: string, offset: number): Node {
    this.fields.add(name);
    const missing = this.failWith(`no such field '${name}'; test for it with has(${name})`, offset);
    if (INHERITED_KEYS.has(name)) {
      return { run: (event) => (Object.hasOwn(event, name) && event[name] !== undefined ? event[name] : missing()), type: 'dyn' };
    }
    const run: Closure = (event) => {
      const value = event[name];
      return value === undefined ? missing() : value;
    };
    return { run, type: 'dyn', field: name };
  }

  private select(objectAst: ASTNode, key: string, ast: ASTNode): Node {
    if (objectAst.op === 'id' && objectAst.args === 'event' && this.isFree('event')) {
      // `event.price` reads one top-level field: decode that field, not the whole record.
      return this.field(key, objectAst.start);
    }
    const object = this.node(objectAst);
    const fail = this.failAt(ast.pos);
    const path = this.text(ast);
    const inherited = INHERITED_KEYS.has(key);
    const absentKey = this.failWith(`no such field '${path}'; test for it with has(${path})`, ast.pos);
    const failure = (value: unknown): never =>
      isMap(value) ? absentKey() : fail(`cannot read '.${key}' of a ${typeName(value)} ('${this.text(objectAst)}')`);
    const of = object.run;
    const field = object.field;
    let run: Closure;
    if (inherited) {
      run = (event, bindings) => {
        const value = of(event, bindings);
        const result = isMap(value) ? ownValue(value, key) : undefined;
        return result === undefined ? failure(value) : result;
      };
    } else if (field !== undefined) {
      // `metadata.price`: one closure reads both levels.
      const missing = this.failWith(`no such field '${field}'; test for it with has(${field})`, objectAst.start);
      run = (event) => {
        const value = event[field];
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          const result = (value as Record<string, unknown>)[key];
          if (result !== undefined) return result;
        }
        return value === undefined ? missing() : failure(value);
      };
    } else {
      run = (event, bindings) => {
        const value = of(event, bindings);
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          const result = (value as Record<string, unknown>)[key];
          if (result !== undefined) return result;
        }
        return failure(value);
      };
    }
    return this.derived(run, 'dyn', [object]);
  }

  private index(objectAst: ASTNode, indexAst: ASTNode): Node {
    const object = this.node(objectAst);
    const index = this.node(indexAst);
    const fail = this.failAt(indexAst.start);
    const of = object.run;
    const at = index.run;
    const subject = this.text(objectAst);
    const run: Closure = (event, bindings) => {
      const value = of(event, bindings);
      const key = at(event, bindings);
      if (Array.isArray(value)) {
        if (typeof key !== 'number' || !Number.isInteger(key)) return fail(`a list index must be a whole number, got ${typeName(key)} ${JSON.stringify(key)}`);
        if (key < 0 || key >= value.length) return fail(`index ${key} is out of range for '${subject}' of size ${value.length}`);
        return value[key];
      }
      if (isMap(value)) {
        if (typeof key !== 'string') return fail(`a map key must be a string, got ${typeName(key)}`);
        const result = ownValue(value, key);
        return result === undefined ? fail(`no such key '${key}' in '${subject}'; test for it with '${key}' in ${subject}`) : result;
      }
      return fail(`cannot index a ${typeName(value)} ('${subject}')`);
    };
    return this.derived(run, 'dyn', [object, index]);
  }

  private list(items: readonly ASTNode[]): Node {
    const nodes = items.map((item) => this.node(item));
    const runs = nodes.map((node) => node.run);
    const run: Closure = (event, bindings) => {
      const out = new Array<unknown>(runs.length);
      for (let i = 0; i < runs.length; i++) out[i] = runs[i]!(event, bindings);
      return out;
    };
    return this.derived(run, 'list', nodes);
  }

  private map(entries: readonly (readonly [ASTNode, ASTNode])[]): Node {
    const keys = entries.map(([key]) => this.node(key));
    const values = entries.map(([, value]) => this.node(value));
    const seen = new Set<unknown>();
    keys.forEach((key, i) => {
      const offset = entries[i]![0].start;
      if (key.type !== 'string' && key.type !== 'dyn') throw this.syntax(`a map key must be a string (JSON objects have string keys), got ${key.type}`, offset);
      if (key.constant) {
        if (seen.has(key.constant.value)) throw this.syntax(`duplicate map key ${JSON.stringify(key.constant.value)}`, offset);
        seen.add(key.constant.value);
      }
    });
    const keyRuns = keys.map((key) => key.run);
    const valueRuns = values.map((value) => value.run);
    const fails = entries.map(([key]) => this.failAt(key.start));
    const run: Closure = (event, bindings) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keyRuns.length; i++) {
        const key = keyRuns[i]!(event, bindings);
        if (typeof key !== 'string') return fails[i]!(`a map key must be a string, got ${typeName(key)}`);
        if (Object.hasOwn(out, key)) return fails[i]!(`duplicate map key ${JSON.stringify(key)}`);
        putKey(out, key, valueRuns[i]!(event, bindings));
      }
      return out;
    };
    return this.derived(run, 'map', [...keys, ...values]);
  }
}
