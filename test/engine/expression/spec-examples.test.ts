/** Every expression pipeline-spec.md shows, evaluated where the spec puts it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition, compileExpression } from '../../../src/engine/expression/index.js';

const watched = { eventType: 'content.watched', userId: 'premium_7', action: 'view', contentId: 'c17', price: 150, metadata: { price: 120 } };
const cheap = { ...watched, userId: 'u3', action: 'scroll', price: 40, metadata: { price: 80 } };
const paused = { ...watched, eventType: 'content.paused' };

test('pipeline-spec.md "Expressions": the three example conditions', () => {
  const cases: ReadonlyArray<[source: string, event: Record<string, unknown>, expected: boolean]> = [
    ["eventType == 'content.watched' && metadata.price > 100", watched, true],
    ["eventType == 'content.watched' && metadata.price > 100", cheap, false],
    ["eventType == 'content.watched' && metadata.price > 100", paused, false],
    ["userId.startsWith('premium_')", watched, true],
    ["userId.startsWith('premium_')", cheap, false],
    ["action in ['view', 'click']", watched, true],
    ["action in ['view', 'click']", cheap, false],
  ];
  for (const [source, event, expected] of cases) {
    assert.equal(compileCondition(source, { where: 'steps.s.where' }).test(event), expected, `${source} on ${JSON.stringify(event)}`);
  }
});

test('pipeline-spec.md "Window step": select score over aggregates, having over the selected field', () => {
  const aggregates: Record<string, unknown> = { watches: 812, users: 97 };
  const bindings = (name: string) => aggregates[name];
  const score = compileExpression('0.3 * min(users / 100.0, 1.0) + 0.3 * min(watches / 500.0, 1.0)', {
    where: 'steps.trending.select.score',
    bindings: ['watches', 'users', 'key', 'window'],
  });
  assert.equal(score.evaluate({}, bindings), 0.3 * 0.97 + 0.3 * 1);
  assert.deepEqual([...score.fields], [], 'aggregates are bindings, not event fields');
  const having = compileCondition('score > 0.7', { where: 'steps.trending.having', bindings: ['score'] });
  assert.equal(having.test({}, () => 0.74), true);
  assert.equal(having.test({}, () => 0.5), false);
});

test('pipeline-spec.md "Pattern step": iterative condition over the events already in a stage', () => {
  const more = [{ price: 90 }, { price: 110 }, { price: 100 }];
  const until = compileCondition('price > sum(more.map(e, e.price)) / size(more)', {
    where: 'steps.binge.pattern.stages[1].until',
    bindings: ['start', 'more'],
  });
  const bindings = (name: string) => (name === 'more' ? more : [watched]);
  assert.equal(until.test({ price: 101 }, bindings), true);
  assert.equal(until.test({ price: 100 }, bindings), false);
  assert.deepEqual([...until.fields], ['price']);
  // An empty stage makes the average a division by zero: an evaluation error, counted, not a crash.
  assert.throws(() => until.test({ price: 1 }, (name) => (name === 'more' ? [] : [watched])), /division by zero/);
});

test('pipeline-spec.md "Pattern step": select over the matched stages', () => {
  const events: Record<string, unknown> = { start: [{ userId: 'u3' }], more: [{}, {}, {}] };
  const options = { where: 'steps.binge.select', bindings: ['start', 'more'] };
  assert.equal(compileExpression('start[0].userId', options).evaluate({}, (name) => events[name]), 'u3');
  assert.equal(compileExpression('size(more) + 1', options).evaluate({}, (name) => events[name]), 4);
});

test('pipeline-spec.md "Window step": keyBy as an expression gives the key value', () => {
  const key = compileExpression("userId + '/' + contentId", { where: 'steps.trending.keyBy' });
  assert.equal(key.evaluate(watched), 'premium_7/c17');
  assert.deepEqual([...key.fields].sort(), ['contentId', 'userId']);
});
