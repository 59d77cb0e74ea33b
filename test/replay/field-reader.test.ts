// Differential test: the byte-level field reader against JSON.parse, the reference it must equal
// on every line (issue 2, "Tests"). Each check also asserts that the byte path really ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createFieldReader, createRowReader, kindOf, OBJECT } from '../../src/replay/field-reader.js';
import { random } from '../seeded-random.js';

/** What the reader must return: JSON.parse of the line's UTF-8, projected to `fields`. */
function reference(bytes: Buffer, fields: readonly string[]): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return project(value, fields);
}

function project(value: object, fields: readonly string[]): Record<string, unknown> {
  const projected: Record<string, unknown> = {};
  for (const name of fields) {
    if (Object.hasOwn(value, name)) {
      Object.defineProperty(projected, name, { value: (value as Record<string, unknown>)[name], enumerable: true, writable: true, configurable: true });
    }
  }
  return projected;
}

/** Reads `bytes` placed inside a larger block, so that the reader must respect start/end. */
function readInBlock(fields: readonly string[] | 'all', bytes: Buffer) {
  const reader = createFieldReader(fields);
  // Digits and a quote around the line would extend a number or a string that overran `end`.
  const block = Buffer.concat([Buffer.from('9"{\n'), bytes, Buffer.from('7"}\n')]);
  const result = reader.read(block, 4, 4 + bytes.length);
  return { result, counts: reader.counts };
}

const F = ['a', 'b', 'c'];

const valid: Array<[name: string, line: string, fields: readonly string[]]> = [
  ['plain scalars', '{"a":1,"b":"x","c":true}', F],
  ['absent fields stay absent', '{"z":1}', F],
  ['empty object', '{}', F],
  ['empty object with whitespace', ' \t{ \r\n } \r', F],
  ['empty string and empty key', '{"":1,"a":""}', ['', 'a']],
  ['whitespace everywhere', ' \t\r\n{ \t"a" \n:\r 1 , "b"\t:\t[ 1 , { "x" : null } ] ,"c":{ } }\t\r\n ', F],
  ['null false true', '{"a":null,"b":false,"c":true}', F],
  ['zero', '{"a":0}', F],
  ['negative zero', '{"a":-0}', F],
  ['negative zero fraction', '{"a":-0.0,"b":-0e5}', F],
  ['exponent', '{"a":1e5,"b":1E-5,"c":1.5e+300}', F],
  ['exponent forms', '{"a":2E+2,"b":-3e-0,"c":0e0}', F],
  ['big integer', '{"a":123456789012345678901234567890}', F],
  ['integer above 2^53', '{"a":9007199254740993,"b":-9007199254740993}', F],
  ['fifteen and sixteen digits', '{"a":999999999999999,"b":9999999999999999,"c":123456789012.345}', F],
  ['fractions', '{"a":0.1,"b":0.3,"c":-123.456}', F],
  ['tiny and huge', '{"a":5e-324,"b":1.7976931348623157e308,"c":2e-400}', F],
  ['overflow to infinity', '{"a":1e400,"b":-1e400}', F],
  ['exponent with leading zeros', '{"a":1e0000005,"b":1.5e-0000000300}', F],
  ['many fraction digits', '{"a":0.30000000000000004,"b":3.141592653589793238462643383279}', F],
  ['epoch milliseconds', '{"a":1767225600000,"b":-1767225600000}', F],
  ['unicode escape', '{"a":"caf\\u00e9","b":"\\u00E9"}', F],
  ['surrogate pair', '{"a":"\\ud83d\\ude00","b":"x\\uD83D\\uDE00y"}', F],
  ['lone surrogates are kept', '{"a":"\\ud800","b":"\\udc00x"}', F],
  ['escaped NUL', '{"a":"\\u0000","b":"a\\u0000b"}', F],
  ['short escapes', '{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t"}', F],
  ['raw UTF-8', '{"a":"café ☕ 😀","b":"日本語"}', F],
  ['raw DEL and U+2028', '{"a":"\x7f","b":"\u2028\u2029"}', F],
  ['escaped key', '{"\\u0061":1,"\\u0062":"\\u0062"}', F],
  ['non-ASCII key', '{"é":1,"a":2}', ['é', 'a']],
  ['escaped non-ASCII key', '{"\\u00e9":1}', ['é']],
  ['key with a quote', '{"a\\"b":1}', ['a"b']],
  ['nested object and array', '{"a":{"x":[1,{"y":"\\u00e9"}],"z":{}},"b":[[],[[]],{}],"c":[1,"2",null]}', F],
  ['nested proto key', '{"a":{"__proto__":{"x":1}}}', F],
  ['top-level proto key', '{"__proto__":5,"a":1}', ['__proto__', 'a']],
  ['duplicate keys: last wins', '{"a":1,"b":2,"a":3}', F],
  ['duplicate keys with every wanted field present', '{"a":1,"b":2,"c":3,"a":4,"b":{}}', F],
  ['duplicate wanted nested', '{"a":{"x":1},"a":[2]}', F],
  ['long string not interned', `{"a":"${'x'.repeat(100)}","b":"${'y'.repeat(32)}","c":"${'z'.repeat(33)}"}`, F],
  ['long key', `{"${'k'.repeat(200)}":1,"a":2}`, ['a', 'k'.repeat(200)]],
  ['prototype names are plain fields', '{"constructor":1,"toString":2,"hasOwnProperty":3}', ['constructor', 'toString', 'hasOwnProperty']],
  ['duplicate names at construction', '{"a":1}', ['a', 'a']],
  ['no fields wanted', '{"a":1}', []],
  // Wanted names sharing a first byte, prefixes of each other, the empty name: the key's first
  // byte no longer picks one candidate, every wanted name is tried.
  ['names sharing a first byte', '{"ab":1,"a":2,"abc":3,"":4,"ax":5,"b":6}', ['ab', 'a', 'abc', '', 'b']],
  ['a key that is a prefix of a wanted name', '{"ab":1,"abcd":2}', ['abc', 'abcd']],
  ['a wanted name that is a prefix of a key', '{"abc":1,"ab":2}', ['ab']],
  ['deep nesting in a skipped field', `{"z":${'['.repeat(200)}${']'.repeat(200)},"a":1}`, F],
];

