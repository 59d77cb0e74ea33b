/**
 * The keyed process operator in memory (no file, no parsing): what keyed state, TTL and timers
 * cost per record, what a checkpoint of the state costs (issue 9 targets checkpointing every
 * 100K events at under 10% of throughput), and what the SQLite state backend costs against the
 * heap one. CPU time (user + system) is the figure to compare; wall time is noise on a busy machine.
 *   - "value-state counter": one ValueState read + write per record, 10K keys;
 *   - "timer per record": one event-time timer per record (10K keys), fired by the watermark;
 *   - "fraud scorer": the financial scorer (map, value and TTL state, velocity timers),
 *     2K users, one transaction per user every ~7 minutes of event time, near home;
 *   - "snapshot": the fraud scorer's state after the run, snapshot() + JSON.stringify;
 *   - the counter and the scorer again on the SQLite backend (a temporary file, as
 *     `--state-backend sqlite` makes): with a cache holding every key (the cost of the cache and
 *     write-back alone) and with a cache of a tenth of the keys (most records load their key from
 *     the file and evict another: state ten times larger than the memory given to it);
 *   - "heap held": 100K keys with a ~0.3 KB value each, the heap the state keeps after a full GC,
 *     memory backend against SQLite with a 1K-key cache (what "larger than memory" buys);
 *   - "large map": 4 keys, each with a MapState of 100K entries, then one put per record to
 *     a random existing entry, the keys taking turns: CPU per put on the heap, on SQLite with every
 *     key cached, and on SQLite with a 1-key cache (every record evicts a key and loads another:
 *     the cost of a map write-back, a row per entry since issue 9, the whole map before).
 */
import type { Fields, OutputRecord } from '../../src/engine/operator.js';
import type { ProcessFunction } from '../../src/engine/process.js';
import { ProcessOperator } from '../../src/engine/process/process-operator.js';
import { MemoryStateBackend } from '../../src/engine/state/memory-backend.js';
import type { StateBackendFactory } from '../../src/engine/state/state-backend.js';
import { FraudScorer } from '../../src/scenarios/financial/fraud-scorer.js';
import { SqliteStateStore, type SqliteStateBackend } from '../../src/state/sqlite-backend.js';
import { Random } from '../../src/synth/random.js';
import { ratioRow, throughputRow, type BenchRow } from '../suite.js';
import { fullGc, startTiming, type Timing } from '../timing.js';

export const name = 'process-state';

const EVENTS = 200_000;
const OUT_OF_ORDERNESS = 30_000;

interface Input {
  readonly fields: Fields[];
  readonly times: number[];
}

function counterInput(keys: number): Input {
  const random = new Random(7); // deterministic inputs, so runs compare
  const fields: Fields[] = [];
  const times: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    fields.push({ key: `k${Math.floor(random.float() * keys)}` });
    times.push(1_767_225_600_000 + i * 10);
  }
  return { fields, times };
}

