/**
 * The sizing arithmetic, each number with its formula, the numbers put into it and the assumptions
 * it rests on. Throughput is sized at the peak (mean × peak factor); storage at the mean, because
 * retention accumulates the average rate. 1 MB = 10^6 bytes, as Kafka sizing guides quote it.
 */
import type { Assumptions } from './assumptions.js';
import { REFERENCE } from './assumptions.js';
import { formatBytes, formatBytesExact, formatNumber } from './quantities.js';
import { formatDuration } from '../engine/duration.js';

export interface Workload {
  /** Mean events per second. */
  readonly eventsPerSec: number;
  /** Mean bytes per event (key and value as produced). */
  readonly eventBytes: number;
  /** Peak rate over mean rate. */
  readonly peakFactor: number;
  readonly retentionMs: number;
  /** Kafka replication factor. */
  readonly replication: number;
  /** Consumer parallelism; undefined = the Flink parallelism. */
  readonly consumers?: number;
  readonly exactlyOnce: boolean;
  /** The latency requirement in ms. */
  readonly latencyMs: number;
}

/** One computed number. */
export interface Figure {
  readonly value: number;
  readonly unit: string;
  /** The value for people: "16", "1.21 TB", "1m". */
  readonly display: string;
  readonly formula: string;
  /** The formula with this run's numbers in it. */
  readonly workings: string;
  /** Names of the assumptions (see assumptions.ts) and inputs the figure rests on. */
  readonly assumptions: readonly string[];
  /** The document's setting for comparison, when it has one. */
  readonly reference?: string;
}

export interface Sizing {
  readonly peakEventsPerSec: Figure;
  readonly peakMBps: Figure;
  readonly flinkParallelism: Figure;
  readonly flinkTaskManagers: Figure;
  readonly flinkSlots: Figure;
  readonly kafkaPartitions: Figure;
  readonly kafkaStorage: Figure;
  readonly kafkaBrokers: Figure;
  readonly checkpointInterval: Figure;
}

/** State known from a `--pipeline` (bytes; lowerBound when some step is unbounded), or null without one. */
export interface StateInput {
  readonly bytes: number;
  readonly lowerBound: boolean;
}

const n = (value: number) => formatNumber(value);

export function peakEventsPerSec(workload: Workload): Figure {
  const value = workload.eventsPerSec * workload.peakFactor;
  return {
    value,
    unit: 'events/s',
    display: `${n(value)} events/s`,
    formula: 'mean events/s × peak factor',
    workings: `${n(workload.eventsPerSec)} × ${n(workload.peakFactor)} = ${n(value)}`,
    assumptions: ['eventsPerSec', 'peakFactor'],
  };
}

/** Bytes per second at the peak as Kafka carries them (after producer compression). */
export function peakMBps(workload: Workload, assumptions: Assumptions): Figure {
  const peak = workload.eventsPerSec * workload.peakFactor;
  const value = (peak * workload.eventBytes) / assumptions.compressionRatio / 1e6;
  return {
    value,
    unit: 'MB/s',
    display: `${n(value)} MB/s`,
    formula: 'peak events/s × event bytes / compression ratio / 10^6',
    workings: `${n(peak)} × ${n(workload.eventBytes)} / ${n(assumptions.compressionRatio)} / 10^6 = ${n(value)} MB/s`,
    assumptions: ['eventBytes', 'compressionRatio'],
  };
}

export function flinkParallelism(workload: Workload, assumptions: Assumptions): Figure {
  const peak = workload.eventsPerSec * workload.peakFactor;
  const value = Math.max(1, Math.ceil(peak / assumptions.slotEventsPerSec));
  return {
    value,
    unit: 'parallel instances',
    display: n(value),
    formula: 'max(1, ceil(peak events/s / events/s per slot))',
    workings: `ceil(${n(peak)} / ${n(assumptions.slotEventsPerSec)}) = ${n(value)}`,
    assumptions: ['slotEventsPerSec'],
    reference: `parallelism.default: ${REFERENCE.parallelism}`,
  };
}

/** With slot sharing, one slot runs one parallel instance of every operator, so slots = parallelism. */
export function flinkTaskManagers(parallelism: number, assumptions: Assumptions): Figure {
  const value = Math.ceil(parallelism / assumptions.slotsPerTaskManager);
  return {
    value,
    unit: 'TaskManagers',
    display: n(value),
    formula: 'ceil(parallelism / slots per TaskManager)',
    workings: `ceil(${n(parallelism)} / ${n(assumptions.slotsPerTaskManager)}) = ${n(value)}`,
    assumptions: ['slotsPerTaskManager'],
    reference: `${REFERENCE.taskManagers} TaskManagers`,
  };
}