const invalid: Array<[name: string, line: string]> = [
  ['empty line', ''],
  ['whitespace only', '   '],
  ['array', '[1,2]'],
  ['string', '"a"'],
  ['number', '1'],
  ['null', 'null'],
  ['trailing garbage', '{"a":1}x'],
  ['two objects', '{"a":1}{"a":2}'],
  ['trailing comma', '{"a":1,}'],
  ['trailing comma in array', '{"a":[1,]}'],
  ['missing colon', '{"a" 1}'],
  ['missing value', '{"a":}'],
  ['missing comma', '{"a":1 "b":2}'],
  ['unclosed object', '{"a":1'],
  ['unclosed nested', '{"a":{"b":[1,2}}'],
  ['unclosed string', '{"a":"x}'],
  ['single quotes', "{'a':1}"],
  ['unquoted key', '{a:1}'],
  ['leading zero', '{"a":01}'],
  ['negative leading zero', '{"a":-01}'],
  ['leading plus', '{"a":+1}'],
  ['bare minus', '{"a":-}'],
  ['leading dot', '{"a":.5}'],
  ['trailing dot', '{"a":1.}'],
  ['dot before exponent', '{"a":1.e5}'],
  ['empty exponent', '{"a":1e}'],
  ['signed empty exponent', '{"a":1e+}'],
  ['hex number', '{"a":0x10}'],
  ['NaN', '{"a":NaN}'],
  ['Infinity', '{"a":Infinity}'],
  ['bad literal', '{"a":tru}'],
  ['literal prefix', '{"a":nulls}'],
  ['capital literal', '{"a":True}'],
  ['bad escape', '{"a":"\\x41"}'],
  ['short unicode escape', '{"a":"\\u00e"}'],
  ['non-hex unicode escape', '{"a":"\\u00g0"}'],
  ['escape at end', '{"a":"\\'],
  ['raw tab in string', '{"a":"a\tb"}'],
  ['raw newline in string', '{"a":"a\nb"}'],
  ['raw NUL in string', '{"a":"\0"}'],
  ['raw control in key', '{"\x01":1}'],
  ['bad escape in skipped field', '{"z":"\\q","a":1}'],
  ['bad number in skipped array', '{"z":[1,2,03],"a":1}'],
  ['comment', '{"a":1 /* c */}'],
  ['byte order mark', '\ufeff{"a":1}'],
  ['non-JSON whitespace', '{"a":\u00a01}'],
  ['vertical tab', '{"a":\v1}'],
  ['form feed', '{\f"a":1}'],
];

