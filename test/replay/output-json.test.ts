// Differential test: OutputJson's text must be JSON.stringify's, byte for byte, for every output
// record; window results in the spec's shape take the fast path (checked by a spy on
// JSON.stringify's record calls), anything else falls back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OutputJson } from '../../src/replay/output-json.js';
import type { OutputRecord } from '../../src/engine/operator.js';

const window = (over: Record<string, unknown> = {}) =>
  ({ step: 'views', kind: 'window', key: 'c17', start: 1767225600000, end: 1767225660000, firing: 'onTime', fields: { events: 3 }, ...over }) as unknown as OutputRecord;

/** Whether json.text(record) went to JSON.stringify with the whole record. */
function textAndPath(json: OutputJson, record: OutputRecord): { text: string; fast: boolean } {
  const original = JSON.stringify;
  let fast = true;
  JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
    if (value === record) fast = false;
    return (original as (...args: unknown[]) => string)(value, ...rest);
  }) as typeof JSON.stringify;
  try {
    return { text: json.text(record), fast };
  } finally {
    JSON.stringify = original;
  }
}

const cases: Array<[name: string, record: OutputRecord, fast: boolean]> = [
  ['window result', window(), true],
  ['late firing', window({ firing: 'late' }), true],
  ['number key', window({ key: 42 }), true],
  ['negative zero key', window({ key: -0 }), true],
  ['null, boolean keys', window({ key: null, fields: { a: true, b: false } }), true],
  ['key with quotes, escapes and non-ASCII', window({ key: 'a"b\\c\n\u0001é😀\ud800' }), true],
  ['step name needing escapes', window({ step: 'st"ep\t' }), true],
  ['no fields', window({ fields: {} }), true],
  ['many fields, integer-like names first as JSON.stringify orders them', window({ fields: { b: 1, 2: 'x', a: null, 1: 0.1 } }), true],
  ['field names needing escapes', window({ fields: { 'a"b': 1, '\u2028': 2, __proto__x: 3 } }), true],
  ['non-finite field values become null', window({ fields: { a: NaN, b: Infinity, c: -Infinity } }), true],
  ['non-finite start and end', window({ start: -Infinity, end: Infinity }), true],
  ['doubles', window({ fields: { avg: 0.30000000000000004, tiny: 5e-324, big: 1.7976931348623157e308, e: 1e21 } }), true],
  ['object field value', window({ fields: { p: [1, 2], q: { x: 1 } } }), false],
  ['undefined field value is omitted', window({ fields: { a: undefined, b: 1 } }), false],
  ['undefined key is omitted', window({ key: undefined }), false],
  ['composite key', window({ key: ['a', 1] }), false],
  ['fields in another order', { kind: 'window', step: 'views', key: 'k', start: 0, end: 1, firing: 'onTime', fields: {} } as unknown as OutputRecord, false],
  ['an extra property', window({ extra: 1 }), false],
  ['a toJSON field value', window({ fields: { a: { toJSON: () => 'x' } } }), false],
  ['a toJSON on fields', window({ fields: { a: 1, toJSON: () => ({ b: 2 }) } }), false],
  ['fields with a null prototype', window({ fields: Object.assign(Object.create(null), { a: 1 }) }), false],
  ['match result', { step: 'm', kind: 'match', key: 'k', start: 1, end: 2, events: { a: [{ x: 1 }] }, fields: {} } as OutputRecord, false],
  ['late record', { step: 'w', kind: 'late', key: 'k', event: { a: 1 } } as OutputRecord, false],
  ['process result', { step: 'p', kind: 'result', key: 'k', time: 5, fields: { n: 1 } } as OutputRecord, false],
];

test('OutputJson writes what JSON.stringify writes', () => {
  for (const [name, record, fast] of cases) {
    const json = new OutputJson();
    // Twice: the second call goes through the one-entry caches of step, start and end.
    for (let round = 0; round < 2; round++) {
      const got = textAndPath(json, record);
      assert.equal(got.text, JSON.stringify(record), name);
      assert.equal(got.fast, fast, `${name}: ${fast ? 'fast path expected' : 'JSON.stringify expected'}`);
    }
  }
});

test('OutputJson caches do not leak between consecutive records', () => {
  const json = new OutputJson();
  const records = [
    window(),
    window({ start: 0, end: 60000 }),
    window({ start: -0, end: 60000 }),
    window({ step: 'other' }),
    window({ end: 1767225660001 }),
    window({ firing: 'late' }),
    window({ fields: { events: 1, sum: 2 } }),
    window({ fields: { sum: 2, events: 1 } }),
    window({ fields: {} }),
    window(),
  ];
  for (const record of records) assert.equal(json.text(record), JSON.stringify(record));
});

test('OutputJson equals JSON.stringify on generated window results', () => {
  const scalar = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
  const anything = fc.oneof(scalar, fc.constant(undefined), fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string(), scalar, { maxKeys: 2 }));
  const record = fc.record({
    step: fc.string({ unit: 'binary' }),
    kind: fc.constant('window'),
    key: anything,
    start: fc.oneof(fc.integer({ min: -1e15, max: 1e15 }), fc.double()),
    end: fc.oneof(fc.integer({ min: -1e15, max: 1e15 }), fc.double()),
    firing: fc.constantFrom('onTime', 'late'),
    fields: fc.dictionary(fc.string({ unit: 'binary' }), fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: anything }), { maxKeys: 4 }),
  });
  const json = new OutputJson();
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 5 }), (records) => {
      for (const r of records) assert.equal(json.text(r as unknown as OutputRecord), JSON.stringify(r));
    }),
    { numRuns: 200 },
  );
});
