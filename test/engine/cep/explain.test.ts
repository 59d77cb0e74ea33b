/** `explainPattern`: the compiled NFA printed with its TAKE / IGNORE / PROCEED edges. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainPattern } from '../../../src/engine/cep/explain.js';
import { Pattern } from '../../../src/engine/cep/pattern/pattern.js';

const cases: { name: string; pattern: Pattern; expected: string }[] = [
  {
    name: 'binge: next more times(3) within 2h — a strict chain, the loop\'s inner states ignore non-matching events',
    pattern: Pattern.begin('start').where("eventType == 'content.watched'").next('more').where("eventType == 'content.watched'").times(3).within('2h'),
    expected: [
      'pattern: start → more',
      'within: 2h   skip: noSkip   states: 5',
      '',
      'start  (start: every event may begin a match here)',
      '  TAKE    → more:1            if start.where',
      'more:1',
      '  TAKE    → more:0            if more.where',
      'more:0',
      '  TAKE    → more              if more.where',
      '  IGNORE  → more:0 (self)     if !more.where',
      'more',
      '  TAKE    → $endState$        if more.where',
      '  IGNORE  → more (self)       if !more.where',
      '$endState$  (final: a run reaching it is a match)',
    ].join('\n'),
  },
  {
    name: 'notFollowedBy at the end with within: a Pending state that completes when within expires',
    pattern: Pattern.begin('order', { kind: 'skipPastLastEvent' }).where("type == 'order'").notFollowedBy('payment').where("type == 'payment'").within('15m'),
    expected: [
      'pattern: order → payment',
      'within: 15m   skip: skipPastLastEvent   states: 4',
      '',
      'order  (start: every event may begin a match here)',
      '  TAKE    → payment           if order.where',
      'payment  (pending: completes as a match when within expires (notFollowedBy at the end))',
      '  PROCEED → payment:0         if payment.where',
      '  IGNORE  → payment (self)    if !payment.where',
      'payment:0  (stop: a run reaching it is discarded (negated stage seen))',
      '  TAKE    → payment:0 (self)  if payment.where',
    ].join('\n'),
  },
  {
    name: 'group pattern (a b)+: the group compiles in place (a repeating group returns through its GroupPattern state to its first stage)',
    pattern: Pattern.begin('start').where("type == 'c'")
      .followedBy(Pattern.begin('a').where("type == 'a'").followedBy('b').where("type == 'b'")).oneOrMore()
      .followedBy('end').where("type == 'd'").within('1h'),
    expected: [
      'pattern: start → (a → b) → end',
      'within: 1h   skip: noSkip   states: 8',
      '',
      'start  (start: every event may begin a match here)',
      '  TAKE    → a:0                 if start.where',
      'a:0',
      '  TAKE    → b:0                 if a.where',
      '  IGNORE  → a:0 (self)          if !a.where',
      'b:0',
      '  TAKE    → a                   if b.where',
      '  IGNORE  → b:0 (self)          if !b.where',
      'a',
      '  TAKE    → b                   if a.where',
      '  IGNORE  → a (self)            if !a.where',
      '  PROCEED → end                 if true',
      'b',
      '  TAKE    → GroupPattern        if b.where',
      '  IGNORE  → b (self)            if !b.where',
      'end',
      '  TAKE    → $endState$          if end.where',
      '  IGNORE  → end (self)          if !end.where',
      'GroupPattern',
      '  PROCEED → a                   if true',
      '$endState$  (final: a run reaching it is a match)',
    ].join('\n'),
  },
  {
    name: "within('30s', 'previousAndCurrent'): the stage's state times out 30s after the previous event",
    pattern: Pattern.begin('search').where('t').followedBy('click').where('c').within('30s', 'previousAndCurrent'),
    expected: [
      'pattern: search → click',
      'within: none   skip: noSkip   states: 3',
      '',
      'search  (start: every event may begin a match here)',
      '  TAKE    → click             if search.where',
      'click',
      '  (times out 30s after the previous event)',
      '  TAKE    → $endState$        if click.where',
      '  IGNORE  → click (self)      if !click.where',
      '$endState$  (final: a run reaching it is a match)',
    ].join('\n'),
  },
];

for (const c of cases) test(c.name, () => assert.equal(explainPattern(c.pattern.toSpec()), c.expected));