test('valid lines decode exactly as JSON.parse projects them, on the byte path', () => {
  for (const [name, line, fields] of valid) {
    const bytes = Buffer.from(line);
    const expected = reference(bytes, fields);
    assert.notEqual(expected, null, `${name}: fixture must be valid JSON`);
    const { result, counts } = readInBlock(fields, bytes);
    assert.deepEqual(result, expected, name);
    assert.deepEqual(counts, { bytePath: 1, jsonParse: 0, rejected: 0 }, `${name}: byte path`);
  }
});

test('invalid lines and non-objects give null, as JSON.parse rejects them', () => {
  for (const [name, line] of invalid) {
    const bytes = Buffer.from(line);
    assert.equal(reference(bytes, F), null, `${name}: fixture must be rejected by JSON.parse or not be an object`);
    for (const fields of [F, [] as string[], 'all' as const]) {
      const { result, counts } = readInBlock(fields, bytes);
      assert.equal(result, null, `${name} (${String(fields)})`);
      assert.equal(counts.rejected, 1, `${name}: counted`);
    }
  }
});

test('bytes that are not UTF-8 decode to replacement characters, as Buffer#toString does before JSON.parse', () => {
  const cases: Array<[name: string, bytes: Buffer, fields: readonly string[]]> = [
    ['invalid byte in value', Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xff]), Buffer.from('y"}')]), F],
    ['truncated sequence before the quote', Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xe6, 0x97]), Buffer.from('"}')]), F],
    ['truncated sequence before an escape', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe6]), Buffer.from('\\n"}')]), F],
    ['invalid byte in a key', Buffer.concat([Buffer.from('{"'), Buffer.from([0xc0]), Buffer.from('":1}')]), ['\ufffd']],
    ['invalid byte in a skipped value', Buffer.concat([Buffer.from('{"z":"'), Buffer.from([0x80, 0x80]), Buffer.from('","a":1}')]), F],
  ];
  for (const [name, bytes, fields] of cases) {
    const { result, counts } = readInBlock(fields, bytes);
    assert.deepEqual(result, reference(bytes, fields), name);
    assert.equal(counts.bytePath, 1, `${name}: byte path`);
  }
});

test('nesting deeper than the byte path follows is decoded by JSON.parse, and counted', () => {
  const cases: Array<[name: string, line: string, expected: 'value' | 'null']> = [
    ['deep array in a skipped field', `{"z":${'['.repeat(5000)}${']'.repeat(5000)},"a":1}`, 'value'],
    ['deep object in a wanted field', `{"a":${'{"x":'.repeat(1000)}1${'}'.repeat(1000)}}`, 'value'],
    ['deep and unclosed', `{"a":${'['.repeat(5000)}}`, 'null'],
  ];
  for (const [name, line, expected] of cases) {
    const bytes = Buffer.from(line);
    const { result, counts } = readInBlock(F, bytes);
    assert.deepEqual(result, reference(bytes, F), name);
    assert.deepEqual(counts, expected === 'value' ? { bytePath: 0, jsonParse: 1, rejected: 0 } : { bytePath: 0, jsonParse: 0, rejected: 1 }, name);
  }
});

test("'all' returns the whole object, as JSON.parse", () => {
  for (const [name, line] of valid) {
    const bytes = Buffer.from(line);
    const { result, counts } = readInBlock('all', bytes);
    assert.deepEqual(result, JSON.parse(line), name);
    assert.equal(counts.jsonParse, 1, name);
  }
});

test('one reader keeps no state between lines: absent fields do not leak from the line before', () => {
  const reader = createFieldReader(['a', 'b']);
  const lines = ['{"a":1,"b":"x"}', '{"b":"y"}', 'oops', '{"a":2,"z":{"b":1}}', '{}', '{"a":"x","b":"x"}'];
  const block = Buffer.from(lines.join('\n') + '\n');
  const results: unknown[] = [];
  let start = 0;
  for (let end = block.indexOf(10); end >= 0; start = end + 1, end = block.indexOf(10, start)) results.push(reader.read(block, start, end));
  assert.deepEqual(results, [{ a: 1, b: 'x' }, { b: 'y' }, null, { a: 2 }, {}, { a: 'x', b: 'x' }]);
  assert.deepEqual(reader.counts, { bytePath: 5, jsonParse: 0, rejected: 1 });
});

