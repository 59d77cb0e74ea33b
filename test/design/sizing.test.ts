import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultAssumptions, type Assumptions } from '../../src/design/assumptions.js';
import {
  brokerLimits,
  checkpointInterval,
  flinkParallelism,
  flinkSlots,
  flinkTaskManagers,
  kafkaPartitions,
  kafkaStorage,
  peakMBps,
  sizeEverything,
  type Workload,
} from '../../src/design/sizing.js';

const DAY = 86_400_000;
const TIB = 1024 ** 4;

function workload(overrides: Partial<Workload>): Workload {
  return { eventsPerSec: 5_000, eventBytes: 1_000, peakFactor: 2, retentionMs: DAY, replication: 3, exactlyOnce: false, latencyMs: 1000, ...overrides };
}

function assume(overrides: Partial<Assumptions> = {}): Assumptions {
  return { ...defaultAssumptions(), ...overrides };
}

test('peak throughput: 5,000 ev/s × 2 × 1,000 B = 10 MB/s; compression divides it', () => {
  assert.equal(peakMBps(workload({}), assume()).value, 10);
  assert.equal(peakMBps(workload({}), assume({ compressionRatio: 4 })).value, 2.5);
});

test('Flink parallelism, TaskManagers and slots (hand-computed)', () => {
  const cases: Array<{ name: string; w: Partial<Workload>; a?: Partial<Assumptions>; parallelism: number; taskManagers: number; slots: number }> = [
    { name: '10,000 peak ev/s fits one slot', w: {}, parallelism: 1, taskManagers: 1, slots: 8 },
    { name: '750,000 peak ev/s: ceil(75) = 75, ceil(75/8) = 10 TMs', w: { eventsPerSec: 500_000, peakFactor: 1.5 }, parallelism: 75, taskManagers: 10, slots: 80 },
    { name: "the document's reference: 160,000 peak ev/s = parallelism 16 on 2 TMs of 8 slots", w: { eventsPerSec: 80_000 }, parallelism: 16, taskManagers: 2, slots: 16 },
    { name: '4 slots per TM: ceil(16/4) = 4', w: { eventsPerSec: 80_000 }, a: { slotsPerTaskManager: 4 }, parallelism: 16, taskManagers: 4, slots: 16 },
    { name: 'a trickle still needs one instance', w: { eventsPerSec: 0.1 }, parallelism: 1, taskManagers: 1, slots: 8 },
  ];
  for (const c of cases) {
    const a = assume(c.a);
    const parallelism = flinkParallelism(workload(c.w), a).value;
    const taskManagers = flinkTaskManagers(parallelism, a).value;
    assert.deepEqual([parallelism, taskManagers, flinkSlots(taskManagers, parallelism, a).value], [c.parallelism, c.taskManagers, c.slots], c.name);
  }
});

test('Kafka partitions = max(ceil(T / producer), ceil(T / consumer), consumers) (hand-computed)', () => {
  const cases: Array<{ name: string; w: Partial<Workload>; a?: Partial<Assumptions>; consumers: number; expected: number }> = [
    { name: 'T = 10 MB/s: max(1, 1, 1)', w: {}, consumers: 1, expected: 1 },
    { name: 'producer-bound: T = 1,500 MB/s: max(150, 75, 75)', w: { eventsPerSec: 500_000, eventBytes: 2_000, peakFactor: 1.5 }, consumers: 75, expected: 150 },
    { name: 'consumer-bound: 5 MB/s per consumer: max(1, 2, 1)', w: {}, a: { consumerMBpsPerPartition: 5 }, consumers: 1, expected: 2 },
    { name: 'consumer parallelism bound: 16 consumers', w: {}, consumers: 16, expected: 16 },
    { name: 'T = 10.24 MB/s rounds up to 2 producer partitions', w: { eventBytes: 1_024 }, consumers: 1, expected: 2 },
  ];
  for (const c of cases) assert.equal(kafkaPartitions(workload(c.w), assume(c.a), c.consumers).value, c.expected, c.name);
});

test('storage = mean rate × bytes × retention × RF × 1.1 (hand-computed)', () => {
  // 5,000 × 1,000 × 86,400 × 3 × 1.1 = 1.4256e12 bytes.
  assert.equal(Math.round(kafkaStorage(workload({}), assume()).value), 1_425_600_000_000);
  // Peak factor does not change storage; compression 2 halves it; RF 1 thirds it.
  assert.equal(Math.round(kafkaStorage(workload({ peakFactor: 10, replication: 1 }), assume({ compressionRatio: 2 })).value), 237_600_000_000);
});

