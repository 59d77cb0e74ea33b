/**
 * The pieces of flink-cep's test utilities the ported ITCases need: its Event / SubEvent records,
 * NFATestHarness (advanceTime then process per record), feedNFA and comparePatterns (order-insensitive,
 * as NFATestUtilities.compareMaps). Conditions are TypeScript functions where Flink uses lambdas.
 */
import assert from 'node:assert/strict';
import { skipStrategyOf, type AfterMatchSkipStrategy } from '../../../src/engine/cep/nfa/after-match/strategy.js';
import { compilePattern } from '../../../src/engine/cep/nfa/compiler.js';
import { NFA, type NfaMatch, type NfaState } from '../../../src/engine/cep/nfa/nfa.js';
import type { StageCondition } from '../../../src/engine/cep/nfa/state.js';
import { functionConditions, Pattern } from '../../../src/engine/cep/pattern/pattern.js';
import type { NfaObserver } from '../../../src/engine/cep/trace.js';

/** org.apache.flink.cep.Event (and SubEvent, which adds volume). */
export interface Event {
  readonly id: number;
  readonly name: string;
  readonly price: number;
  readonly volume?: number;
}

export function event(id: number, name: string, price: number): Event {
  return { id, name, price };
}

export function subEvent(id: number, name: string, price: number, volume: number): Event {
  return { id, name, price, volume };
}

export type Cond = StageCondition<Event>;
export type EventPattern = Pattern<Cond>;
/** A record with its timestamp: Flink's StreamRecord. */
export type Rec = readonly [Event, number];

export function begin(name: string, skip?: Parameters<typeof Pattern.begin>[1]): EventPattern {
  return Pattern.begin<Cond>(name, skip);
}

/** Flink's SimpleCondition: a condition on the event alone. */
export const named = (name: string): Cond => (e) => e.name === name;

export function compile(pattern: EventPattern, handleTimeout = false, skip?: AfterMatchSkipStrategy, observer?: NfaObserver): NFA<Event> {
  const compiled = compilePattern<Event>(pattern.toSpec((c) => c.toString()), functionConditions(pattern));
  return new NFA(compiled, { handleTimeout, ...(skip === undefined ? {} : { skip }), ...(observer === undefined ? {} : { observer }) });
}

export class NFATestHarness {
  readonly state: NfaState<Event>;
  constructor(readonly nfa: NFA<Event>) {
    this.state = nfa.createState();
  }

  /** forPattern(...).build(): the pattern's own skip strategy. */
  static forPattern(pattern: EventPattern, options: { timeoutHandling?: boolean; skip?: AfterMatchSkipStrategy } = {}): NFATestHarness {
    return new NFATestHarness(compile(pattern, options.timeoutHandling ?? false, options.skip));
  }

  /** forNFA(nfa): Flink's harness then runs with noSkip whatever the pattern says. */
  static forNFA(pattern: EventPattern, handleTimeout = false): NFATestHarness {
    return new NFATestHarness(compile(pattern, handleTimeout, skipStrategyOf({ kind: 'noSkip' })));
  }

  consumeRecord([value, ts]: Rec): NfaMatch<Event>[] {
    this.nfa.advanceTime(this.state, ts);
    return this.nfa.process(this.state, value, ts);
  }

  consumeRecords(records: readonly Rec[]): Map<string, Event[]>[] {
    return records.flatMap((r) => this.consumeRecord(r)).map(values);
  }

  feedRecord(record: Rec): Event[][] {
    return this.consumeRecord(record).map(flatten);
  }

  feedRecords(records: readonly Rec[]): Event[][] {
    return records.flatMap((r) => this.feedRecord(r));
  }
}

export function values(match: NfaMatch<Event>): Map<string, Event[]> {
  return new Map([...match].map(([stage, events]) => [stage, events.map((e) => e.value)]));
}

export function flatten(match: NfaMatch<Event>): Event[] {
  return [...match.values()].flatMap((events) => events.map((e) => e.value));
}

/** NFATestUtilities.feedNFA: noSkip, one advanceTime + process per record. */
export function feedNFA(records: readonly Rec[], pattern: EventPattern): Event[][] {
  return NFATestHarness.forNFA(pattern).feedRecords(records);
}

function compareEvent(a: Event, b: Event): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.price !== b.price) return a.price - b.price;
  return a.id - b.id;
}

function compareList(a: readonly Event[], b: readonly Event[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const c = compareEvent(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

function canonical(patterns: readonly (readonly Event[])[]): Event[][] {
  return patterns.map((p) => [...p].sort(compareEvent)).sort(compareList);
}

/** NFATestUtilities.comparePatterns / compareMaps: same matches, in any order. */
export function comparePatterns(actual: readonly (readonly Event[])[], expected: readonly (readonly Event[])[]): void {
  assert.equal(actual.length, expected.length, `expected ${expected.length} matches, got ${actual.length}: ${JSON.stringify(actual)}`);
  assert.deepEqual(canonical(actual), canonical(expected));
}

/** One ported case: its Flink origin as the name. */
export interface FlinkCase {
  readonly name: string;
  readonly run: () => void;
}
