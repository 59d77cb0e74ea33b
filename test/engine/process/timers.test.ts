import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventTimeTimers, TimerTimeError } from '../../../src/engine/timers.js';

type Op = ['register', string, number] | ['delete', string, number] | ['fire', number];

/** Runs ops; returns the fired timers as "key@time". */
function run(ops: readonly Op[], timers = new EventTimeTimers()): string[] {
  const fired: string[] = [];
  for (const op of ops) {
    if (op[0] === 'register') timers.register(op[1], op[1], op[2]);
    else if (op[0] === 'delete') timers.delete(op[1], op[2]);
    else for (let t = timers.pollDue(op[1]); t; t = timers.pollDue(op[1])) fired.push(`${String(t.key)}@${t.time}`);
  }
  return fired;
}

const cases: { name: string; ops: Op[]; fired: string[] }[] = [
  {
    name: 'fires every timer ≤ the watermark, earliest first',
    ops: [['register', 'a', 10], ['register', 'b', 5], ['register', 'c', 11], ['fire', 10]],
    fired: ['b@5', 'a@10'],
  },
  {
    name: 'equal times fire in registration order, not key order',
    ops: [['register', 'k2', 10], ['register', 'k1', 10], ['register', 'k3', 10], ['fire', 10]],
    fired: ['k2@10', 'k1@10', 'k3@10'],
  },
  {
    name: 'registering (key, time) twice keeps one timer and its first place',
    ops: [['register', 'a', 10], ['register', 'b', 10], ['register', 'a', 10], ['fire', 20]],
    fired: ['a@10', 'b@10'],
  },
  {
    name: 'the same time for two keys is two timers',
    ops: [['register', 'a', 10], ['register', 'b', 10], ['fire', 10]],
    fired: ['a@10', 'b@10'],
  },
  {
    name: 'a deleted timer does not fire; deleting an unknown timer is a no-op',
    ops: [['register', 'a', 10], ['register', 'b', 10], ['delete', 'a', 10], ['delete', 'z', 10], ['delete', 'b', 11], ['fire', 10]],
    fired: ['b@10'],
  },
  {
    name: 'deleted and registered again counts as registered anew',
    ops: [['register', 'a', 10], ['register', 'b', 10], ['delete', 'a', 10], ['register', 'a', 10], ['fire', 10]],
    fired: ['b@10', 'a@10'],
  },
  {
    name: 'a fired timer can be registered again',
    ops: [['register', 'a', 10], ['fire', 10], ['register', 'a', 10], ['fire', 10]],
    fired: ['a@10', 'a@10'],
  },
  {
    name: 'nothing fires below the earliest timer',
    ops: [['register', 'a', 10], ['fire', 9]],
    fired: [],
  },
];

for (const tc of cases) {
  test(`timers: ${tc.name}`, () => assert.deepEqual(run(tc.ops), tc.fired));
}

test('timers: a non-finite time is refused', () => {
  const timers = new EventTimeTimers();
  for (const bad of [NaN, Infinity, -Infinity]) assert.throws(() => timers.register('a', 'a', bad), TimerTimeError);
});

test('timers: snapshot keeps firing order through a JSON round trip', () => {
  const timers = new EventTimeTimers();
  run([['register', 'k2', 10], ['register', 'k1', 10], ['register', 'k1', 3], ['register', 'k3', 7], ['delete', 'k3', 7]], timers);
  const restored = new EventTimeTimers();
  restored.restore(JSON.parse(JSON.stringify(timers.snapshot())), (k) => k as string);
  assert.deepEqual(restored.timesOf('k1'), [3, 10]);
  assert.deepEqual(run([['fire', 100]], restored), ['k1@3', 'k2@10', 'k1@10']);
});

/** The reference: a plain list, scanned in full; what the heap with lazy deletion must equal. */
function reference(ops: readonly Op[]): string[] {
  const live: { key: string; time: number; seq: number }[] = [];
  let seq = 0;
  const fired: string[] = [];
  for (const op of ops) {
    if (op[0] === 'register') {
      if (!live.some((t) => t.key === op[1] && t.time === op[2])) live.push({ key: op[1], time: op[2], seq: seq++ });
    } else if (op[0] === 'delete') {
      const i = live.findIndex((t) => t.key === op[1] && t.time === op[2]);
      if (i >= 0) live.splice(i, 1);
    } else {
      const due = live.filter((t) => t.time <= op[1]).sort((a, b) => a.time - b.time || a.seq - b.seq);
      for (const t of due) {
        fired.push(`${t.key}@${t.time}`);
        live.splice(live.indexOf(t), 1);
      }
    }
  }
  return fired;
}

test('timers: the heap agrees with a naive reference on random register/delete/fire sequences', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const time = fc.integer({ min: 0, max: 30 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constant('register' as const), key, time) },
    { weight: 4, arbitrary: fc.tuple(fc.constant('delete' as const), key, time) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('fire' as const), time) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      // A final fire at the end drains everything, so every live timer is compared.
      const all: Op[] = [...ops, ['fire', 1000]];
      assert.deepEqual(run(all), reference(all));
    }),
    { numRuns: 300 },
  );
});
