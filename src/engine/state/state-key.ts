/**
 * One identity for a key value, usable as a JS Map key. Flink compares keys by their serialized
 * bytes; we compare primitives as they are (no allocation on the hot path: most keys are strings)
 * and everything else (array keys of several fields, objects) by its JSON text.
 */
export type KeyId = string | number | boolean | null | undefined | bigint;

// A NUL prefix keeps a JSON-encoded array key apart from a string key that happens to spell the
// same JSON; user strings starting with NUL are the one (documented) collision.
const JSON_KEY_PREFIX = '\u0000';

export function keyIdOf(key: unknown): KeyId {
  if (key === null || typeof key !== 'object') {
    // -0 and 0 are one key, as in JSON; NaN is its own key in a Map already.
    return typeof key === 'function' || typeof key === 'symbol' ? String(key) : (key as KeyId);
  }
  return JSON_KEY_PREFIX + JSON.stringify(key);
}
