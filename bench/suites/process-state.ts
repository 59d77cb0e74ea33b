/**
 * The keyed process operator in memory (no file, no parsing): what keyed state, TTL and timers
 * cost per record, and what a checkpoint of the state costs (issue 9 targets checkpointing every
 * 100K events at under 10% of throughput).
 *   - "value-state counter": one ValueState read + write per record, 10K keys;
 *   - "timer per record": one event-time timer per record (10K keys), fired by the watermark;
 *   - "fraud scorer": the financial scorer (map, value and TTL state, velocity timers),
 *     2K users, one transaction per user every ~7 minutes of event time, near home;
 *   - "snapshot": the fraud scorer's state after the run, snapshot() + JSON.stringify.
 */
import type { Fields, OutputRecord } from '../../src/engine/operator.js';
import type { ProcessFunction } from '../../src/engine/process.js';
import { ProcessOperator } from '../../src/engine/process/process-operator.js';
import { FraudScorer } from '../../src/scenarios/financial/fraud-scorer.js';
import { throughputRow, type BenchRow } from '../suite.js';

export const name = 'process-state';

const EVENTS = 200_000;
const OUT_OF_ORDERNESS = 30_000;

/** xorshift32: deterministic inputs, so runs compare. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

interface Input {
  readonly fields: Fields[];
  readonly times: number[];
}

function counterInput(keys: number): Input {
  const next = random(7);
  const fields: Fields[] = [];
  const times: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    fields.push({ key: `k${Math.floor(next() * keys)}` });
    times.push(1_767_225_600_000 + i * 10);
  }
  return { fields, times };
}

function transactionInput(users: number): Input {
  const next = random(11);
  const types = ['payment', 'payment', 'payment', 'withdrawal', 'transfer', 'deposit', 'investment'];
  const fields: Fields[] = [];
  const times: number[] = [];
  // 2K users, one transaction each ~7 min: 2000 / 420 s ≈ 4.8 transactions per event-time second.
  const step = (7 * 60_000) / users;
  for (let i = 0; i < EVENTS; i++) {
    const user = Math.floor(next() * users);
    fields.push({
      transaction_id: `tx${i}`,
      user_id: `user_${user}`,
      transaction_type: types[Math.floor(next() * types.length)],
      amount: Math.round(50 + next() * 200),
      // Home plus up to ~5 km, to 3 decimals: users come back to a few dozen places.
      location: { latitude: 37 + (user % 50) + Math.round(next() * 50) / 1000, longitude: 127 + Math.round(next() * 50) / 1000 },
    });
    times.push(1_767_225_600_000 + Math.floor(i * step));
  }
  return { fields, times };
}

const counter = (): ProcessFunction => ({
  processElement(_fields, ctx) {
    const count = ctx.state.value<number>('count');
    count.update((count.value() ?? 0) + 1);
  },
});

const timerPerRecord = (): ProcessFunction => ({
  processElement(_fields, ctx) {
    ctx.timers.registerEventTimeTimer(ctx.timestamp + 60_000);
  },
  onTimer(_time, ctx) {
    ctx.state.value<number>('fired').update(1);
  },
});

function drive(operator: ProcessOperator, input: Input): { seconds: number; outputs: number } {
  let outputs = 0;
  const out = { emit: (_record: OutputRecord) => void outputs++ };
  const record = { line: 0, original: () => ({}) };
  let maxTime = -Infinity;
  const started = process.hrtime.bigint();
  for (let i = 0; i < input.fields.length; i++) {
    const ts = input.times[i]!;
    operator.process(input.fields[i]!, ts, record, out);
    if (ts > maxTime) {
      maxTime = ts;
      operator.advanceWatermark(maxTime - OUT_OF_ORDERNESS - 1, out);
    }
  }
  operator.advanceWatermark(Infinity, out);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, outputs };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const counters = counterInput(10_000);
  for (const [subject, create] of [
    ['value-state counter, 10K keys', counter],
    ['timer per record, 10K keys', timerPerRecord],
  ] as const) {
    const operator = new ProcessOperator({ name: 'bench', filter: null, key: (f) => f.key, create });
    const { seconds } = drive(operator, counters);
    rows.push(throughputRow(name, subject, EVENTS, { seconds }, { note: `${operator.pendingTimers} timers left` }));
  }

  const transactions = transactionInput(2_000);
  const scorer = new ProcessOperator({ name: 'fraud', filter: null, key: (f) => f.user_id, create: () => new FraudScorer() });
  // Stop before the final watermark so the snapshot holds live velocity windows and timers.
  let outputs = 0;
  const out = { emit: () => void outputs++ };
  const record = { line: 0, original: () => ({}) };
  let maxTime = -Infinity;
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++) {
    const ts = transactions.times[i]!;
    scorer.process(transactions.fields[i]!, ts, record, out);
    if (ts > maxTime) {
      maxTime = ts;
      scorer.advanceWatermark(maxTime - OUT_OF_ORDERNESS - 1, out);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rows.push(throughputRow(name, 'fraud scorer, 2K users', EVENTS, { seconds }, { note: `${outputs.toLocaleString('en')} assessments` }));

  const snapStarted = process.hrtime.bigint();
  const json = JSON.stringify(scorer.snapshot());
  const snapSeconds = Number(process.hrtime.bigint() - snapStarted) / 1e9;
  rows.push({
    suite: name,
    subject: 'fraud scorer snapshot (JSON)',
    seconds: snapSeconds,
    note: `${(json.length / 1e6).toFixed(1)} MB, ${scorer.pendingTimers.toLocaleString('en')} timers; every 100K events would add ${((snapSeconds / (seconds / 10)) * 100).toFixed(1)}% to the scorer's time`,
  });
  return rows;
}