export function flinkSlots(taskManagers: number, parallelism: number, assumptions: Assumptions): Figure {
  const value = taskManagers * assumptions.slotsPerTaskManager;
  return {
    value,
    unit: 'slots',
    display: `${n(value)} (${n(value - parallelism)} spare)`,
    formula: 'TaskManagers × slots per TaskManager (slot sharing: parallelism slots are used)',
    workings: `${n(taskManagers)} × ${n(assumptions.slotsPerTaskManager)} = ${n(value)}`,
    assumptions: ['slotsPerTaskManager'],
    reference: `taskmanager.numberOfTaskSlots: ${REFERENCE.slotsPerTaskManager}`,
  };
}

/**
 * Partitions = max(ceil(T / producer MB/s per partition), ceil(T / consumer MB/s per partition),
 * consumer parallelism): enough for writes, for reads, and one per consumer so none idles.
 */
export function kafkaPartitions(workload: Workload, assumptions: Assumptions, consumers: number): Figure {
  const throughput = peakMBps(workload, assumptions).value;
  const byProducer = Math.ceil(throughput / assumptions.producerMBpsPerPartition);
  const byConsumer = Math.ceil(throughput / assumptions.consumerMBpsPerPartition);
  const value = Math.max(1, byProducer, byConsumer, consumers);
  return {
    value,
    unit: 'partitions',
    display: n(value),
    formula: 'max(ceil(T / producer MB/s per partition), ceil(T / consumer MB/s per partition), consumer parallelism); T = peak MB/s',
    workings: `max(ceil(${n(throughput)} / ${n(assumptions.producerMBpsPerPartition)}), ceil(${n(throughput)} / ${n(assumptions.consumerMBpsPerPartition)}), ${n(consumers)}) = max(${n(byProducer)}, ${n(byConsumer)}, ${n(consumers)}) = ${n(value)}`,
    assumptions: ['producerMBpsPerPartition', 'consumerMBpsPerPartition', 'consumers'],
    reference: `num.partitions=${REFERENCE.partitions}`,
  };
}

/** Retention accumulates the mean rate: mean bytes/s × retention × replication × (1 + overhead). */
export function kafkaStorage(workload: Workload, assumptions: Assumptions): Figure {
  const bytesPerSec = (workload.eventsPerSec * workload.eventBytes) / assumptions.compressionRatio;
  const retentionSec = workload.retentionMs / 1000;
  const value = bytesPerSec * retentionSec * workload.replication * (1 + assumptions.storageOverhead);
  return {
    value,
    unit: 'bytes',
    display: formatBytes(value),
    formula: 'mean events/s × event bytes / compression ratio × retention seconds × replication × (1 + overhead)',
    workings: `${n(workload.eventsPerSec)} × ${n(workload.eventBytes)} / ${n(assumptions.compressionRatio)} × ${n(retentionSec)} × ${workload.replication} × ${n(1 + assumptions.storageOverhead)} = ${formatBytes(value)}`,
    assumptions: ['retention', 'replication', 'storageOverhead', 'compressionRatio'],
    reference: `log.retention.hours=${REFERENCE.retentionHours}, default.replication.factor=${REFERENCE.replication}`,
  };
}

/** The broker count each limit demands; the answer is their maximum. */
export interface BrokerLimits {
  readonly replication: number;
  readonly network: number;
  readonly disk: number;
  readonly partitions: number;
  readonly storage: number;
}

/**
 * Brokers = max of: the replication factor (one replica per broker); network, where the cluster
 * takes in T × RF (producer writes plus follower fetches) and sends out T × (RF − 1 + consumer
 * groups), each broker planned at maxUtilization of its NIC; disk writes T × RF at maxUtilization;
 * partition replicas over the per-broker limit; stored bytes over the fillable disk.
 */
export function brokerLimits(workload: Workload, assumptions: Assumptions, partitions: number, storageBytes: number): BrokerLimits {
  const throughput = peakMBps(workload, assumptions).value;
  const rf = workload.replication;
  const inbound = throughput * rf;
  const outbound = throughput * (rf - 1 + assumptions.consumerGroups);
  return {
    replication: rf,
    network: Math.ceil(Math.max(inbound, outbound) / (assumptions.brokerNetworkMBps * assumptions.maxUtilization)),
    disk: Math.ceil(inbound / (assumptions.brokerDiskMBps * assumptions.maxUtilization)),
    partitions: Math.ceil((partitions * rf) / assumptions.maxPartitionsPerBroker),
    storage: Math.ceil(storageBytes / (assumptions.brokerDiskBytes * assumptions.diskFillLimit)),
  };
}

