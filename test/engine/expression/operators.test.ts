import { expressionTable } from './expression-table.js';

const event = { price: 150, qty: 4, name: 'Ada', tags: ['a', 'b'], meta: { k: 1 }, zero: 0, flag: true, nothing: null };

expressionTable('arithmetic', [
  { source: '1 + 2 * 3', value: 7 },
  { source: '(1 + 2) * 3', value: 9 },
  { source: 'price - qty', event, value: 146 },
  { source: 'price * 2', event, value: 300 },
  // Deliberate deviation from CEL: `/` is floating-point division even on whole numbers.
  { source: '7 / 2', value: 3.5 },
  { source: 'price / qty', event, value: 37.5 },
  { source: '7 % 3', value: 1 },
  { source: '-7 % 3', value: -1 },
  { source: '7.5 % 2', value: 1.5 },
  { source: '-price', event, value: -150 },
  { source: '--price', event, value: 150 },
  { source: 'price / zero', event, evaluationError: /division by zero \(150 \/ 0\) at column 7/ },
  { source: 'price % zero', event, evaluationError: /modulus by zero/ },
  { source: 'x * x', event: { x: 1e200 }, evaluationError: /overflows/ },
  { source: "name - 1", event, evaluationError: /no such overload: string - number/ },
  { source: "'a' * 2", syntaxError: /no such overload: string \* number; arithmetic needs numbers/ },
  { source: '-name', event, evaluationError: /no such overload: -string/ },
  { source: "-'x'", syntaxError: /no such overload: -string/ },
  { source: 'nothing + 1', event, evaluationError: /no such overload: null \+ number/ },
]);

expressionTable('concatenation', [
  { source: "'a' + 'b' + 'c'", value: 'abc' },
  { source: "name + '!'", event, value: 'Ada!' },
  { source: "tags + ['c']", event, value: ['a', 'b', 'c'] },
  { source: '[1] + []', value: [1] },
  { source: "name + 1", event, evaluationError: /no such overload: string \+ number; convert with string\(x\)/ },
  { source: "'n' + 1", syntaxError: /no such overload: string \+ number; convert one side/ },
  { source: "name + string(qty)", event, value: 'Ada4' },
  { source: 'tags + name', event, evaluationError: /no such overload: list \+ string/ },
]);

expressionTable('comparison', [
  { source: 'price > 100', event, value: true },
  { source: 'price >= 150', event, value: true },
  { source: 'price < 150', event, value: false },
  { source: 'price <= 150.0', event, value: true },
  { source: '100 < price', event, value: true },
  { source: '200 <= price', event, value: false },
  { source: 'qty < price', event, value: true },
  { source: "name < 'Bob'", event, value: true },
  { source: "'b' > 'abc'", value: true },
  { source: 'false < true', value: true },
  { source: "name > 1", event, evaluationError: /no such overload: string > number at column 6/ },
  { source: "price > '100'", event, evaluationError: /no such overload: number > string/ },
  { source: 'tags < tags', event, evaluationError: /no such overload: list < list/ },
  { source: "1 < 'a'", syntaxError: /no such overload: number < string; compare values of the same type at column 3/ },
  { source: 'nothing < 1', event, evaluationError: /no such overload: null < number/ },
  { source: '[1] < [2]', syntaxError: /only numbers, strings and bools are ordered/ },
]);

expressionTable('equality', [
  { source: "name == 'Ada'", event, value: true },
  { source: "'Ada' == name", event, value: true },
  { source: "name != 'Ada'", event, value: false },
  { source: 'price == 150', event, value: true },
  { source: 'price == 150.0', event, value: true },
  { source: "price == '150'", event, value: false },
  { source: "price != '150'", event, value: true },
  { source: 'nothing == null', event, value: true },
  { source: 'price == null', event, value: false },
  { source: 'flag == true', event, value: true },
  { source: "tags == ['a', 'b']", event, value: true },
  { source: "tags == ['b', 'a']", event, value: false },
  { source: "tags != ['a']", event, value: true },
  { source: "meta == {'k': 1}", event, value: true },
  { source: "meta == {'k': 1.0}", event, value: true },
  { source: "meta == {'k': 2}", event, value: false },
  { source: "meta == {'k': 1, 'j': 2}", event, value: false },
  { source: "{'a': [1, {'b': null}]} == {'a': [1, {'b': null}]}", value: true },
  { source: 'tags == meta', event, value: false },
  { source: '[1] == 1', value: false },
  { source: 'qty == price', event, value: false },
  { source: "missing == 'x'", event, evaluationError: /no such field 'missing'/ },
]);

expressionTable('logic', [
  { source: 'true && false', value: false },
  { source: 'true || false', value: true },
  { source: '!flag', event, value: false },
  { source: '!!flag', event, value: true },
  { source: 'price > 100 && qty > 3', event, value: true },
  { source: 'price > 100 && qty > 10', event, value: false },
  { source: 'price > 200 || qty > 3', event, value: true },
  // CEL's error absorption: the side that decides the result wins over the other side's error.
  { source: 'false && missing', event, value: false },
  { source: 'missing && false', event, value: false },
  { source: 'missing > 1 && price > 200', event, value: false },
  { source: 'true || missing', event, value: true },
  { source: 'missing || true', event, value: true },
  { source: 'price / zero > 1 || flag', event, value: true },
  { source: 'missing && true', event, evaluationError: /no such field 'missing'/ },
  { source: 'missing || false', event, evaluationError: /no such field 'missing'/ },
  { source: 'flag && missing', event, evaluationError: /no such field 'missing'/ },
  { source: 'missing && other', event, evaluationError: /no such field 'missing'/ },
  { source: 'price && flag', event, evaluationError: /&& needs bools, got number/ },
  { source: 'price || true', event, value: true },
  { source: 'flag && price', event, evaluationError: /&& needs bools, got number/ },
  { source: '1 && true', syntaxError: /&& needs bools, got number/ },
  { source: '!price', event, evaluationError: /no such overload: !number/ },
  { source: '!1', syntaxError: /! negates a bool/ },
]);

expressionTable('conditional', [
  { source: "price > 100 ? 'high' : 'low'", event, value: 'high' },
  { source: "qty > 100 ? 'high' : 'low'", event, value: 'low' },
  { source: 'true ? 1 : missing', event, value: 1 },
  { source: 'flag ? price : missing', event, value: 150 },
  { source: 'price ? 1 : 2', event, evaluationError: /the condition of \?: must be a bool, got number/ },
  { source: "'x' ? 1 : 2", syntaxError: /the condition of \?: must be a bool, got string/ },
  { source: 'a ? b ? 1 : 2 : 3', event: { a: true, b: false }, value: 2 },
]);

expressionTable('in', [
  { source: "'a' in tags", event, value: true },
  { source: "'z' in tags", event, value: false },
  { source: "name in ['Ada', 'Bob']", event, value: true },
  { source: "price in [1, 150]", event, value: true },
  { source: "price in ['150']", event, value: false },
  { source: "'k' in meta", event, value: true },
  { source: "'x' in meta", event, value: false },
  { source: "'toString' in meta", event, value: false },
  { source: '1 in meta', event, value: false },
  { source: '[1] in [[1], [2]]', value: true },
  { source: "{'a': 1} in [{'a': 1.0}]", value: true },
  { source: "'a' in name", event, evaluationError: /the right side of in must be a list or a map/ },
  { source: "'a' in 'abc'", syntaxError: /the right side of in must be a list or a map/ },
]);