test('brokers: each limit on a hand-computed case', () => {
  const cases: Array<{ name: string; w: Partial<Workload>; a?: Partial<Assumptions>; partitions: number; storage: number; limits: ReturnType<typeof brokerLimits>; brokers: number }> = [
    {
      name: 'small stream: RF 3 wins; 1.4256 TB over 1 TiB × 0.8 needs 2',
      w: {},
      partitions: 1,
      storage: 1_425_600_000_000,
      limits: { replication: 3, network: 1, disk: 1, partitions: 1, storage: 2 },
      brokers: 3,
    },
    {
      name: 'disk-bound: T = 1,500 MB/s, in 4,500 / (250 × 0.6) = 30',
      w: { eventsPerSec: 500_000, eventBytes: 2_000, peakFactor: 1.5 },
      partitions: 150,
      storage: 0,
      limits: { replication: 3, network: 6, disk: 30, partitions: 1, storage: 0 },
      brokers: 30,
    },
    {
      name: 'network-bound: fast disks; max(4,500 in, 4,500 out) / (1,250 × 0.6) = 6',
      w: { eventsPerSec: 500_000, eventBytes: 2_000, peakFactor: 1.5 },
      a: { brokerDiskMBps: 2_000 },
      partitions: 150,
      storage: 0,
      limits: { replication: 3, network: 6, disk: 4, partitions: 1, storage: 0 },
      brokers: 6,
    },
    {
      name: 'fan-out: 4 consumer groups make out = T × (2 + 4) = 9,000 → 12',
      w: { eventsPerSec: 500_000, eventBytes: 2_000, peakFactor: 1.5 },
      a: { brokerDiskMBps: 2_000, consumerGroups: 4 },
      partitions: 150,
      storage: 0,
      limits: { replication: 3, network: 12, disk: 4, partitions: 1, storage: 0 },
      brokers: 12,
    },
    {
      name: 'partition-bound: 10,000 partitions × RF 3 / 4,000 = 7.5 → 8',
      w: { eventsPerSec: 100 },
      partitions: 10_000,
      storage: 0,
      limits: { replication: 3, network: 1, disk: 1, partitions: 8, storage: 0 },
      brokers: 8,
    },
    {
      name: 'storage-bound: 20 TiB over 1 TiB × 0.8 = 25',
      w: { eventsPerSec: 100 },
      partitions: 1,
      storage: 20 * TIB,
      limits: { replication: 3, network: 1, disk: 1, partitions: 1, storage: 25 },
      brokers: 25,
    },
  ];
  for (const c of cases) {
    const limits = brokerLimits(workload(c.w), assume(c.a), c.partitions, c.storage);
    assert.deepEqual(limits, c.limits, c.name);
    assert.equal(Math.max(...Object.values(limits)), c.brokers, c.name);
  }
});

test('checkpoint interval: 60 s reference, latency under exactly-once, 1 s floor, 2 × snapshot time', () => {
  const cases: Array<{ name: string; w: Partial<Workload>; taskManagers: number; state: { bytes: number; lowerBound: boolean } | null; expected: number }> = [
    { name: 'at-least-once keeps the reference', w: {}, taskManagers: 1, state: null, expected: 60_000 },
    { name: 'exactly-once with a 1 s budget checkpoints every second', w: { exactlyOnce: true, latencyMs: 1000 }, taskManagers: 1, state: null, expected: 1_000 },
    { name: 'exactly-once with 10 ms cannot go under the 1 s floor', w: { exactlyOnce: true, latencyMs: 10 }, taskManagers: 1, state: null, expected: 1_000 },
    { name: '1 GB on one TM: 10 s snapshot, 2× = 20 s < 60 s', w: {}, taskManagers: 1, state: { bytes: 1e9, lowerBound: false }, expected: 60_000 },
    { name: '120 GB on 2 TMs at 100 MB/s: 600 s snapshot, 2× = 20 min', w: {}, taskManagers: 2, state: { bytes: 120e9, lowerBound: false }, expected: 1_200_000 },
    { name: '15 GB on 1 TM: 150 s, 2× = 300 s', w: { exactlyOnce: true, latencyMs: 1000 }, taskManagers: 1, state: { bytes: 15e9, lowerBound: false }, expected: 300_000 },
  ];
  for (const c of cases) assert.equal(checkpointInterval(workload(c.w), assume(), c.taskManagers, c.state).value, c.expected, c.name);
});

test('every figure shows its formula, its workings and its assumptions', () => {
  const sizing = sizeEverything(workload({ eventsPerSec: 80_000 }), assume(), null);
  for (const [name, figure] of Object.entries(sizing)) {
    assert.ok(figure.formula.length > 0, name);
    assert.match(figure.workings, / = /, name);
    assert.ok(figure.assumptions.length > 0, name);
  }
  assert.equal(sizing.kafkaPartitions.value, 16, 'consumers default to the Flink parallelism (16)');
  // T = 160,000 × 1,000 / 10^6 = 160 MB/s.
  assert.equal(sizing.kafkaPartitions.workings, 'max(ceil(160 / 10), ceil(160 / 20), 16) = max(16, 8, 16) = 16');
});
