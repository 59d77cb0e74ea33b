import { expressionTable } from './expression-table.js';

const event = { xs: [1, 2, 3, 4], words: ['ab', 'cd'], meta: { a: 1, b: 2 }, e: 'event field e', empty: [] };
const more = [{ price: 90 }, { price: 110 }, { price: 120 }];

expressionTable('all and exists', [
  { source: 'xs.all(x, x > 0)', event, value: true },
  { source: 'xs.all(x, x > 1)', event, value: false },
  { source: 'xs.exists(x, x > 3)', event, value: true },
  { source: 'xs.exists(x, x > 4)', event, value: false },
  { source: 'empty.all(x, x > 0)', event, value: true },
  { source: 'empty.exists(x, x > 0)', event, value: false },
  { source: "meta.all(k, k in ['a', 'b'])", event, value: true },
  { source: "meta.exists(k, k == 'b')", event, value: true },
  // Error absorption across elements (CEL spec): a deciding element wins over another's error.
  { source: "[1, 'a', 3].exists(x, x > 2)", value: true },
  { source: "[1, 'a', 3].all(x, x > 2)", value: false },
  { source: "[3, 'a'].all(x, x > 2)", evaluationError: /no such overload: string > number/ },
  { source: "[1, 'a'].exists(x, x > 2)", evaluationError: /no such overload: string > number/ },
  { source: 'xs.all(x, x)', event, evaluationError: /the condition of all\(\) must be a bool, got number/ },
  { source: 'xs.all(x, x + 1)', event, syntaxError: /the condition of all\(\) must be a bool, got number/ },
  { source: "'abc'.all(c, true)", syntaxError: /all\(\) iterates a list or a map, not a string/ },
  { source: 's.all(c, true)', event: { s: 'abc' }, evaluationError: /all\(\) iterates a list or a map, not a string/ },
  { source: 'all(xs, x, x > 0)', event, syntaxError: /all\(\) is a method; write list\.all\(x, p\(x\)\)/ },
  { source: 'metadata.has(price)', event, syntaxError: /has\(\) is not a method; write has\(a\.b\)/ },
  { source: 'xs.all(x)', event, syntaxError: /wrong number of arguments to all\(\); write list\.all\(x, p\(x\)\)/ },
]);

expressionTable('exists_one', [
  { source: 'xs.exists_one(x, x > 3)', event, value: true },
  { source: 'xs.exists_one(x, x > 2)', event, value: false },
  { source: 'xs.exists_one(x, x > 9)', event, value: false },
  { source: "[1, 'a'].exists_one(x, x > 0)", evaluationError: /no such overload/ },
]);

expressionTable('map and filter', [
  { source: 'xs.map(x, x * 2)', event, value: [2, 4, 6, 8] },
  { source: 'xs.map(x, x % 2 == 0, x * 10)', event, value: [20, 40] },
  { source: 'xs.filter(x, x % 2 == 1)', event, value: [1, 3] },
  { source: "words.map(w, w + '!')", event, value: ['ab!', 'cd!'] },
  { source: 'meta.map(k, k)', event, value: ['a', 'b'] },
  { source: 'meta.filter(k, meta[k] > 1)', event, value: ['b'] },
  { source: 'empty.map(x, x)', event, value: [] },
  { source: 'size(xs.filter(x, x > 2))', event, value: 2 },
  { source: 'xs.map(x, xs.map(y, x * y))[1]', event, value: [2, 4, 6, 8] },
  { source: 'xs.filter(x, x)', event, evaluationError: /the condition of filter\(\) must be a bool, got number/ },
  { source: 'xs.map(x, 1, 2)', event, syntaxError: /the condition of map\(\) must be a bool, got number/ },
  { source: 'xs.map(x, x, x, x)', event, syntaxError: /wrong number of arguments to map\(\)/ },
]);

expressionTable('macro variables are local', [
  // `e` is an event field outside the macro and the element inside it.
  { source: 'xs.map(e, e + 1)', event, value: [2, 3, 4, 5] },
  { source: 'xs.map(e, e)[0] == 1 && e == "event field e"', event, value: true },
  { source: 'more.map(e, e.price)', bindings: { more }, value: [90, 110, 120] },
  { source: 'more.map(more, more.price)', bindings: { more }, value: [90, 110, 120] },
  { source: 'sum(more.map(e, e.price)) / size(more)', bindings: { more }, value: 320 / 3 },
  { source: 'more.exists(e, e.price > 100)', bindings: { more }, value: true },
  { source: 'more.map(e, e.nope)', bindings: { more }, evaluationError: /no such field 'e\.nope'/ },
  { source: 'xs.map(x, x)[0] + x', event: { xs: [1], x: 10 }, value: 11 },
]);