test('interned strings stay correct when ids collide in the intern table', () => {
  // 20,000 distinct short ids over 4,096 slots: every slot is overwritten many times.
  const reader = createFieldReader(['id']);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 20_000; i++) {
      const id = `c${(i * 7919) % 20_000}`;
      const bytes = Buffer.from(`{"id":"${id}","n":${i}}`);
      assert.equal(reader.read(bytes, 0, bytes.length)?.id, id);
    }
  }
  assert.equal(reader.counts.bytePath, 40_000);
});

test('reuseRecord: one object overwritten for complete lines, fresh objects for the others', () => {
  const lines = ['{"a":1,"b":"x"}', '{"b":"y","a":2.5}', '{"a":3}', '{"a":"s","b":null,"z":[1]}', 'nope', '{"b":{"n":1},"a":-0}'];
  const reader = createFieldReader(['a', 'b'], { reuseRecord: true });
  const results = lines.map((line) => {
    const bytes = Buffer.from(line);
    const record = reader.read(bytes, 0, bytes.length);
    // Checked before the next read overwrites it.
    assert.deepEqual(record, reference(bytes, ['a', 'b']), line);
    return record;
  });
  const complete = [results[0], results[1], results[3], results[5]];
  for (const record of complete) assert.equal(record, results[0], 'complete lines share one object');
  assert.notEqual(results[2], results[0], 'a line missing a field gets its own object');
  assert.deepEqual(results[2], { a: 3 });
  assert.equal(results[4], null);
  assert.ok(Object.is(results[0]!.a, -0), 'the shared object holds the last line');
});

test('interned strings with equal hash and length are told apart by their bytes', () => {
  // "Aa" and "BB" (and "AaAa", "BBBB", ...) have the same 31-multiplier hash: one slot, same length.
  const reader = createFieldReader(['id']);
  const ids = ['Aa', 'BB', 'Aa', 'AaBB', 'BBAa', 'AaAa', 'BBBB', 'BB', 'Aa\\u0041', 'Aa'];
  for (const id of ids) {
    const bytes = Buffer.from(`{"id":"${id}"}`);
    assert.equal(reader.read(bytes, 0, bytes.length)?.id, JSON.parse(`"${id}"`), id);
  }
  assert.equal(reader.counts.bytePath, ids.length);
});

// ---- generated lines ----------------------------------------------------------------------

const WHITESPACE = [' ', '\t', '\r', '\n'];

/** JSON text for `value` with random whitespace, random string escapes and random number forms. */
function serialize(value: unknown, next: () => number): string {
  const space = () => (next() < 0.3 ? Array.from({ length: 1 + Math.floor(next() * 3) }, () => WHITESPACE[Math.floor(next() * 4)]).join('') : '');
  const write = (v: unknown): string => {
    if (typeof v === 'string') return writeString(v, next);
    if (typeof v === 'number') return writeNumber(v, next);
    if (v === null || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `[${space()}${v.map((item) => `${space()}${write(item)}${space()}`).join(',')}${space()}]`;
    const entries = Object.entries(v as Record<string, unknown>);
    return `{${space()}${entries.map(([k, item]) => `${space()}${writeString(k, next)}${space()}:${space()}${write(item)}${space()}`).join(',')}${space()}}`;
  };
  return `${space()}${write(value)}${space()}`;
}

function writeString(text: string, next: () => number): string {
  let out = '"';
  for (const unit of text.split('')) {
    const code = unit.charCodeAt(0);
    const mustEscape = code < 0x20 || unit === '"' || unit === '\\';
    const roll = next();
    if (roll < 0.15 || (mustEscape && roll < 0.5)) {
      const hex = code.toString(16).padStart(4, '0');
      out += `\\u${roll < 0.07 ? hex.toUpperCase() : hex}`;
    } else if (mustEscape) {
      out += JSON.stringify(unit).slice(1, -1);
    } else if (unit === '/' && roll < 0.6) {
      out += '\\/';
    } else {
      out += unit;
    }
  }
  return `${out}"`;
}

function writeNumber(n: number, next: () => number): string {
  if (Object.is(n, -0)) return next() < 0.5 ? '-0' : '-0.0e0';
  const roll = next();
  if (roll < 0.5) return JSON.stringify(n);
  if (roll < 0.7) return n.toExponential().replace('e', next() < 0.5 ? 'e' : 'E');
  if (roll < 0.85) return n.toPrecision(1 + Math.floor(next() * 21)).replace(/^(-?)\./, '$10.');
  return n.toExponential().replace(/e\+?(-?)/, 'e$10');
}

const jsonObject = fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), { maxKeys: 8 });
const numberField = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(-0), fc.bigInt().map((n) => Number(n)));

