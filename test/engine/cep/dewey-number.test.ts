/**
 * Dewey versions: Flink's DeweyNumberTest (testDeweyNumberGeneration, testZeroSplitsDeweyNumber),
 * and a differential test of isCompatibleWith / equals (shared-prefix lists) against Flink's
 * digit-array definition, on versions grown the way the NFA grows them (a new representation of
 * versions must pass it unchanged). Versions are handles into a reference-counted pool: the tests
 * also check that every version is freed once its last reference is released.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Dewey from '../../../src/engine/cep/nfa/dewey-number.js';
import type { Version } from '../../../src/engine/cep/nfa/dewey-number.js';
import { random } from '../../seeded-random.js';
import { compile, event, lifecyclePatterns } from './flink-harness.js';

const parse = (text: string): Version => {
  const version = Dewey.parse(text);
  assert.ok(version !== Dewey.NO_VERSION, text);
  return version;
};

test('DeweyNumberTest.testDeweyNumberGeneration', () => {
  const liveBefore = Dewey.liveVersions();
  const start = Dewey.of(1);
  const increased = Dewey.increase(start);
  const increaseAddStage = Dewey.addStage(increased);
  const startAddStage = Dewey.addStage(start);
  const startAddStageIncreased = Dewey.increase(startAddStage);
  const startAddStageIncreasedAddStage = Dewey.addStage(startAddStageIncreased);

  const made = [start, increased, increaseAddStage, startAddStage, startAddStageIncreased, startAddStageIncreasedAddStage];
  const expected = ['1', '2', '2.0', '1.0', '1.1', '1.1.0'];
  made.forEach((version, i) => {
    const parsed = parse(expected[i]!);
    assert.ok(Dewey.equals(parsed, version), expected[i]);
    assert.equal(Dewey.toString(version), expected[i]);
    Dewey.release(parsed);
  });

  assert.ok(Dewey.isCompatibleWith(startAddStage, start));
  assert.ok(Dewey.isCompatibleWith(startAddStageIncreased, startAddStage));
  assert.ok(Dewey.isCompatibleWith(startAddStageIncreasedAddStage, startAddStageIncreased));
  assert.ok(!Dewey.isCompatibleWith(startAddStageIncreasedAddStage, startAddStage));
  assert.ok(!Dewey.isCompatibleWith(increaseAddStage, startAddStage));
  assert.ok(!Dewey.isCompatibleWith(startAddStage, increaseAddStage));
  assert.ok(!Dewey.isCompatibleWith(startAddStageIncreased, startAddStageIncreasedAddStage));
  for (const version of made) Dewey.release(version);
  assert.equal(Dewey.liveVersions(), liveBefore);
});

test('DeweyNumberTest.testZeroSplitsDeweyNumber: "." is not a version', () => {
  assert.equal(Dewey.parse('.'), Dewey.NO_VERSION);
});

/** Flink's DeweyNumber.isCompatibleWith over digit arrays. */
function compatible(a: readonly number[], b: readonly number[]): boolean {
  if (a.length > b.length) return b.every((d, i) => a[i] === d);
  if (a.length === b.length) return a.slice(0, -1).every((d, i) => b[i] === d) && a[a.length - 1]! >= b[b.length - 1]!;
  return false;
}

test('isCompatibleWith and equals agree with the digit-array definition on versions grown by increase / addStage / branch, and on parsed copies; releasing every reference frees every version', () => {
  const liveBefore = Dewey.liveVersions();
  const next = random(3);
  const grown: Version[] = [Dewey.of(1), Dewey.of(2)];
  // Digits as Flink computes them, kept next to each handle.
  const digits: number[][] = [[1], [2]];
  for (let i = 0; i < 400; i++) {
    const at = Math.floor(next() * grown.length);
    const from = grown[at]!;
    const d = digits[at]!;
    const r = next();
    // Small digits and few roots, so that equal prefixes, equal roots and ties are common.
    if (r < 0.3) {
      grown.push(Dewey.addStage(from));
      digits.push([...d, 0]);
    } else if (r < 0.6) {
      const times = 1 + Math.floor(next() * 2);
      grown.push(Dewey.increase(from, times));
      digits.push([...d.slice(0, -1), d[d.length - 1]! + times]);
    } else if (r < 0.8) {
      const times = Math.floor(next() * 2);
      grown.push(Dewey.branch(from, times));
      digits.push([...d.slice(0, -1), d[d.length - 1]! + times, 0]);
    } else {
      grown.push(Dewey.increase(from, 0));
      digits.push(d);
    }
    // Now and then a version is dropped: its slot is reused, which must not change the others.
    if (next() < 0.15 && grown.length > 2) {
      const drop = Math.floor(next() * grown.length);
      Dewey.release(grown[drop]!);
      grown.splice(drop, 1);
      digits.splice(drop, 1);
    }
  }
  // Parsed copies share no slots with the grown versions: the comparison must read digits.
  const versions = [...grown, ...grown.slice(0, 100).map((v) => parse(Dewey.toString(v)))];
  const all = [...digits, ...digits.slice(0, 100)];
  let compatiblePairs = 0;
  for (let i = 0; i < versions.length; i++) {
    assert.equal(Dewey.toString(versions[i]!), all[i]!.join('.'));
    for (let j = 0; j < versions.length; j++) {
      const expected = compatible(all[i]!, all[j]!);
      if (expected) compatiblePairs++;
      const [a, b] = [Dewey.toString(versions[i]!), Dewey.toString(versions[j]!)];
      assert.equal(Dewey.isCompatibleWith(versions[i]!, versions[j]!), expected, `${a} compatible with ${b}`);
      assert.equal(Dewey.equals(versions[i]!, versions[j]!), all[i]!.join('.') === all[j]!.join('.'), `${a} equals ${b}`);
    }
  }
  // Both answers are well represented (the generator is not degenerate).
  assert.ok(compatiblePairs > versions.length * 2 && compatiblePairs < versions.length ** 2 / 2, `${compatiblePairs} compatible pairs`);
  for (const version of versions) Dewey.release(version);
  assert.equal(Dewey.liveVersions(), liveBefore);
});

test('an NFA leaves no version behind: after a stream, timeouts and disposing its key states, the pool holds what it held before', () => {
  const patterns = lifecyclePatterns();
  const next = random(9);
  const names = ['a', 'b', 'c', 'd'];
  for (const [name, pattern, skip] of patterns) {
    const before = Dewey.liveVersions();
    const nfa = compile(pattern, true, skip);
    const states = Array.from({ length: 4 }, () => nfa.createState());
    let matches = 0;
    for (let ts = 0; ts < 400; ts++) {
      const state = states[Math.floor(next() * states.length)]!;
      matches += nfa.advanceTime(state, ts).matches.length;
      matches += nfa.process(state, event(ts, names[Math.floor(next() * names.length)]!, ts), ts).length;
    }
    assert.ok(matches > 0, `${name}: ${matches} matches`);
    // Half the keys time out first, the others are dropped with live partial matches.
    for (const state of states.slice(0, 2)) nfa.advanceTime(state, 10_000);
    for (const state of states) nfa.dispose(state);
    assert.equal(Dewey.liveVersions(), before, name);
  }
});
