/**
 * Flink's TimesRangeITCase (flink-libraries/flink-cep/src/test/.../nfa/TimesRangeITCase.java):
 * times(from, to), from zero too, with every contiguity before and inside the loop, optional or not.
 * Same inputs and expected matches, every case of the class.
 */
import { test } from 'node:test';
import { consecutiveData as data, consecutiveWithGaps as withGaps, cQuantifiedB, feedCase, filler, type EventPattern, type FlinkCase } from './flink-harness.js';

const times = (from: number, to: number) => (p: EventPattern): EventPattern => p.times(from, to);
const noGaps: [string, number][] = [['s', 1], ['m1', 2], ['m2', 3], ['m3', 4], ['e', 6]];
const spaced: [string, number][] = [['s', 1], ['m1', 2], ['m2', 4], ['m3', 6], ['e', 7]];

const cases: FlinkCase[] = [
  feedCase('TimesRangeITCase.testTimesRange', data, noGaps, cQuantifiedB('next', times(1, 3), 'combinations', false), [
    's m1 m2 m3 e', 's m1 m2 e', 's m1 m3 e', 's m1 e',
  ]),
  feedCase('TimesRangeITCase.testTimesRangeFromZero', data, noGaps, cQuantifiedB('next', times(0, 2), 'combinations', false), [
    's m1 m2 e', 's m1 m3 e', 's m1 e', 's e',
  ]),
  feedCase('TimesRangeITCase.testTimesRangeNonStrict', data, withGaps, cQuantifiedB('followedByAny', times(1, 3), 'combinations', false), [
    's m1 m2 m3 e', 's m1 m2 e', 's m1 m3 e', 's m2 m3 e', 's m1 e', 's m2 e', 's m3 e',
  ]),
  feedCase('TimesRangeITCase.testTimesRangeStrict', data, withGaps, cQuantifiedB('followedByAny', times(0, 3), 'consecutive', false), [
    's m2 m3 e', 's m1 e', 's m2 e', 's m3 e', 's e',
  ]),
  feedCase('TimesRangeITCase.testTimesRangeStrictOptional', data, withGaps, cQuantifiedB('followedByAny', times(1, 3), 'consecutive', true), [
    's m2 m3 e', 's m1 e', 's m2 e', 's m3 e', 's e',
  ]),
  feedCase('TimesRangeITCase.testTimesRangeStrictOptional1', data, [['s', 1], ['m1', 3], ['m2', 5], ['m3', 6], ['e', 7]], cQuantifiedB('next', times(1, 3), 'consecutive', true), [
    's m1 m2 m3 e', 's m1 m2 e', 's m1 e', 's e',
  ]),
  feedCase('TimesRangeITCase.testTimesRangeNonStrictOptional1', data, [['s', 1], [filler(), 2], ['e', 7]], cQuantifiedB('followedBy', times(1, 3), 'eager', true), ['s e']),
  feedCase('TimesRangeITCase.testTimesRangeNonStrictOptional2', data, withGaps, cQuantifiedB('followedByAny', times(2, 3), 'combinations', true), [
    's m1 m2 m3 e', 's m1 m2 e', 's m1 m3 e', 's m2 m3 e', 's e',
  ]),
  feedCase('TimesRangeITCase.testTimesRangeNonStrictOptional3', data, withGaps, cQuantifiedB('followedByAny', times(2, 3), 'eager', true), [
    's m1 m2 m3 e', 's m1 m2 e', 's m2 m3 e', 's e',
  ]),
  feedCase(
    'TimesRangeITCase.testTimesRangeNonStrictWithNext',
    data,
    [['s', 1], ['m1', 2], [filler(), 3], ['m2', 4], [filler(), 5], ['m3', 6], ['e', 7]],
    cQuantifiedB('next', times(2, 3), 'combinations', false),
    ['s m1 m2 m3 e', 's m1 m2 e', 's m1 m3 e'],
  ),
  feedCase('TimesRangeITCase.testTimesRangeNotStrictWithFollowedBy', data, spaced, cQuantifiedB('followedBy', times(2, 3), 'eager', false), ['s m1 m2 m3 e', 's m1 m2 e']),
  feedCase('TimesRangeITCase.testTimesRangeNotStrictWithFollowedByAny', data, spaced, cQuantifiedB('followedByAny', times(2, 3), 'combinations', false), [
    's m1 m2 m3 e', 's m1 m2 e', 's m2 m3 e', 's m1 m3 e',
  ]),
];

for (const c of cases) test(c.name, c.run);
