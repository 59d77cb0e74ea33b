/**
 * Dewey versions: Flink's DeweyNumberTest (testDeweyNumberGeneration, testZeroSplitsDeweyNumber),
 * and a differential test of isCompatibleWith / equals (shared-prefix lists) against Flink's
 * digit-array definition, on versions grown the way the NFA grows them (a new representation of
 * versions, such as interned small integers, must pass it unchanged).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeweyNumber } from '../../../src/engine/cep/nfa/dewey-number.js';
import { random } from '../../quality/fault-stream.js';

const parse = (text: string): DeweyNumber => {
  const version = DeweyNumber.parse(text);
  assert.ok(version !== null, text);
  return version;
};

test('DeweyNumberTest.testDeweyNumberGeneration', () => {
  const start = DeweyNumber.of(1);
  const increased = start.increase();
  const increaseAddStage = increased.addStage();
  const startAddStage = start.addStage();
  const startAddStageIncreased = startAddStage.increase();
  const startAddStageIncreasedAddStage = startAddStageIncreased.addStage();

  assert.ok(parse('1').equals(start));
  assert.ok(parse('2').equals(increased));
  assert.ok(parse('2.0').equals(increaseAddStage));
  assert.ok(parse('1.0').equals(startAddStage));
  assert.ok(parse('1.1').equals(startAddStageIncreased));
  assert.ok(parse('1.1.0').equals(startAddStageIncreasedAddStage));

  assert.ok(startAddStage.isCompatibleWith(start));
  assert.ok(startAddStageIncreased.isCompatibleWith(startAddStage));
  assert.ok(startAddStageIncreasedAddStage.isCompatibleWith(startAddStageIncreased));
  assert.ok(!startAddStageIncreasedAddStage.isCompatibleWith(startAddStage));
  assert.ok(!increaseAddStage.isCompatibleWith(startAddStage));
  assert.ok(!startAddStage.isCompatibleWith(increaseAddStage));
  assert.ok(!startAddStageIncreased.isCompatibleWith(startAddStageIncreasedAddStage));
});

test('DeweyNumberTest.testZeroSplitsDeweyNumber: "." is not a version', () => {
  assert.equal(DeweyNumber.parse('.'), null);
});

/** Flink's DeweyNumber.isCompatibleWith over digit arrays. */
function compatible(a: readonly number[], b: readonly number[]): boolean {
  if (a.length > b.length) return b.every((d, i) => a[i] === d);
  if (a.length === b.length) return a.slice(0, -1).every((d, i) => b[i] === d) && a[a.length - 1]! >= b[b.length - 1]!;
  return false;
}

test('isCompatibleWith and equals agree with the digit-array definition on versions grown by increase / addStage, and on parsed copies', () => {
  const next = random(3);
  const grown: DeweyNumber[] = [DeweyNumber.of(1), DeweyNumber.of(2)];
  for (let i = 0; i < 400; i++) {
    const from = grown[Math.floor(next() * grown.length)]!;
    const r = next();
    // Small digits and few roots, so that equal prefixes, equal roots and ties are common.
    grown.push(r < 0.4 ? from.addStage() : r < 0.8 ? from.increase(1 + Math.floor(next() * 2)) : from.increase(0));
  }
  // Parsed copies share no objects with the grown versions: the comparison must read digits.
  const versions = [...grown, ...grown.slice(0, 100).map((v) => parse(v.toString()))];
  const digits = versions.map((v) => v.toString().split('.').map(Number));
  let compatiblePairs = 0;
  for (let i = 0; i < versions.length; i++) {
    for (let j = 0; j < versions.length; j++) {
      const expected = compatible(digits[i]!, digits[j]!);
      if (expected) compatiblePairs++;
      assert.equal(versions[i]!.isCompatibleWith(versions[j]!), expected, `${versions[i]} compatible with ${versions[j]}`);
      assert.equal(versions[i]!.equals(versions[j]!), digits[i]!.join('.') === digits[j]!.join('.'), `${versions[i]} equals ${versions[j]}`);
    }
  }
  // Both answers are well represented (the generator is not degenerate).
  assert.ok(compatiblePairs > versions.length * 2 && compatiblePairs < versions.length ** 2 / 2, `${compatiblePairs} compatible pairs`);
});