/** Wanted names: some of the object's keys plus names it may not have. */
function pickFields(object: Record<string, unknown>, next: () => number): string[] {
  return [...Object.keys(object).filter(() => next() < 0.5), 'a', 'é', '__proto__'];
}

test('generated objects with random whitespace, escapes and number forms agree with JSON.parse', () => {
  fc.assert(
    fc.property(jsonObject, fc.array(numberField, { maxLength: 4 }), fc.integer(), (object, numbers, seed) => {
      const next = random(seed);
      const withNumbers: Record<string, unknown> = { ...object };
      numbers.forEach((n, i) => (withNumbers[`n${i}`] = n));
      const bytes = Buffer.from(serialize(withNumbers, next));
      const fields = [...pickFields(withNumbers, next), 'n0', 'n1'];
      const { result, counts } = readInBlock(fields, bytes);
      assert.deepEqual(result, reference(bytes, fields));
      assert.equal(counts.bytePath, 1, 'decoded on the byte path');
    }),
    { numRuns: 2000 },
  );
});

/** Mutations that mostly break a line: delete, insert or replace one byte, or cut it short. */
const MUTATION_BYTES = Buffer.from('{}[]",:\\0123456789-+.eEtrufalsn \t\x01x');

test('mutated lines are rejected exactly when JSON.parse rejects them, and agree otherwise', () => {
  let rejected = 0;
  fc.assert(
    fc.property(jsonObject, fc.integer(), (object, seed) => {
      const next = random(seed);
      const line = Buffer.from(serialize(object, next));
      const at = Math.floor(next() * (line.length + 1));
      const byte = MUTATION_BYTES[Math.floor(next() * MUTATION_BYTES.length)]!;
      const kind = Math.floor(next() * 4);
      const mutated =
        kind === 0 ? Buffer.concat([line.subarray(0, at), line.subarray(at + 1)])
        : kind === 1 ? Buffer.concat([line.subarray(0, at), Buffer.from([byte]), line.subarray(at)])
        : kind === 2 ? Buffer.concat([line.subarray(0, at), Buffer.from([byte]), line.subarray(at + 1)])
        : line.subarray(0, at);
      const fields = pickFields(object, next);
      const expected = reference(mutated, fields);
      const { result, counts } = readInBlock(fields, mutated);
      assert.deepEqual(result, expected);
      assert.equal(expected === null ? counts.rejected : counts.bytePath, 1);
      if (expected === null) rejected++;
    }),
    { numRuns: 4000 },
  );
  assert.ok(rejected > 1000, `mutations produced ${rejected} invalid lines; the generator should break most lines`);
});

/** `project`ed fields of a row: only the nested names asked for, as JSON.parse gives them. */
function projectedReference(value: unknown, nested: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return project(value, nested);
}