function transactionInput(users: number): Input {
  const random = new Random(11); // deterministic inputs, so runs compare
  const types = ['payment', 'payment', 'payment', 'withdrawal', 'transfer', 'deposit', 'investment'];
  const fields: Fields[] = [];
  const times: number[] = [];
  // 2K users, one transaction each ~7 min: 2000 / 420 s ≈ 4.8 transactions per event-time second.
  const step = (7 * 60_000) / users;
  for (let i = 0; i < EVENTS; i++) {
    const user = Math.floor(random.float() * users);
    fields.push({
      transaction_id: `tx${i}`,
      user_id: `user_${user}`,
      transaction_type: types[Math.floor(random.float() * types.length)],
      amount: Math.round(50 + random.float() * 200),
      // Home plus up to ~5 km, to 3 decimals: users come back to a few dozen places.
      location: { latitude: 37 + (user % 50) + Math.round(random.float() * 50) / 1000, longitude: 127 + Math.round(random.float() * 50) / 1000 },
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

function drive(operator: ProcessOperator, input: Input, finish = true): { timing: Timing; outputs: number } {
  let outputs = 0;
  const out = { emit: (_record: OutputRecord) => void outputs++ };
  const record = { line: 0, original: () => ({}) };
  let maxTime = -Infinity;
  const stop = startTiming();
  for (let i = 0; i < input.fields.length; i++) {
    const ts = input.times[i]!;
    operator.process(input.fields[i]!, ts, record, out);
    if (ts > maxTime) {
      maxTime = ts;
      operator.advanceWatermark(maxTime - OUT_OF_ORDERNESS - 1, out);
    }
  }
  if (finish) operator.advanceWatermark(Infinity, out);
  return { timing: stop(), outputs };
}

interface Backend {
  readonly label: string;
  /** Undefined: the default heap backend. */
  readonly make?: (store: SqliteStateStore) => SqliteStateBackend;
}

function backendsFor(keys: number): Backend[] {
  return [
    { label: 'memory' },
    { label: 'sqlite, every key cached', make: (store) => store.backend('bench', { cacheKeys: keys }) },
    { label: `sqlite, ${(keys / 10).toLocaleString('en')}-key cache`, make: (store) => store.backend('bench', { cacheKeys: keys / 10 }) },
  ];
}

/** Runs `measure` with the backend's factory; a SQLite store lives in a temporary folder for the run. */
function withBackend<T>(backend: Backend, measure: (factory: StateBackendFactory | undefined, sqlite: () => SqliteStateBackend | null) => T): T {
  if (!backend.make) return measure(undefined, () => null);
  const store = SqliteStateStore.open();
  let made: SqliteStateBackend | null = null;
  try {
    return measure(
      () => (made = backend.make!(store)),
      () => made,
    );
  } finally {
    store.close();
  }
}

function cacheNote(state: SqliteStateBackend | null): string {
  if (!state) return '';
  const { hits, loads, evictions, writes } = state.counters;
  return `; ${loads.toLocaleString('en')} loads, ${hits.toLocaleString('en')} hits, ${evictions.toLocaleString('en')} evictions, ${writes.toLocaleString('en')} rows written`;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const counters = counterInput(10_000);
  const counterRows: BenchRow[] = [];
  for (const backend of backendsFor(10_000)) {
    withBackend(backend, (factory, sqlite) => {
      const operator = new ProcessOperator({ name: 'bench', filter: null, key: (f) => f.key, create: counter }, factory?.('bench'));
      const { timing } = drive(operator, counters);
      counterRows.push(throughputRow(name, `value-state counter, 10K keys, ${backend.label}`, EVENTS, timing, { note: cacheNote(sqlite()).slice(2) || undefined }));
    });
  }
  rows.push(...counterRows, ratioRow(name, counterRows[1]!, counterRows[0]!), ratioRow(name, counterRows[2]!, counterRows[0]!));

  const timers = new ProcessOperator({ name: 'bench', filter: null, key: (f) => f.key, create: timerPerRecord });
  const timed = drive(timers, counters);
  rows.push(throughputRow(name, 'timer per record, 10K keys', EVENTS, timed.timing, { note: `${timers.pendingTimers} timers left` }));

  const transactions = transactionInput(2_000);
  const scorerRows: BenchRow[] = [];
  for (const backend of backendsFor(2_000)) {
    withBackend(backend, (factory, sqlite) => {
      const scorer = new ProcessOperator({ name: 'fraud', filter: null, key: (f) => f.user_id, create: () => new FraudScorer() }, factory?.('fraud'));
      // Stop before the final watermark so the snapshot holds live velocity windows and timers.
      const { timing, outputs } = drive(scorer, transactions, false);
      const row = throughputRow(name, `fraud scorer, 2K users, ${backend.label}`, EVENTS, timing, {
        note: `${outputs.toLocaleString('en')} assessments${cacheNote(sqlite())}`,
      });
      scorerRows.push(row);

      const stop = startTiming();
      const json = JSON.stringify(scorer.snapshot());
      const snap = stop();
      const cpu = snap.cpuSeconds ?? snap.seconds;
      const scorerCpu = timing.cpuSeconds ?? timing.seconds;
      rows.push(row, {
        suite: name,
        subject: `fraud scorer snapshot (JSON), ${backend.label}`,
        seconds: snap.seconds,
        ...(snap.cpuSeconds === undefined ? {} : { cpuSeconds: snap.cpuSeconds }),
        note: `${(json.length / 1e6).toFixed(1)} MB, ${scorer.pendingTimers.toLocaleString('en')} timers; every 100K events would add ${((cpu / (scorerCpu / 2)) * 100).toFixed(1)}% to the scorer's CPU time`,
      });
    });
  }
  rows.push(ratioRow(name, scorerRows[1]!, scorerRows[0]!), ratioRow(name, scorerRows[2]!, scorerRows[0]!));
  rows.push(...heapHeld());
  rows.push(...largeMap());
  return rows;
}

const MAP_KEYS = 4;
const MAP_ENTRIES = 100_000;

const mapWriter = (): ProcessFunction => ({
  processElement(fields, ctx) {
    ctx.state.map<number, number>('seen').put(fields.item as number, ctx.timestamp);
  },
});

/** CPU per put into a map of MAP_ENTRIES entries per key; puts run until ~2 CPU s or 50K puts, so a slow backend still finishes. */
export function largeMap(): BenchRow[] {
  const random = new Random(13);
  const rows: BenchRow[] = [];
  const backends: Backend[] = [
    { label: 'memory' },
    { label: 'sqlite, every key cached', make: (store) => store.backend('map', { cacheKeys: MAP_KEYS }) },
    { label: 'sqlite, 1-key cache', make: (store) => store.backend('map', { cacheKeys: 1 }) },
  ];
  for (const backend of backends) {
    withBackend(backend, (factory, sqlite) => {
      const operator = new ProcessOperator({ name: 'map', filter: null, key: (f) => f.key, create: mapWriter }, factory?.('map'));
      const out = { emit: () => {} };
      const record = { line: 0, original: () => ({}) };
      let ts = 1_767_225_600_000;
      // Fill: each key's entries in one block, so even the whole-map form writes each map once.
      const fill = startTiming();
      for (let k = 0; k < MAP_KEYS; k++) for (let i = 0; i < MAP_ENTRIES; i++) operator.process({ key: `k${k}`, item: i }, ts++, record, out);
      // The fill's last key goes to the file too, so the puts below pay only for their own writes.
      sqlite()?.flush();
      const filled = fill();
      const writesBefore = sqlite()?.counters.writes ?? 0;
      const stop = startTiming();
      let puts = 0;
      for (let cpu = 0; cpu < 2 && puts < 50_000; ) {
        for (let i = 0; i < 100; i++, puts++) {
          operator.process({ key: `k${puts % MAP_KEYS}`, item: Math.floor(random.float() * MAP_ENTRIES) }, ts++, record, out);
        }
        const t = stop();
        cpu = t.cpuSeconds ?? t.seconds;
      }
      const timing = stop();
      const cpu = timing.cpuSeconds ?? timing.seconds;
      const written = (sqlite()?.counters.writes ?? 0) - writesBefore;
      rows.push(
        throughputRow(name, `large map: put into ${MAP_KEYS} keys × ${(MAP_ENTRIES / 1000).toFixed(0)}K-entry maps, ${backend.label}`, puts, timing, {
          note: `${((cpu / puts) * 1e6).toFixed(1)} µs CPU per put; fill ${(filled.cpuSeconds ?? filled.seconds).toFixed(2)} CPU s${
            sqlite() ? `; ${(written / puts).toFixed(1)} rows written per put` : ''
          }${cacheNote(sqlite())}`,
        }),
      );
    });
  }
  return rows;
}

const HEAP_KEYS = 100_000;

/** Heap kept by the state of HEAP_KEYS keys (each a profile-like object of ~0.3 KB as JSON), per backend. */
function heapHeld(): BenchRow[] {
  const gc = fullGc();
  const profile = (i: number) => ({ user: `user_${i}`, amounts: Array.from({ length: 40 }, (_, j) => i + j + 0.25), home: { latitude: 37.5, longitude: 127.01 } });
  const rows: BenchRow[] = [];
  // SQLite first: what a backend leaves behind for the next one's baseline is then its small cache, not 100K keys.
  for (const backend of [{ label: 'sqlite, 1,000-key cache', make: (store: SqliteStateStore) => store.backend('heap', { cacheKeys: 1_000 }) }, { label: 'memory' }] as Backend[]) {
    withBackend(backend, (factory) => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const state = factory?.('heap') ?? new MemoryStateBackend();
      const value = state.value<ReturnType<typeof profile>>('profile');
      const stop = startTiming();
      for (let i = 0; i < HEAP_KEYS; i++) {
        state.setCurrentKey(`user_${i}`);
        value.update(profile(i));
      }
      const timing = stop();
      gc();
      const held = process.memoryUsage().heapUsed - before;
      state.setCurrentKey('user_0');
      rows.push(
        throughputRow(name, `heap held by ${(HEAP_KEYS / 1000).toFixed(0)}K keys × 0.3 KB, ${backend.label}`, HEAP_KEYS, timing, {
          note: `${(held / 1e6).toFixed(1)} MB of heap after a full GC (state still live: user_0 reads ${value.value()?.user})`,
        }),
      );
    });
  }
  return rows;
}
