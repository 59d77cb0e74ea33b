/**
 * Window operator throughput: the media scenario's shapes (seeds-digest §1) on synthetic records.
 *   node dist/bench/window-operator.js [records=1000000]
 * Records arrive every 10 ms of event time (100/s) with up to 5 s of disorder, over 2,000 content
 * ids and 50,000 users; the watermark follows the pipeline rule (max − 5 s − 1 ms).
 */
import { WindowOperator, type WindowStep } from '../src/engine/window/window-step.js';
import type { Fields, OutputRecord } from '../src/engine/operator.js';
import type { WindowSpec } from '../src/engine/spec.js';

const records = Number(process.argv[2] ?? 1_000_000);
const minute = 60_000;

function step(window: WindowSpec, aggregates: WindowStep['aggregates']): WindowStep {
  return {
    name: window.type,
    window,
    allowedLateness: 0,
    lateOutput: false,
    filter: (f) => f['eventType'] === 'content.watched',
    key: (f) => f['contentId'],
    aggregates,
    select: [],
    having: null,
  };
}

const field = (name: string) => (f: Fields) => f[name];
const trending = [
  { name: 'watches', fn: 'count' as const, arg: null },
  { name: 'users', fn: 'count_distinct' as const, arg: field('userId') },
  { name: 'avgWatch', fn: 'avg' as const, arg: field('seconds') },
];

const scenarios: Array<[string, WindowStep]> = [
  ['tumbling 1 min, count + avg', step({ type: 'tumbling', size: minute, offset: 0 }, [trending[0]!, trending[2]!])],
  ['tumbling 1 min, + count_distinct + p95', step({ type: 'tumbling', size: minute, offset: 0 }, [...trending, { name: 'p95', fn: 'percentile', arg: field('seconds'), quantile: 0.95 }])],
  ['sliding 15 min / 1 min, count + count_distinct + avg', step({ type: 'sliding', size: 15 * minute, slide: minute, offset: 0 }, trending)],
  ['session 30 min gap, count + avg', { ...step({ type: 'session', gap: 30 * minute }, [trending[0]!, trending[2]!]), key: field('userId') }],
];

// One pseudo-random stream shared by every scenario (a fixed LCG: the same input every run).
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const input: Array<[Fields, number]> = [];
for (let i = 0; i < records; i++) {
  const ts = 1_767_225_600_000 + i * 10 - Math.floor(random() * 5000);
  input.push([
    {
      eventType: random() < 0.8 ? 'content.watched' : 'content.liked',
      contentId: `c${Math.floor(random() * random() * 2000)}`,
      userId: `u${Math.floor(random() * 50_000)}`,
      seconds: Math.floor(random() * 3600),
    },
    ts,
  ]);
}

let emitted = 0;
const out = { emit: (_: OutputRecord) => void emitted++ };
console.log(`${records.toLocaleString('en')} records`);
for (const [name, s] of scenarios) {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const operator = new WindowOperator(s);
  emitted = 0;
  let maxTs = -Infinity;
  let peakState = 0;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < input.length; i++) {
    const [fields, ts] = input[i]!;
    operator.process(fields, ts, { line: i + 1, original: () => fields }, out);
    if (ts > maxTs) {
      maxTs = ts;
      operator.advanceWatermark(maxTs - 5000 - 1, out);
    }
    if ((i & 0xffff) === 0) peakState = Math.max(peakState, operator.openState);
  }
  const heapAtEnd = process.memoryUsage().heapUsed;
  operator.advanceWatermark(Infinity, out);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // CPU time as well as wall time: on a shared machine the wall clock measures the neighbours.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${name.padEnd(52)} ${Math.round(records / seconds).toLocaleString('en').padStart(9)} records/s wall ` +
      `${Math.round(records / cpuSeconds).toLocaleString('en').padStart(9)} records/s cpu  ` +
      `${emitted.toLocaleString('en').padStart(8)} results  ${peakState.toLocaleString('en').padStart(7)} windows/panes  ` +
      `heap +${Math.round((heapAtEnd - heapBefore) / 1e6)} MB`,
  );
}
