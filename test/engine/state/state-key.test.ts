/**
 * keyIdOf: one identity per key value, shared by the window and pattern operators and the state
 * backends. Equal keys share an identity; different keys never do, a string key starting with NUL
 * included (a list key's identity is its JSON text after a NUL).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyIdOf, keyOfId } from '../../../src/engine/state/state-key.js';

test('keyIdOf: strings, numbers, booleans and null are their own identity', () => {
  for (const key of ['u1', '', '[1]', 42, true, null]) assert.equal(keyIdOf(key), key);
  // -0 and 0 are one key, as in JSON.
  assert.ok(Object.is(new Map([[keyIdOf(0), 1]]).get(keyIdOf(-0)), 1));
});

test('keyIdOf: lists and maps by their JSON text, equal values equal identities', () => {
  assert.equal(keyIdOf(['u1', 'tv']), keyIdOf(['u1', 'tv']));
  assert.notEqual(keyIdOf(['u1', 'tv']), keyIdOf('["u1","tv"]'));
  assert.notEqual(keyIdOf({ a: 1 }), keyIdOf('{"a":1}'));
});

test('keyIdOf: a string starting with NUL never takes a list key\'s identity, nor another string\'s', () => {
  const keys: unknown[] = [[1], '\u0000[1]', '\u0000\u0000[1]', '[1]', { a: 1 }, '\u0000{"a":1}', '\u0000', '\u0000\u0000'];
  const ids = keys.map(keyIdOf);
  assert.equal(new Set(ids).size, keys.length, `identities: ${JSON.stringify(ids)}`);
  // The same string always gets the same identity.
  assert.equal(keyIdOf('\u0000[1]'), keyIdOf(String.fromCharCode(0) + '[1]'));
});

test('keyOfId inverts keyIdOf, for every kind of key', () => {
  const keys: unknown[] = ['u1', '', '\u0000', '\u0000\u0000', '\u0000[1]', '\u0000x', [1], ['u1', 2], { a: [1, 'b'] }, 7, -1.5, true, false, null];
  for (const key of keys) assert.deepEqual(keyOfId(keyIdOf(key)), key, JSON.stringify(key));
  // An identity stored before NUL-led strings were escaped reads back as the string it is.
  assert.equal(keyOfId('\u0000x'), '\u0000x');
});