export function kafkaBrokers(workload: Workload, assumptions: Assumptions, partitions: number, storageBytes: number): Figure {
  const limits = brokerLimits(workload, assumptions, partitions, storageBytes);
  const throughput = peakMBps(workload, assumptions).value;
  const rf = workload.replication;
  const value = Math.max(limits.replication, limits.network, limits.disk, limits.partitions, limits.storage);
  const inbound = throughput * rf;
  const outbound = throughput * (rf - 1 + assumptions.consumerGroups);
  return {
    value,
    unit: 'brokers',
    display: n(value),
    formula:
      'max(RF, ceil(max(T × RF, T × (RF − 1 + consumer groups)) / (NIC MB/s × max utilization)), ceil(T × RF / (disk MB/s × max utilization)), ceil(partitions × RF / max partitions per broker), ceil(storage / (disk bytes × fill limit)))',
    workings:
      `max(${rf}, ` +
      `ceil(max(${n(inbound)}, ${n(outbound)}) / (${n(assumptions.brokerNetworkMBps)} × ${n(assumptions.maxUtilization)})), ` +
      `ceil(${n(inbound)} / (${n(assumptions.brokerDiskMBps)} × ${n(assumptions.maxUtilization)})), ` +
      `ceil(${n(partitions)} × ${rf} / ${n(assumptions.maxPartitionsPerBroker)}), ` +
      `ceil(${formatBytes(storageBytes)} / (${formatBytesExact(assumptions.brokerDiskBytes)} × ${n(assumptions.diskFillLimit)}))) = ` +
      `max(${limits.replication}, ${limits.network}, ${limits.disk}, ${limits.partitions}, ${limits.storage}) = ${n(value)}`,
    assumptions: ['replication', 'consumerGroups', 'brokerNetworkMBps', 'brokerDiskMBps', 'maxUtilization', 'maxPartitionsPerBroker', 'brokerDiskBytes', 'diskFillLimit'],
    reference: `${REFERENCE.brokers} brokers (StatefulSet replicas: 6)`,
  };
}

/**
 * Checkpoint interval: the document's 60 s, shortened under exactly-once to the latency
 * requirement (a transactional Kafka sink commits on checkpoint completion, so read_committed
 * readers see results only then), never below the minimum, and at least twice the time a full
 * snapshot takes, so checkpoints do not run back to back.
 */
export function checkpointInterval(workload: Workload, assumptions: Assumptions, taskManagers: number, state: StateInput | null): Figure {
  const reference = assumptions.referenceCheckpointIntervalMs;
  const target = workload.exactlyOnce ? Math.min(reference, workload.latencyMs) : reference;
  const snapshotMs = state ? (state.bytes / (taskManagers * assumptions.snapshotMBpsPerTaskManager * 1e6)) * 1000 : 0;
  const bySnapshot = Math.ceil((2 * snapshotMs) / 1000) * 1000;
  const value = Math.max(target, assumptions.minCheckpointIntervalMs, bySnapshot);
  const targetText = workload.exactlyOnce ? `min(${formatDuration(reference)}, latency ${formatDuration(workload.latencyMs)})` : formatDuration(reference);
  const snapshotText = state
    ? `, 2 × ${formatBytes(state.bytes)}${state.lowerBound ? '+' : ''} / (${taskManagers} × ${n(assumptions.snapshotMBpsPerTaskManager)} MB/s) rounded up to a second = ${formatDuration(bySnapshot)}`
    : '';
  return {
    value,
    unit: 'ms',
    display: formatDuration(value),
    formula: 'max(target, minimum interval, 2 × state bytes / (TaskManagers × snapshot MB/s)); target = 60 s, or min(60 s, latency) with exactly-once',
    workings: `max(${targetText}, ${formatDuration(assumptions.minCheckpointIntervalMs)}${snapshotText}) = ${formatDuration(value)}${state ? '' : ' (no --pipeline: snapshot time not counted)'}`,
    assumptions: ['referenceCheckpointIntervalMs', 'minCheckpointIntervalMs', 'snapshotMBpsPerTaskManager', 'exactlyOnce', 'latency'],
    reference: `execution.checkpointing.interval: ${REFERENCE.checkpointIntervalMs}`,
  };
}

/** All figures, in the order they depend on each other. */
export function sizeEverything(workload: Workload, assumptions: Assumptions, state: StateInput | null): Sizing {
  const parallelism = flinkParallelism(workload, assumptions);
  const taskManagers = flinkTaskManagers(parallelism.value, assumptions);
  const consumers = workload.consumers ?? parallelism.value;
  const partitions = kafkaPartitions(workload, assumptions, consumers);
  const storage = kafkaStorage(workload, assumptions);
  return {
    peakEventsPerSec: peakEventsPerSec(workload),
    peakMBps: peakMBps(workload, assumptions),
    flinkParallelism: parallelism,
    flinkTaskManagers: taskManagers,
    flinkSlots: flinkSlots(taskManagers.value, parallelism.value, assumptions),
    kafkaPartitions: partitions,
    kafkaStorage: storage,
    kafkaBrokers: kafkaBrokers(workload, assumptions, partitions.value, storage.value),
    checkpointInterval: checkpointInterval(workload, assumptions, taskManagers.value, state),
  };
}
