/**
 * Operators. The common shapes get their own closures so that a filter such as
 * `eventType == 'content.watched' && price > 100` runs as three closures that read the two fields
 * inline, allocate nothing and call nothing else on the happy path. A shared closure body that
 * calls its operands would see many different operand closures over a pipeline's expressions
 * (a megamorphic call site), which V8 cannot inline.
 *
 * Numbers are JavaScript doubles, so `/` is floating-point division: `7 / 2` is 3.5, where CEL's
 * int division gives 3 (JSON has no ints to tell the cases apart). Results that are not finite
 * (division by zero, overflow) are evaluation errors: JSON output cannot carry Infinity or NaN.
 */
import type { Compilation } from './compile.js';
import { EvaluationError } from './errors.js';
import type { Closure, Fail, Node, StaticType } from './node.js';
import { deepEqual, isMap, order, ownValue, typeName } from './values.js';

type Ordering = '<' | '<=' | '>' | '>=';

export function compileBinary(c: Compilation, op: string, left: Node, right: Node, offset: number): Node {
  const mismatch = staticMismatch(op, left.type, right.type);
  if (mismatch) throw c.syntax(`no such overload: ${left.type} ${op} ${right.type}${mismatch}`, offset);
  const fail = c.failAt(offset);
  switch (op) {
    case '==':
      return c.derived(equality(left, right, false), 'bool', [left, right]);
    case '!=':
      return c.derived(equality(left, right, true), 'bool', [left, right]);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return c.derived(ordering(op, left, right, fail), 'bool', [left, right]);
    case '+':
      return c.derived(plus(left.run, right.run, fail), sumType(left.type, right.type), [left, right]);
    case '-':
    case '*':
    case '/':
    case '%':
      return c.derived(arithmetic(op, left.run, right.run, fail), 'number', [left, right]);
    case 'in':
      return c.derived(membership(left, right, fail), 'bool', [left, right]);
    default:
      throw c.syntax(`unsupported operator ${op}`, offset);
  }
}

/** A reason to reject the operand types at compile time, or '' when they may work. */
function staticMismatch(op: string, a: StaticType, b: StaticType): string {
  const known = (t: StaticType, allowed: readonly StaticType[]) => t === 'dyn' || allowed.includes(t);
  switch (op) {
    case '-':
    case '*':
    case '/':
    case '%':
      return known(a, ['number']) && known(b, ['number']) ? '' : '; arithmetic needs numbers';
    case '+':
      if (!known(a, ['number', 'string', 'list']) || !known(b, ['number', 'string', 'list'])) return '; + adds numbers or joins strings or lists';
      return a !== 'dyn' && b !== 'dyn' && a !== b ? `; convert one side, e.g. string(x)` : '';
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (!known(a, ['number', 'string', 'bool']) || !known(b, ['number', 'string', 'bool'])) return '; only numbers, strings and bools are ordered';
      return a !== 'dyn' && b !== 'dyn' && a !== b ? '; compare values of the same type' : '';
    case 'in':
      return known(b, ['list', 'map']) ? '' : '; the right side of in must be a list or a map';
    default:
      return '';
  }
}

