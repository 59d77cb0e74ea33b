/**
 * The values an expression works on are JSON's: null, booleans, numbers (all doubles, as JSON
 * gives them), strings, lists (arrays) and maps (plain objects with string keys).
 */

/** A value's type as messages name it: null, bool, number, string, list or map (CEL's int and double are both number). */
export function typeName(value: unknown): string {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'list' : 'map';
    default:
      return typeof value;
  }
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Names every plain object inherits (`constructor`, `toString`, `__proto__`, ...). A key read as
 * `obj[key]` would find these on the prototype, so for them presence is tested with Object.hasOwn;
 * every other key takes the fast `obj[key] !== undefined` path.
 */
export const INHERITED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The value of an own key of a map, or undefined when the map has no such key. */
export function ownValue(map: Readonly<Record<string, unknown>>, key: string): unknown {
  if (INHERITED_KEYS.has(key)) return Object.hasOwn(map, key) ? map[key] : undefined;
  return map[key];
}

/** Stores a key in a map literal without `__proto__` changing the prototype. */
export function putKey(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** CEL equality: deep on lists and maps; values of different types are unequal, never an error. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aList = Array.isArray(a);
  if (aList !== Array.isArray(b)) return false;
  if (aList) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(y, key) || !deepEqual(x[key], y[key])) return false;
  }
  return true;
}

/**
 * Ordering for `<`, `<=`, `>`, `>=`: numbers, strings (by UTF-16 code unit, as JavaScript
 * compares them) and booleans (false < true). Returns NaN when the two values have no ordering,
 * which the caller reports as "no such overload".
 */
export function order(a: unknown, b: unknown): number {
  const t = typeof a;
  if (t !== typeof b) return NaN;
  if (t === 'number' || t === 'string') return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (t === 'boolean') return Number(a) - Number(b);
  return NaN;
}

/** Number of Unicode code points, as CEL's size() counts a string (not UTF-16 units). */
export function codePointLength(text: string): number {
  let size = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        size--;
        i++;
      }
    }
  }
  return size;
}

/** Freezes a folded constant list or map so that no caller can change it for the next record. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
