import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvaluationError, compileExpression } from '../../../src/engine/expression/index.js';
import { expressionTable } from './expression-table.js';

const event = {
  userId: 'u1',
  price: 0,
  none: null,
  metadata: { price: 120, tags: ['x'], deep: { level: 2 } },
  items: [{ sku: 'a' }, { sku: 'b' }],
  constructor: 'own value',
};

expressionTable('identifiers', [
  { source: 'userId', event, value: 'u1' },
  { source: 'price', event, value: 0 },
  { source: 'none', event, value: null },
  { source: 'missing', event, evaluationError: /steps\.test\.where: no such field 'missing'; test for it with has\(missing\) at column 1 in "missing"/ },
  { source: 'toString', event, evaluationError: /no such field 'toString'/ },
  { source: '__proto__', event, syntaxError: /Reserved identifier: __proto__/ },
  { source: 'constructor', event, value: 'own value' },
  { source: 'event.userId', event, value: 'u1' },
  { source: 'event', event: { a: 1 }, value: { a: 1 } },
  { source: "event['userId']", event, value: 'u1' },
  { source: 'more', bindings: { more: [1, 2] }, value: [1, 2] },
  { source: 'key', event: { key: 'from event' }, bindings: { key: 'from binding' }, value: 'from binding' },
  { source: 'window.start', bindings: { window: { start: 10, end: 20 } }, value: 10 },
  { source: 'absent', bindings: { absent: undefined }, evaluationError: /'absent' has no value here/ },
]);

expressionTable('selection and indexing', [
  { source: 'metadata.price', event, value: 120 },
  { source: 'metadata.deep.level', event, value: 2 },
  { source: 'metadata.tags[0]', event, value: 'x' },
  { source: "metadata['price']", event, value: 120 },
  { source: 'items[1].sku', event, value: 'b' },
  { source: 'items[1.0].sku', event, value: 'b' },
  { source: 'metadata.missing', event, evaluationError: /no such field 'metadata\.missing'; test for it with has\(metadata\.missing\) at column 10/ },
  { source: 'metadata.deep.nope', event, evaluationError: /no such field 'metadata\.deep\.nope'/ },
  { source: 'metadata.toString', event, evaluationError: /no such field 'metadata\.toString'/ },
  { source: 'nothing.price', event, evaluationError: /no such field 'nothing'/ },
  { source: 'userId.length', event, evaluationError: /cannot read '\.length' of a string \('userId'\)/ },
  { source: 'items.length', event, evaluationError: /cannot read '\.length' of a list/ },
  { source: 'none.x', event, evaluationError: /cannot read '\.x' of a null/ },
  { source: 'items[2]', event, evaluationError: /index 2 is out of range for 'items' of size 2/ },
  { source: 'items[-1]', event, evaluationError: /index -1 is out of range/ },
  { source: 'items[0.5]', event, evaluationError: /a list index must be a whole number, got number 0.5/ },
  { source: "items['0']", event, evaluationError: /a list index must be a whole number, got string/ },
  { source: "metadata['nope']", event, evaluationError: /no such key 'nope' in 'metadata'; test for it with 'nope' in metadata/ },
  { source: 'metadata[1]', event, evaluationError: /a map key must be a string, got number/ },
  { source: 'userId[0]', event, evaluationError: /cannot index a string/ },
  { source: "{'a': {'b': 5}}.a.b", value: 5 },
  { source: "[10, 20][1]", value: 20 },
  { source: 'x.?y', event, syntaxError: /Expected IDENTIFIER/ },
]);

expressionTable('has', [
  { source: 'has(metadata.price)', event, value: true },
  { source: 'has(metadata.nope)', event, value: false },
  { source: 'has(metadata.toString)', event, value: false },
  { source: 'has(metadata.deep.level)', event, value: true },
  { source: 'has(price)', event, value: true },
  { source: 'has(none)', event, value: true },
  { source: 'has(missing)', event, value: false },
  { source: 'has(toString)', event, value: false },
  { source: 'has(event.userId)', event, value: true },
  { source: 'has(metadata.price) && metadata.price > 100', event, value: true },
  { source: 'has(missing.x)', event, evaluationError: /no such field 'missing'/ },
  { source: 'has(userId.x)', event, evaluationError: /has\(\) needs a map to test 'x' in, got string/ },
  { source: 'has(more)', bindings: { more: [] }, syntaxError: /'more' is not an event field/ },
  { source: 'has(event)', syntaxError: /'event' is not an event field/ },
  { source: 'has(items[0])', event, syntaxError: /has\(\) takes one field selection/ },
  { source: 'has(a.b, c.d)', syntaxError: /has\(\) takes one field selection/ },
]);

test('fields: the top-level event fields an expression reads, collected at compile time', () => {
  const cases: ReadonlyArray<{ source: string; bindings?: string[]; fields: string[]; wholeEvent?: boolean }> = [
    { source: "eventType == 'content.watched' && metadata.price > 100", fields: ['eventType', 'metadata'] },
    { source: 'price > sum(more.map(e, e.price)) / size(more)', bindings: ['more'], fields: ['price'] },
    { source: 'more.exists(price, price > limit)', bindings: ['more'], fields: ['limit'] },
    { source: 'items.map(i, i.sku + userId)', fields: ['items', 'userId'] },
    { source: 'items.map(i, i.sku) + [i]', fields: ['items', 'i'] },
    { source: 'event.userId', fields: ['userId'] },
    { source: 'has(event.userId) && has(price)', fields: ['userId', 'price'] },
    { source: 'size(event) > 2', fields: [], wholeEvent: true },
    { source: '1 + 2', fields: [] },
    { source: 'key == userId', bindings: ['key'], fields: ['userId'] },
  ];
  for (const c of cases) {
    const compiled = compileExpression(c.source, { where: 'w', bindings: c.bindings ?? [] });
    assert.deepEqual([...compiled.fields].sort(), [...c.fields].sort(), c.source);
    assert.equal(compiled.wholeEvent, c.wholeEvent ?? false, c.source);
    assert.equal(compiled.source, c.source);
  }
});

test('bindings: a bound name without a bindings function is an evaluation error, not a crash', () => {
  const compiled = compileExpression('size(more) > 0', { where: 'steps.binge.pattern.stages[1].where', bindings: ['more'] });
  assert.throws(
    () => compiled.evaluate({}),
    (error: unknown) => error instanceof EvaluationError && /^steps\.binge\.pattern\.stages\[1\]\.where: 'more' is not available here at column 6/.test(error.message),
  );
});

test('constant folding: a literal subtree is computed once, and reads nothing from the event', () => {
  const compiled = compileExpression("[1, 2, 3].size() * 2 + size('héllo') + {'a': [7]}.a[0]", { where: 'w' });
  assert.equal(compiled.evaluate({}), 18);
  assert.deepEqual([...compiled.fields], []);
  const list = compileExpression("['a', 'b']", { where: 'w' }).evaluate({}) as string[];
  assert.ok(Object.isFrozen(list), 'a folded list is shared between records, so it is frozen');
});