function sumType(a: StaticType, b: StaticType): StaticType {
  if (a === b) return a;
  if (a === 'dyn') return b;
  return b === 'dyn' ? a : 'dyn';
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** `==` and `!=`. Against a scalar literal, `===` is CEL equality: other types are simply unequal. */
function equality(left: Node, right: Node, negate: boolean): Closure {
  const literalRight = right.constant !== undefined && isPrimitive(right.constant.value);
  const literalLeft = !literalRight && left.constant !== undefined && isPrimitive(left.constant.value);
  if (literalRight || literalLeft) {
    const other = literalRight ? left : right;
    const literal = (literalRight ? right : left).constant!.value;
    const of = other.run;
    const name = other.field;
    if (name !== undefined) {
      // A missing field falls back to the field's own closure, which throws the error.
      return negate
        ? (event, bindings) => {
            const value = event[name];
            return value === undefined ? of(event, bindings) : value !== literal;
          }
        : (event, bindings) => {
            const value = event[name];
            return value === undefined ? of(event, bindings) : value === literal;
          };
    }
    return negate ? (event, bindings) => of(event, bindings) !== literal : (event, bindings) => of(event, bindings) === literal;
  }
  const l = left.run;
  const r = right.run;
  return negate
    ? (event, bindings) => !deepEqual(l(event, bindings), r(event, bindings))
    : (event, bindings) => deepEqual(l(event, bindings), r(event, bindings));
}

const FLIPPED: Record<Ordering, Ordering> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function ordering(op: Ordering, left: Node, right: Node, fail: Fail): Closure {
  const slow = (x: unknown, y: unknown): boolean => {
    const o = order(x, y);
    if (o !== o) return fail(`no such overload: ${typeName(x)} ${op} ${typeName(y)}`);
    return op === '<' ? o < 0 : op === '<=' ? o <= 0 : op === '>' ? o > 0 : o >= 0;
  };
  if (right.constant !== undefined && typeof right.constant.value === 'number') {
    return orderedAgainst(op, left, right.constant.value, slow);
  }
  if (left.constant !== undefined && typeof left.constant.value === 'number') {
    const k = left.constant.value;
    return orderedAgainst(FLIPPED[op], right, k, (x, y) => slow(y, x));
  }
  const l = left.run;
  const r = right.run;
  switch (op) {
    case '<':
      return (event, bindings) => {
        const x = l(event, bindings);
        const y = r(event, bindings);
        return typeof x === 'number' && typeof y === 'number' ? x < y : slow(x, y);
      };
    case '<=':
      return (event, bindings) => {
        const x = l(event, bindings);
        const y = r(event, bindings);
        return typeof x === 'number' && typeof y === 'number' ? x <= y : slow(x, y);
      };
    case '>':
      return (event, bindings) => {
        const x = l(event, bindings);
        const y = r(event, bindings);
        return typeof x === 'number' && typeof y === 'number' ? x > y : slow(x, y);
      };
    case '>=':
      return (event, bindings) => {
        const x = l(event, bindings);
        const y = r(event, bindings);
        return typeof x === 'number' && typeof y === 'number' ? x >= y : slow(x, y);
      };
  }
}

/** `x op k` with a number literal k; a top-level field x is read inline. */
function orderedAgainst(op: Ordering, node: Node, k: number, slow: (x: unknown, y: unknown) => boolean): Closure {
  const name = node.field;
  const of = node.run;
  if (name !== undefined) {
    const off = (event: Record<string, unknown>, bindings: Parameters<Closure>[1], value: unknown) =>
      value === undefined ? (of(event, bindings) as never) : slow(value, k);
    switch (op) {
      case '<':
        return (event, bindings) => {
          const x = event[name];
          return typeof x === 'number' ? x < k : off(event, bindings, x);
        };
      case '<=':
        return (event, bindings) => {
          const x = event[name];
          return typeof x === 'number' ? x <= k : off(event, bindings, x);
        };
      case '>':
        return (event, bindings) => {
          const x = event[name];
          return typeof x === 'number' ? x > k : off(event, bindings, x);
        };
      case '>=':
        return (event, bindings) => {
          const x = event[name];
          return typeof x === 'number' ? x >= k : off(event, bindings, x);
        };
    }
  }
  switch (op) {
    case '<':
      return (event, bindings) => {
        const x = of(event, bindings);
        return typeof x === 'number' ? x < k : slow(x, k);
      };
    case '<=':
      return (event, bindings) => {
        const x = of(event, bindings);
        return typeof x === 'number' ? x <= k : slow(x, k);
      };
    case '>':
      return (event, bindings) => {
        const x = of(event, bindings);
        return typeof x === 'number' ? x > k : slow(x, k);
      };
    case '>=':
      return (event, bindings) => {
        const x = of(event, bindings);
        return typeof x === 'number' ? x >= k : slow(x, k);
      };
  }
}

function plus(l: Closure, r: Closure, fail: Fail): Closure {
  const join = (x: unknown, y: unknown): unknown => {
    if (typeof x === 'string' && typeof y === 'string') return x + y;
    if (Array.isArray(x) && Array.isArray(y)) return x.concat(y);
    return fail(`no such overload: ${typeName(x)} + ${typeName(y)}${typeof x === 'string' || typeof y === 'string' ? '; convert with string(x)' : ''}`);
  };
  return (event, bindings) => {
    const x = l(event, bindings);
    const y = r(event, bindings);
    if (typeof x === 'number' && typeof y === 'number') {
      const sum = x + y;
      return Number.isFinite(sum) ? sum : fail(`${x} + ${y} overflows`);
    }
    return join(x, y);
  };
}

function arithmetic(op: '-' | '*' | '/' | '%', l: Closure, r: Closure, fail: Fail): Closure {
  const bad = (x: unknown, y: unknown): never => fail(`no such overload: ${typeName(x)} ${op} ${typeName(y)}`);
  switch (op) {
    case '-':
      return (event, bindings) => {
        const x = l(event, bindings);
        const y = r(event, bindings);
        if (typeof x !== 'number' || typeof y !== 'number') return bad(x, y);
        const result = x - y;
        return Number.isFinite(result) ? result : fail(`${x} - ${y} overflows`);
      };
    case '*':
      return (event, bindings) => {
        const x = l(event, bindings);
        const y = r(event, bindings);
        if (typeof x !== 'number' || typeof y !== 'number') return bad(x, y);
        const result = x * y;
        return Number.isFinite(result) ? result : fail(`${x} * ${y} overflows`);
      };
    case '/':
      return (event, bindings) => {
        const x = l(event, bindings);
        const y = r(event, bindings);
        if (typeof x !== 'number' || typeof y !== 'number') return bad(x, y);
        if (y === 0) return fail(`division by zero (${x} / 0)`);
        const result = x / y;
        return Number.isFinite(result) ? result : fail(`${x} / ${y} overflows`);
      };
    case '%':
      return (event, bindings) => {
        const x = l(event, bindings);
        const y = r(event, bindings);
        if (typeof x !== 'number' || typeof y !== 'number') return bad(x, y);
        if (y === 0) return fail(`modulus by zero (${x} % 0)`);
        return x % y;
      };
  }
}

/** `x in list` (deep equality) and `key in map` (presence of a string key). */
function membership(left: Node, right: Node, fail: Fail): Closure {
  const l = left.run;
  const literal = right.constant?.value;
  if (Array.isArray(literal) && literal.every(isPrimitive)) {
    // `action in ['view', 'click']`: a Set lookup; lists and maps are never equal to a scalar.
    const members = new Set<unknown>(literal);
    const name = left.field;
    if (name !== undefined) {
      return (event, bindings) => {
        const value = event[name];
        return value === undefined ? (l(event, bindings) as never) : members.has(value);
      };
    }
    return (event, bindings) => members.has(l(event, bindings));
  }
  const r = right.run;
  return (event, bindings) => {
    const x = l(event, bindings);
    const y = r(event, bindings);
    if (Array.isArray(y)) {
      for (let i = 0; i < y.length; i++) if (deepEqual(x, y[i])) return true;
      return false;
    }
    if (isMap(y)) return typeof x === 'string' && ownValue(y, x) !== undefined;
    return fail(`no such overload: ${typeName(x)} in ${typeName(y)}; the right side of in must be a list or a map`);
  };
}

/**
 * `&&` and `||` with CEL's error absorption: the result is decided by whichever side decides it,
 * even when the other side fails (`false && <error>` is false, `true || <error>` is true); when
 * neither side decides, the first error propagates. The try/catch guards only the left operand.
 */
export function compileLogical(c: Compilation, op: '&&' | '||', left: Node, right: Node, offset: number): Node {
  const decisive = op === '||';
  const fail = c.failAt(offset);
  for (const side of [left, right]) {
    if (side.type !== 'bool' && side.type !== 'dyn') throw c.syntax(`${op} needs bools, got ${side.type}`, offset);
    if (side.constant?.value === decisive) return c.constant(decisive);
  }
  if (left.constant !== undefined) return checkedBool(c, right, op, fail);
  if (right.constant !== undefined) return checkedBool(c, left, op, fail);
  const l = left.run;
  const r = right.run;
  const notBool = (x: unknown) => c.site.evaluation(`${op} needs bools, got ${typeName(x)}`, offset);
  const absorb = (error: unknown, event: Parameters<Closure>[0], bindings: Parameters<Closure>[1]): boolean => {
    if (!(error instanceof EvaluationError)) throw error;
    let y: unknown;
    try {
      y = r(event, bindings);
    } catch {
      throw error;
    }
    if (y === decisive) return decisive;
    throw error;
  };
  const run: Closure = decisive
    ? (event, bindings) => {
        let x: unknown;
        try {
          x = l(event, bindings);
        } catch (error) {
          return absorb(error, event, bindings);
        }
        if (x === true) return true;
        if (x !== false) return absorb(notBool(x), event, bindings);
        const y = r(event, bindings);
        return typeof y === 'boolean' ? y : fail(`${op} needs bools, got ${typeName(y)}`);
      }
    : (event, bindings) => {
        let x: unknown;
        try {
          x = l(event, bindings);
        } catch (error) {
          return absorb(error, event, bindings);
        }
        if (x === false) return false;
        if (x !== true) return absorb(notBool(x), event, bindings);
        const y = r(event, bindings);
        return typeof y === 'boolean' ? y : fail(`${op} needs bools, got ${typeName(y)}`);
      };
  return { run, type: 'bool' };
}

/** `true && x` is x, provided x is a bool. */
function checkedBool(c: Compilation, node: Node, op: string, fail: Fail): Node {
  if (node.type === 'bool') return node;
  const of = node.run;
  return c.derived(
    (event, bindings) => {
      const x = of(event, bindings);
      return typeof x === 'boolean' ? x : fail(`${op} needs bools, got ${typeName(x)}`);
    },
    'bool',
    [node],
  );
}

export function compileConditional(c: Compilation, condition: Node, then: Node, otherwise: Node, offset: number): Node {
  if (condition.type !== 'bool' && condition.type !== 'dyn') throw c.syntax(`the condition of ?: must be a bool, got ${condition.type}`, offset);
  if (condition.constant !== undefined) return condition.constant.value ? then : otherwise;
  const fail = c.failAt(offset);
  const test = condition.run;
  const a = then.run;
  const b = otherwise.run;
  const run: Closure = (event, bindings) => {
    const x = test(event, bindings);
    return x === true ? a(event, bindings) : x === false ? b(event, bindings) : fail(`the condition of ?: must be a bool, got ${typeName(x)}`);
  };
  return { run, type: then.type === otherwise.type ? then.type : 'dyn' };
}

export function compileUnary(c: Compilation, op: '!_' | '-_', operand: Node, offset: number): Node {
  const fail = c.failAt(offset);
  const of = operand.run;
  if (op === '!_') {
    if (operand.type !== 'bool' && operand.type !== 'dyn') throw c.syntax(`no such overload: !${operand.type}; ! negates a bool`, offset);
    return c.derived(
      (event, bindings) => {
        const x = of(event, bindings);
        return typeof x === 'boolean' ? !x : fail(`no such overload: !${typeName(x)}`);
      },
      'bool',
      [operand],
    );
  }
  if (operand.type !== 'number' && operand.type !== 'dyn') throw c.syntax(`no such overload: -${operand.type}; - negates a number`, offset);
  return c.derived(
    (event, bindings) => {
      const x = of(event, bindings);
      return typeof x === 'number' ? -x : fail(`no such overload: -${typeName(x)}`);
    },
    'number',
    [operand],
  );
}
