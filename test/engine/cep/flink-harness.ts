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

/** StreamRecord without a timestamp: Flink reports Long.MIN_VALUE, so all such records tie. */
export const NO_TIMESTAMP = Number.MIN_SAFE_INTEGER;

export function begin(name: string | EventPattern, skip?: Parameters<typeof Pattern.begin>[1]): EventPattern {
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
  static forNFA(pattern: EventPattern, handleTimeout = false, skip: AfterMatchSkipStrategy = skipStrategyOf({ kind: 'noSkip' })): NFATestHarness {
    return new NFATestHarness(compile(pattern, handleTimeout, skip));
  }

  /** Matches released by advanceTime (pending notFollowedBy-at-end runs, skip-delayed matches), then process's. */
  consumeRecord([value, ts]: Rec): NfaMatch<Event>[] {
    const pending = this.nfa.advanceTime(this.state, ts).matches;
    return [...pending, ...this.nfa.process(this.state, value, ts)];
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

/** advanceTime then process per record, keeping everything: matches, pending matches from advanceTime, timeouts. */
export function runRecords(harness: NFATestHarness, records: readonly Rec[]): {
  matches: Map<string, Event[]>[];
  pending: Map<string, Event[]>[];
  timeouts: [Map<string, Event[]>, number][];
} {
  const matches: Map<string, Event[]>[] = [];
  const pending: Map<string, Event[]>[] = [];
  const timeouts: [Map<string, Event[]>, number][] = [];
  for (const [value, ts] of records) {
    const advanced = harness.nfa.advanceTime(harness.state, ts);
    pending.push(...advanced.matches.map(values));
    timeouts.push(...advanced.timeouts.map((t): [Map<string, Event[]>, number] => [values(t.match), t.timestamp]));
    matches.push(...harness.nfa.process(harness.state, value, ts).map(values));
  }
  return { matches, pending, timeouts };
}

/** A match map as stable text: stages sorted, as Java's Map equality ignores order. */
export function mapKey(map: ReadonlyMap<string, readonly Event[]> | Record<string, readonly Event[]>): string {
  const entries = map instanceof Map ? [...map] : Object.entries(map);
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Java Set equality of match maps (duplicates collapse). */
export function assertSameSet(actual: readonly string[], expected: readonly string[]): void {
  assert.deepEqual([...new Set(actual)].sort(), [...new Set(expected)].sort());
}

/** Named events of a case: name → [id, name, price] or [id, name, price, volume] (a SubEvent). */
export type EventTable = Record<string, readonly [number, string, number] | readonly [number, string, number, number]>;

export function eventsOf(table: EventTable): Record<string, Event> {
  const result: Record<string, Event> = {};
  for (const [key, [id, name, price, volume]] of Object.entries(table))
    result[key] = volume === undefined ? event(id, name, price) : subEvent(id, name, price, volume);
  return result;
}

/**
 * The usual ITCase shape, written as a table: named events, the input as (event, timestamp) rows
 * (a name from the table, or an inline unnamed event), and each expected match as the names of its
 * events separated by spaces. Fed with feedNFA (noSkip) unless `harness` says forPattern.
 */
export function feedCase(
  name: string,
  table: EventTable,
  input: readonly (readonly [string | Event, number])[],
  pattern: () => EventPattern,
  expected: readonly string[],
  /** forNFA (noSkip), forPattern (the pattern's strategy) or forPattern(...).withAfterMatchSkipStrategy(strategy). */
  harness: 'forNFA' | 'forPattern' | AfterMatchSkipStrategy = 'forNFA',
): FlinkCase {
  return {
    name,
    run() {
      const events = eventsOf(table);
      const pick = (ref: string | Event): Event => {
        if (typeof ref !== 'string') return ref;
        const e = events[ref];
        if (e === undefined) throw new Error(`${name}: no event named ${ref}`);
        return e;
      };
      const records: Rec[] = input.map(([ref, ts]) => [pick(ref), ts]);
      const h =
        harness === 'forNFA'
          ? NFATestHarness.forNFA(pattern())
          : harness === 'forPattern'
            ? NFATestHarness.forPattern(pattern())
            : NFATestHarness.forPattern(pattern(), { skip: harness });
      comparePatterns(
        h.feedRecords(records),
        expected.map((line) => (line === '' ? [] : line.split(' ').map(pick))),
      );
    },
  };
}

/** The ConsecutiveData of TimesOrMoreITCase and TimesRangeITCase: c, three a's, b. */
export const consecutiveData = { s: [40, 'c', 1.0], m1: [41, 'a', 2.0], m2: [42, 'a', 3.0], m3: [43, 'a', 4.0], e: [44, 'b', 5.0] } as const;
/** Their `new Event(23, "f", 1.0)` filler. */
export const filler = (): Event => event(23, 'f', 1.0);
/** start, f, m1, f, m2, m3, end: the input of their non-strict cases. */
export const consecutiveWithGaps: [string | Event, number][] = [['s', 1], [filler(), 2], ['m1', 3], [filler(), 4], ['m2', 5], ['m3', 6], ['e', 7]];

/**
 * Their pattern: start c, then middle a with `contiguity`, quantified by `quantify`, with the inner
 * contiguity (eager = Flink's default), optional or not, then followedBy end1 b.
 */
export function cQuantifiedB(
  contiguity: 'next' | 'followedBy' | 'followedByAny',
  quantify: (p: EventPattern) => EventPattern,
  inner: 'eager' | 'combinations' | 'consecutive',
  optional: boolean,
): () => EventPattern {
  return () => {
    let p = quantify(begin('start').where(named('c'))[contiguity]('middle').where(named('a')));
    if (inner === 'combinations') p = p.allowCombinations();
    if (inner === 'consecutive') p = p.consecutive();
    if (optional) p = p.optional();
    return p.followedBy('end1').where(named('b'));
  };
}

/**
 * feedCase (forNFA) for Flink's NFATestHarness.withNFAState cases, which afterwards check the
 * partial matches left: `alive` lists their state names (null: no check).
 */
export function feedCaseLeaving(
  name: string,
  table: EventTable,
  input: readonly (readonly [string, number])[],
  pattern: () => EventPattern,
  expected: readonly string[],
  alive: readonly string[] | null,
): FlinkCase {
  return {
    name,
    run() {
      const e = eventsOf(table);
      const harness = NFATestHarness.forNFA(pattern());
      const records: Rec[] = input.map(([ref, ts]) => [e[ref]!, ts]);
      comparePatterns(harness.feedRecords(records), expected.map((line) => line.split(' ').map((ref) => e[ref]!)));
      if (alive !== null) assert.deepEqual(harness.nfa.runStates(harness.state), alive);
    },
  };
}

/**
 * Four patterns that exercise a key's storage life cycle (branching versions, skip strategies,
 * Stop and Pending states, within), for the tests of what the NFA leaves behind.
 */
export function lifecyclePatterns(): [string, EventPattern, AfterMatchSkipStrategy | undefined][] {
  const isA = named('a');
  const isB = named('b');
  const isC = named('c');
  return [
    ['followedByAny within', begin('s').where(isA).followedByAny('e').where(isB).within(20), undefined],
    ['times(3) next, skipPastLastEvent', begin('s').where(isA).next('m').where(isA).times(3).within(30), skipStrategyOf({ kind: 'skipPastLastEvent' })],
    ['greedy consecutive oneOrMore, skipToNext', begin('s').where(isA).followedBy('m').where(isB).oneOrMore().consecutive().greedy().next('e').where(isC).within(25), skipStrategyOf({ kind: 'skipToNext' })],
    ['oneOrMore allowCombinations, notFollowedBy at the end', begin('s').where(isA).followedBy('m').where(isB).oneOrMore().allowCombinations().notFollowedBy('n').where(isC).within(15), undefined],
  ];
}
