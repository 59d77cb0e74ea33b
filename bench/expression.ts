/**
 * Evaluations per second of compiled expressions, side by side with @marcbachmann/cel-js's own
 * evaluator on the same expressions and records: parse once and evaluate many (its fast path), and
 * its one-call evaluate(source, context) for the filter.
 * Run: npx tsc -p . && node dist/bench/expression.js
 */
import { evaluate, parse } from '@marcbachmann/cel-js';
import { compileExpression } from '../src/engine/expression/index.js';

interface Case {
  readonly name: string;
  readonly source: string;
  readonly bindings?: readonly string[];
  /** The source as cel-js accepts it (its ints and doubles do not mix), or null to skip it. */
  readonly celSource: string | null;
}

const CASES: readonly Case[] = [
  { name: 'simple comparison', source: 'price > 100', celSource: 'price > 100' },
  {
    name: 'filter (two comparisons)',
    source: "eventType == 'content.watched' && price > 100",
    celSource: "eventType == 'content.watched' && price > 100",
  },
  { name: 'nested field', source: "eventType == 'content.watched' && metadata.price > 100", celSource: "eventType == 'content.watched' && metadata.price > 100" },
  { name: 'startsWith', source: "userId.startsWith('premium_')", celSource: "userId.startsWith('premium_')" },
  { name: 'in list', source: "action in ['view', 'click']", celSource: "action in ['view', 'click']" },
  {
    name: 'score (arithmetic, min)',
    source: '0.3 * min(users / 100.0, 1.0) + 0.3 * min(watches / 500.0, 1.0)',
    celSource: null,
  },
  { name: 'iterative condition', source: 'price > sum(more.map(e, e.price)) / size(more)', bindings: ['more'], celSource: null },
];

// Records come from JSON text, as the reader gives them (V8 treats parsed strings differently from literals).
const EVENTS = Array.from({ length: 1024 }, (_, i) => JSON.parse(JSON.stringify({
  eventType: i % 3 === 0 ? 'content.watched' : 'content.paused',
  price: (i * 37) % 200,
  metadata: { price: (i * 53) % 200 },
  userId: i % 5 === 0 ? `premium_${i}` : `u${i}`,
  action: ['view', 'click', 'scroll'][i % 3]!,
  users: i % 150,
  watches: (i * 7) % 700,
})) as Record<string, unknown>);
const MORE = [{ price: 90 }, { price: 110 }, { price: 120 }];
const bindings = (name: string): unknown => (name === 'more' ? MORE : undefined);

/** Runs `evaluate` over the events for about `ms` milliseconds; returns evaluations per second. */
function measure(evaluate: (event: Record<string, unknown>) => unknown, ms = 300): number {
  let sink = 0;
  let count = 0;
  for (let i = 0; i < 20_000; i++) if (evaluate(EVENTS[i & 1023]!)) sink++; // warm-up, lets V8 optimise
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 65_536; i++) if (evaluate(EVENTS[i & 1023]!)) sink++;
    count += 65_536;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink < 0) console.log(sink);
  return count / (Number(elapsed) / 1e9);
}

const format = (perSecond: number) => `${(perSecond / 1e6).toFixed(2).padStart(8)} M/s`;

console.log(`${'expression'.padEnd(28)} ${'sw closures'.padStart(12)} ${'cel-js'.padStart(12)}  speed-up`);
for (const c of CASES) {
  const compiled = compileExpression(c.source, { where: `bench.${c.name}`, bindings: c.bindings ?? [] });
  const program = c.celSource === null ? null : parse(c.celSource);
  // Best of three alternating rounds: other processes on the machine make single runs noisy.
  let ours = 0;
  let theirs: number | null = null;
  for (let round = 0; round < 3; round++) {
    ours = Math.max(ours, measure((event) => compiled.evaluate(event, bindings)));
    if (program !== null) theirs = Math.max(theirs ?? 0, measure((event) => program(event)));
  }
  const ratio = theirs === null ? '' : `${(ours / theirs).toFixed(1)}×`;
  console.log(`${c.name.padEnd(28)} ${format(ours)} ${theirs === null ? '      (n/a)' : format(theirs)}  ${ratio}`);
}
// cel-js's one-call evaluate(source, context) parses the source on every call.
const filter = CASES[1]!.source;
console.log(`${'filter, cel-js evaluate()'.padEnd(28)} ${''.padStart(12)} ${format(measure((event) => evaluate(filter, event), 300))}  (parses on every call)`);
console.log('n/a: cel-js rejects mixing its int and double (users / 100.0 with users a double; sum() is ours).');
