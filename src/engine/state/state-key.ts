/**
 * One identity for a key value, usable as a JS Map key. Flink compares keys by their serialized
 * bytes; we compare primitives as they are (no allocation on the hot path: most keys are strings)
 * and everything else (array keys of several fields, objects) by its JSON text.
 */
export type KeyId = string | number | boolean | null | undefined | bigint;

// A NUL prefix keeps a JSON-encoded array key apart from a string key that happens to spell the
// same JSON; a string key that itself starts with NUL gets one more NUL in front, so that it cannot
// spell a list's identity either (JSON text never starts with NUL): the mapping is one to one.
const JSON_KEY_PREFIX = '\u0000';

export function keyIdOf(key: unknown): KeyId {
  if (typeof key === 'string') return key.charCodeAt(0) === 0 ? JSON_KEY_PREFIX + key : key;
  if (key === null || typeof key !== 'object') {
    // -0 and 0 are one key, as in JSON; NaN is its own key in a Map already.
    return typeof key === 'function' || typeof key === 'symbol' ? String(key) : (key as KeyId);
  }
  return JSON_KEY_PREFIX + JSON.stringify(key);
}

/**
 * The key value of an identity keyIdOf made: the identity itself for a scalar, the string after
 * the escaping NUL, the parsed JSON for a list or map. An identity that is neither (a NUL-led
 * string stored before strings were escaped) is taken as the string it is.
 */
export function keyOfId(id: KeyId): unknown {
  if (typeof id !== 'string' || id.charCodeAt(0) !== 0) return id;
  if (id.charCodeAt(1) === 0) return id.slice(1);
  try {
    return JSON.parse(id.slice(1));
  } catch {
    return id;
  }
}