test('a row with a projected object decodes its nested fields in the validating pass, as JSON.parse (mutated lines included)', () => {
  let projected = 0;
  fc.assert(
    fc.property(jsonObject, jsonObject, fc.integer(), (outer, inner, seed) => {
      const next = random(seed);
      const object = { ...outer, o: inner };
      let line = Buffer.from(serialize(object, next));
      if (next() < 0.5) {
        // Break a byte inside the nested object most of the time: its walk must reject as the line's would.
        const open = line.indexOf('{', 1);
        const at = open < 0 ? Math.floor(next() * line.length) : open + Math.floor(next() * (line.length - open));
        line = Buffer.concat([line.subarray(0, at), Buffer.from([MUTATION_BYTES[Math.floor(next() * MUTATION_BYTES.length)]!]), line.subarray(at + 1)]);
      }
      const nested = [...pickFields(inner, next), 'x'];
      const reader = createRowReader(['a', 'o', 'b']);
      reader.row.project(1, nested);
      const block = Buffer.concat([Buffer.from('9"{\n'), line, Buffer.from('7"}\n')]);
      const ok = reader.read(block, 4, 4 + line.length);
      const expected = reference(line, ['a', 'o', 'b']);
      assert.equal(ok, expected !== null);
      if (expected === null) return;
      assert.deepEqual(reader.row.get(0), expected.a);
      assert.deepEqual(reader.row.get(2), expected.b);
      assert.deepEqual(reader.row.get(1), projectedReference(expected.o, nested));
      assert.equal(reader.row.kinds[1], kindOf(expected.o));
      if (reader.row.kinds[1] === OBJECT) {
        // Decoded during the walk: nothing of it is left pending.
        assert.equal(reader.row.pending[1], 0);
        projected++;
      }
    }),
    { numRuns: 3000 },
  );
  assert.ok(projected > 1000, `only ${projected} lines had a projected object`);
});

/**
 * A block of lines read as the replay reads it: readLine, and where it declines, the newline
 * searched and `read` on the line alone. Returns per line (blank lines skipped, a CR before the
 * newline dropped) its text's end and the fields, and how many lines readLine took.
 */
function readBlockByLines(fields: readonly string[] | 'all', block: Buffer) {
  const reader = createFieldReader(fields);
  const lines: Array<{ end: number; result: Record<string, unknown> | null }> = [];
  let inPassing = 0;
  let start = 0;
  while (start < block.length) {
    let result = reader.readLine(block, start, block.length);
    let end: number;
    if (result !== null) {
      end = reader.lineEnd;
      inPassing++;
    } else {
      end = block.indexOf(10, start);
      if (end < 0) end = block.length;
    }
    const next = end + 1;
    if (end > start && block[end - 1] === 13) end--;
    if (end > start) {
      result ??= reader.read(block, start, end);
      lines.push({ end, result });
    }
    start = next;
  }
  return { lines, inPassing, counts: reader.counts };
}

/** The same block split at its newlines first, each line checked against JSON.parse ('all': the whole object). */
function referenceByLines(fields: readonly string[] | 'all', block: Buffer) {
  const lines: Array<{ end: number; result: Record<string, unknown> | null }> = [];
  let start = 0;
  while (start < block.length) {
    let end = block.indexOf(10, start);
    if (end < 0) end = block.length;
    const next = end + 1;
    if (end > start && block[end - 1] === 13) end--;
    if (end > start) lines.push({ end, result: fields === 'all' ? wholeObject(block.subarray(start, end)) : reference(block.subarray(start, end), fields) });
    start = next;
  }
  return lines;
}

test('readLine: a block read line by line in passing gives the lines, ends and fields of a split at every newline', () => {
  const fixtures = [...valid.map(([, line]) => line), ...invalid.map(([, line]) => line)];
  const block = Buffer.from(['', ...fixtures, '{"a":1}\r', '  ', '{"a":\n2}', '{"b":"x"}   ', '{}', ' {} \r', '[1]', '{"c":3}'].join('\n'));
  for (const fields of [F, [] as string[], ['a', 'é', '__proto__'], 'all' as const]) {
    const { lines, inPassing, counts } = readBlockByLines(fields, block);
    assert.deepEqual(lines, referenceByLines(fields, block), String(fields));
    if (fields !== 'all') {
      assert.equal(inPassing, counts.bytePath, 'every line on the byte path was read in passing');
      assert.ok(inPassing >= valid.length, `${inPassing} lines read in passing`);
    }
  }
});

function wholeObject(bytes: Buffer): Record<string, unknown> | null {
  const names = reference(bytes, []) === null ? null : Object.keys(JSON.parse(bytes.toString('utf8')) as object);
  return names === null ? null : reference(bytes, names);
}

test('readLine: generated blocks with newlines in and between objects agree with splitting first', () => {
  fc.assert(
    fc.property(fc.array(jsonObject, { maxLength: 6 }), fc.integer(), (objects, seed) => {
      const next = random(seed);
      // serialize() puts random whitespace, newlines included, inside and around each object:
      // an object spread over lines gives invalid lines, as in a real JSONL file.
      const text = objects.map((object) => serialize(object, next) + (next() < 0.2 ? '\r' : '')).join('\n') + (next() < 0.5 ? '\n' : '');
      const block = Buffer.from(text);
      const fields = objects.length > 0 ? pickFields(objects[0]!, next) : F;
      const { lines, inPassing, counts } = readBlockByLines(fields, block);
      assert.deepEqual(lines, referenceByLines(fields, block));
      assert.equal(inPassing, counts.bytePath);
    }),
    { numRuns: 1000 },
  );
});

