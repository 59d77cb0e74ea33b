/**
 * SnapshotWriter.value / SnapshotReader.value (accumulators in binary window state) against the
 * reference they stand for: the snapshot JSON round trip. On generated plain data with the values
 * JSON treats specially (±Infinity, NaN, −0, sets, bigints, undefined, Dates, `__proto__` keys),
 * reading back what was written gives exactly what fromSnapshotJson(toSnapshotJson(v)) gives.
 * toPlainSnapshotJson (window keys' JSON) against toSnapshotJson on the same data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SnapshotReader, SnapshotWriter } from '../../../src/engine/snapshot/binary.js';
import { fromSnapshotJson, toPlainSnapshotJson, toSnapshotJson } from '../../../src/engine/snapshot/snapshot-json.js';

const leaf = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Infinity, -Infinity, NaN, -0, 2 ** 52, -(2 ** 52) + 1, Number.MAX_SAFE_INTEGER + 2, 2 ** 60),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.string(),
  // Any UTF-16 (lone surrogates too: valid JSON text), long ones past the short-ASCII path.
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', minLength: 64, maxLength: 120 }),
  fc.constantFrom('ünïcødé ✓', 'x'.repeat(100), 'a\ud800b', '\udc00', '\ud83d\ude00\ud83d', '\ufffd'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('set')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 70 }), fc.constantFrom('n', 'sum', '__proto__', '1', 'toJSON', '\ud800', '\udc00')), tie('value'), { maxKeys: 5 }),
  set: fc.array(tie('value'), { maxLength: 4 }).map((items) => new Set(items)),
}));

test('value: reads back what the snapshot JSON round trip gives, for any plain data', () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 6 }), (values) => {
      const w = new SnapshotWriter({ sizeHint: 8 });
      for (const v of values) w.value(v);
      const r = new SnapshotReader(w.view(), []);
      // In an array, as accumulators are held: what JSON drops becomes null there.
      const read = values.map(() => r.value() ?? null);
      assert.ok(r.done);
      assert.deepEqual(read, fromSnapshotJson(toSnapshotJson(values)));
    }),
    { numRuns: 500 },
  );
});

test('toPlainSnapshotJson: the text toSnapshotJson gives, for any plain data', () => {
  fc.assert(
    fc.property(value, (v) => {
      const plain = toPlainSnapshotJson(v);
      // Not compared: an own `__proto__` key in an object the walk copies (a value in it tagged
      // or turned by toJSON), which the walk's copy loses (`copy.__proto__ = x` sets no key).
      fc.pre(plain === undefined || !plain.includes('"__proto__"'));
      assert.equal(plain, toSnapshotJson(v));
    }),
    { numRuns: 1000 },
  );
  for (const v of [[1, 'null'], { a: {} }, [Infinity], { s: new Set([1]) }, [10n], [new Date(0)], 'x{}']) assert.equal(toPlainSnapshotJson(v), toSnapshotJson(v), String(v));
});

test('toPlainSnapshotJson: with nothing to tag, JSON.stringify alone reads the data (no walk)', () => {
  let reads = 0;
  const counted = (n: number) => ({
    get n() {
      reads++;
      return n;
    },
  });
  assert.equal(toPlainSnapshotJson([['k1', 'k2'], [[counted(3)], [counted(4)]]]), '[["k1","k2"],[[{"n":3}],[{"n":4}]]]');
  assert.equal(reads, 2);
  // A value to tag: the walk runs after the first try (each getter read twice more: by the walk, then by JSON.stringify).
  reads = 0;
  assert.equal(toPlainSnapshotJson([[counted(1)], [-Infinity]]), '[[{"n":1}],[{"$n":"-Infinity"}]]');
  assert.equal(reads, 3);
});

test('value: an object key repeated across accumulators is written once', () => {
  const w = new SnapshotWriter();
  for (let n = 0; n < 100; n++) w.value({ sum: n, error: 0, n });
  // Per accumulator: tag, key count, three symbol indexes, three tagged small integers.
  assert.ok(w.length < 100 * 12, `${w.length} bytes`);
});

test('value: a damaged tag is an error, not a wrong value', () => {
  assert.throws(() => new SnapshotReader(Uint8Array.of(42), []).value(), /unknown type 42/);
  assert.throws(() => new SnapshotReader(Uint8Array.of(7, 1), []).value(), /ends early/);
});

test('str: a lone surrogate survives (WTF-8), valid UTF-8 stays UTF-8, and bytes that are neither are an error', () => {
  const strings = ['a\ud800b', '\udc00', '\ud800\udc00', 'x\ud83d', 'é\udfff'.repeat(20), '\ufffd', 'plain'];
  const w = new SnapshotWriter();
  for (const s of strings) w.str(s);
  const r = new SnapshotReader(w.view(), []);
  assert.deepEqual(strings.map(() => r.str()), strings);
  assert.ok(r.done);
  // A well-formed string is written as TextEncoder writes it (old checkpoints read the same).
  const plain = new SnapshotWriter();
  plain.str('ünïcødé'.repeat(10));
  assert.deepEqual([...plain.view().subarray(1)], [...new TextEncoder().encode('ünïcødé'.repeat(10))]);
  assert.throws(() => new SnapshotReader(Uint8Array.of(2, 0xff, 0x41), []).str(), /neither UTF-8 nor WTF-8/);
});

test('str: a well-formed string is encoded in place, with the bytes TextEncoder.encode gives, its buffer grown as needed', () => {
  // Byte counts at the varint's edges (127/128, 16,383/16,384), ASCII and not, growing from a small buffer mid-string.
  const texts = ['x'.repeat(64), 'y'.repeat(127), 'z'.repeat(128), 'é'.repeat(64), '✓'.repeat(5461), 'q'.repeat(16_383), 'r'.repeat(16_384), 'ünïcødé ✓ 😀'.repeat(700), 'a'.repeat(100) + '😀'.repeat(3000)];
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...texts), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 })), { maxLength: 8 }), fc.nat(40), fc.boolean(), (strings, hint, shared) => {
      // A shared writer (a pattern copy's key heads) writes into a SharedArrayBuffer.
      const w = new SnapshotWriter({ sizeHint: hint, shared });
      const encode = TextEncoder.prototype.encode;
      let encoded = 0;
      TextEncoder.prototype.encode = function (this: InstanceType<typeof TextEncoder>, input?: string) {
        encoded++;
        return encode.call(this, input);
      };
      try {
        for (const s of strings) w.str(s);
      } finally {
        TextEncoder.prototype.encode = encode;
      }
      // No buffer made per string: the fast path ran.
      assert.equal(encoded, 0);
      const reference = new SnapshotWriter();
      const bytes: number[] = [];
      for (const s of strings) {
        const text = new TextEncoder().encode(s);
        reference.reset();
        reference.uint(text.length);
        bytes.push(...reference.view(), ...text);
      }
      // Short ASCII strings go byte by byte (str), with the same bytes.
      assert.deepEqual([...w.view()], bytes);
      const r = new SnapshotReader(w.view(), []);
      assert.deepEqual(strings.map(() => r.str()), strings);
      assert.ok(r.done);
    }),
  );
});

test('uints: writes each number as uint does, from a typed array or a list, and refuses what uint refuses', () => {
  const edges = [0, 1, 127, 128, 16_383, 16_384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER];
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...edges), fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), { maxLength: 300 }), fc.nat(5), (numbers, skip) => {
      const from = Math.min(skip, numbers.length);
      const one = new SnapshotWriter({ sizeHint: 16 });
      for (let i = from; i < numbers.length; i++) one.uint(numbers[i]!);
      for (const values of [numbers, Float64Array.from(numbers)]) {
        // A small buffer first: uints makes room for all its numbers at once.
        const all = new SnapshotWriter({ sizeHint: 16 });
        all.uints(values, from, numbers.length);
        assert.deepEqual(all.view(), one.view());
        const r = new SnapshotReader(all.view(), []);
        for (let i = from; i < numbers.length; i++) assert.equal(r.uint(), numbers[i]);
        assert.ok(r.done);
      }
    }),
  );
  for (const bad of [-1, 0.5, NaN, 2 ** 53 + 2]) assert.throws(() => new SnapshotWriter().uints([3, bad], 0, 2), /is not an unsigned integer/);
});
