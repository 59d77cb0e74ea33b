/**
 * Flink's TimesOrMoreITCase (flink-libraries/flink-cep/src/test/.../nfa/TimesOrMoreITCase.java):
 * timesOrMore(n) with every contiguity before and inside the loop, optional or not. Same inputs and
 * expected matches, every case of the class.
 */
import { test } from 'node:test';
import { consecutiveData as data, consecutiveWithGaps as withGaps, cQuantifiedB, feedCase, filler, type EventPattern, type FlinkCase } from './flink-harness.js';

const twoOrMore = (p: EventPattern): EventPattern => p.timesOrMore(2);

const cases: FlinkCase[] = [
  feedCase('TimesOrMoreITCase.testTimesOrMore', data, [['s', 1], ['m1', 2], ['m2', 3], ['m3', 4], ['e', 6]], cQuantifiedB('followedBy', twoOrMore, 'combinations', false), [
    's m1 m2 m3 e', 's m1 m2 e', 's m1 m3 e',
  ]),
  feedCase('TimesOrMoreITCase.testTimesOrMoreNonStrict', data, withGaps, cQuantifiedB('followedByAny', twoOrMore, 'combinations', false), [
    's m1 m2 m3 e', 's m1 m2 e', 's m1 m3 e', 's m2 m3 e',
  ]),
  // As in Flink, this case uses times(2).consecutive().
  feedCase('TimesOrMoreITCase.testTimesOrMoreStrict', data, withGaps, cQuantifiedB('followedByAny', (p) => p.times(2), 'consecutive', false), ['s m2 m3 e']),
  feedCase('TimesOrMoreITCase.testTimesOrMoreStrictOptional', data, withGaps, cQuantifiedB('followedByAny', twoOrMore, 'consecutive', true), ['s m2 m3 e', 's e']),
  feedCase('TimesOrMoreITCase.testTimesOrMoreStrictOptional2', data, [['s', 1], ['m1', 3], ['m2', 5], ['m3', 6], ['e', 7]], cQuantifiedB('next', twoOrMore, 'consecutive', true), [
    's m1 m2 m3 e', 's m1 m2 e', 's e',
  ]),
  feedCase('TimesOrMoreITCase.testTimesOrMoreNonStrictOptional', data, [['s', 1], [filler(), 2], ['e', 7]], cQuantifiedB('followedBy', twoOrMore, 'eager', true), ['s e']),
  feedCase('TimesOrMoreITCase.testTimesOrMoreNonStrictOptional2', data, withGaps, cQuantifiedB('followedByAny', twoOrMore, 'combinations', true), [
    's m1 m2 m3 e', 's m1 m2 e', 's m1 m3 e', 's m2 m3 e', 's e',
  ]),
  feedCase('TimesOrMoreITCase.testTimesOrMoreNonStrictOptional3', data, withGaps, cQuantifiedB('followedByAny', twoOrMore, 'eager', true), [
    's m1 m2 m3 e', 's m1 m2 e', 's m2 m3 e', 's e',
  ]),
  feedCase(
    'TimesOrMoreITCase.testTimesOrMoreNonStrictWithNext',
    data,
    [['s', 1], ['m1', 2], [filler(), 3], ['m2', 4], [filler(), 5], ['m3', 6], ['e', 7]],
    cQuantifiedB('next', twoOrMore, 'combinations', false),
    ['s m1 m2 m3 e', 's m1 m2 e', 's m1 m3 e'],
  ),
  feedCase('TimesOrMoreITCase.testTimesOrMoreNotStrictWithFollowedBy', data, [['s', 1], ['m1', 2], ['m2', 4], ['m3', 6], ['e', 7]], cQuantifiedB('followedBy', twoOrMore, 'eager', false), [
    's m1 m2 m3 e', 's m1 m2 e',
  ]),
  feedCase(
    'TimesOrMoreITCase.testTimesOrMoreNotStrictWithFollowedByAny',
    data,
    [['s', 1], ['m1', 2], ['m2', 4], ['m3', 6], ['e', 7]],
    cQuantifiedB('followedByAny', twoOrMore, 'combinations', false),
    ['s m1 m2 m3 e', 's m1 m2 e', 's m2 m3 e', 's m1 m3 e'],
  ),
];

for (const c of cases) test(c.name, c.run);