test('key hints: equal interned strings get one slot, other values no slot or another one', () => {
  const reader = createFieldReader(['id', 'n']);
  const hints = reader.internHints('id')!;
  assert.equal(reader.internHints('other'), null);
  assert.equal(createFieldReader('all').internHints('id'), null);
  const slotOf = (line: string) => {
    assert.notEqual(reader.read(Buffer.from(line), 0, line.length), null);
    return hints.slots[hints.at]!;
  };
  const ids = Array.from({ length: 300 }, (_, i) => `c${i}`);
  const first = ids.map((id) => slotOf(`{"id":"${id}","n":1}`));
  assert.ok(first.every((slot) => slot >= 0 && slot < hints.size));
  assert.ok(new Set(first).size > 250, 'slots spread over the table');
  // Read again in another order: each string gets its own slot back.
  for (const i of [...ids.keys()].reverse()) assert.equal(slotOf(`{"n":2,"id":"${ids[i]}"}`), first[i]);
  assert.equal(slotOf(`{"id":"${'x'.repeat(40)}"}`), -1, 'too long to intern');
});

test('number cell: after each line, the time field as JSON.parse gives it when a number (±Infinity too), else NaN', () => {
  const deep = '['.repeat(300) + ']'.repeat(300);
  // A value of `t` as written: numbers in every form, and what is not a number.
  const timeValue = fc.oneof(
    numberField.map((n) => ({ number: n })),
    fc.constantFrom('"1700000000000"', 'null', 'true', '{"t":1}', '[1]', '1e400', '-1e400').map((text) => ({ text })),
  );
  const line = fc.record({
    object: jsonObject,
    times: fc.array(timeValue, { maxLength: 3 }),
    deep: fc.boolean(),
    seed: fc.integer(),
  });
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.boolean(), (lines, reuseRecord) => {
      const reader = createFieldReader(['t', 'k'], { reuseRecord });
      const cell = reader.numberCell('t')!;
      assert.equal(createFieldReader('all').numberCell('t'), null);
      const nestedOf = (text: string) => text.includes(deep);
      const texts = lines.map(({ object, times, deep: nested, seed }) => {
        const next = random(seed);
        const entries = Object.entries(object)
          .filter(([key]) => key !== 't')
          .map(([key, value]) => `${writeString(key, next)}:${serialize(value, next)}`);
        // Duplicate keys: JSON.parse keeps the last; a deep value sends the line to JSON.parse.
        for (const time of times) entries.splice(Math.floor(next() * (entries.length + 1)), 0, `"t":${'number' in time ? writeNumber(time.number, next) : time.text}`);
        if (nested) entries.splice(Math.floor(next() * (entries.length + 1)), 0, `"d":${deep}`);
        return `{${entries.join(',')}}`;
      });
      const block = Buffer.from(texts.join('\n'));
      let start = 0;
      for (const text of texts) {
        const end = start + Buffer.byteLength(text);
        // As the replay reads: in passing, or on its own when readLine declines the line.
        const parsed = reader.counts.jsonParse;
        const fields = reader.readLine(block, start, block.length) ?? reader.read(block, start, end);
        assert.notEqual(fields, null, text);
        const expected = (JSON.parse(text) as { t?: unknown }).t;
        const value = cell.numbers[cell.at]!;
        // A line too deep for the byte path is JSON.parse's: the cell says nothing (the replay reads the fields).
        const fromBytes = reader.counts.jsonParse === parsed;
        assert.equal(fromBytes, !nestedOf(text), text);
        if (typeof expected === 'number' && fromBytes) assert.ok(Object.is(value, expected), `${text}: ${value} for ${expected}`);
        else assert.ok(Number.isNaN(value), `${text}: ${value} for ${JSON.stringify(expected)}`);
        assert.deepEqual(fields, reference(Buffer.from(text), ['t', 'k']), text);
        start = end + 1;
      }
    }),
    { numRuns: 1000 },
  );
});
