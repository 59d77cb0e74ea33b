/**
 * Every default `sw design` sizes with, in one table: the document's reference settings
 * (seeds/002: partitions 12, replication 3, min ISR 2, batch 64 KB, linger 5 ms, TaskManager
 * slots 8, parallelism 16, checkpoint 60 s) and planning figures for hardware and per-partition
 * throughput. Each can be overridden by `--assume name=value` or a config file's `assumptions:`.
 */

export interface Assumptions {
  /** MB/s one partition accepts from producers. */
  readonly producerMBpsPerPartition: number;
  /** MB/s one consumer reads and processes from one partition. */
  readonly consumerMBpsPerPartition: number;
  /** Consumer groups reading the topic (each reads every byte once). */
  readonly consumerGroups: number;
  /** MB/s of one broker's network interface, each direction. */
  readonly brokerNetworkMBps: number;
  /** MB/s one broker's volume sustains for writes. */
  readonly brokerDiskMBps: number;
  /** Bytes of log storage per broker. */
  readonly brokerDiskBytes: number;
  /** Share of network and disk throughput planned for steady load; the rest is recovery headroom. */
  readonly maxUtilization: number;
  /** Share of a broker's disk retention may fill. */
  readonly diskFillLimit: number;
  /** Partition replicas (leaders and followers) one broker carries. */
  readonly maxPartitionsPerBroker: number;
  /** Extra storage for indexes, open segments and time indexes, as a share of the log. */
  readonly storageOverhead: number;
  /** Producer compression ratio (snappy in the document); 1 = sized uncompressed. */
  readonly compressionRatio: number;
  /** The document's min.insync.replicas. */
  readonly minInsyncReplicas: number;
  /** Events per second one Flink parallel instance (slot) processes. */
  readonly slotEventsPerSec: number;
  /** The document's taskmanager.numberOfTaskSlots. */
  readonly slotsPerTaskManager: number;
  /** Distinct keys of a keyed step when no recording measures them. */
  readonly keys: number;
  /** Bytes of one aggregated value (a number). */
  readonly valueBytes: number;
  /** Bytes per state entry beyond its value: serialized key, window namespace, backend bookkeeping, timers. */
  readonly stateEntryOverheadBytes: number;
  /** MB/s one TaskManager uploads a full checkpoint at. */
  readonly snapshotMBpsPerTaskManager: number;
  /** The document's execution.checkpointing.interval (ms). */
  readonly referenceCheckpointIntervalMs: number;
  /** The document's execution.checkpointing.timeout (ms). */
  readonly checkpointTimeoutMs: number;
  /** Shortest checkpoint interval recommended (ms). */
  readonly minCheckpointIntervalMs: number;
  /** The document's log.retention.bytes: a per-partition cap that can cut retention short. */
  readonly retentionBytesPerPartition: number;
}

export interface AssumptionInfo {
  readonly value: number;
  readonly unit: string;
  readonly why: string;
}

export const ASSUMPTIONS: Readonly<Record<keyof Assumptions, AssumptionInfo>> = {
  producerMBpsPerPartition: { value: 10, unit: 'MB/s', why: 'one partition takes tens of MB/s from producers (Confluent planning figure); 10 is the safe end' },
  consumerMBpsPerPartition: { value: 20, unit: 'MB/s', why: 'a consumer that deserializes and processes reads less than a broker can serve' },
  consumerGroups: { value: 1, unit: 'groups', why: 'the Flink job; add one per other reader of the topic' },
  brokerNetworkMBps: { value: 1250, unit: 'MB/s', why: '10 Gbit/s network interface' },
  brokerDiskMBps: { value: 250, unit: 'MB/s', why: 'sustained writes of one SSD volume (the document uses high-iops-ssd)' },
  brokerDiskBytes: { value: 1024 ** 4, unit: 'bytes', why: "the document's 1Ti volume per broker" },
  maxUtilization: { value: 0.6, unit: 'share', why: '40% left for re-replication and consumer catch-up after a broker fails' },
  diskFillLimit: { value: 0.8, unit: 'share', why: 'keep 20% of each disk free for segment roll and rebalancing' },
  maxPartitionsPerBroker: { value: 4000, unit: 'replicas', why: 'the long-standing per-broker guideline for partition replicas' },
  storageOverhead: { value: 0.1, unit: 'share', why: 'offset and time indexes, open segments' },
  compressionRatio: { value: 1, unit: 'ratio', why: 'sized uncompressed; JSON with snappy is often 2-4x smaller' },
  minInsyncReplicas: { value: 2, unit: 'replicas', why: "the document's min.insync.replicas" },
  slotEventsPerSec: { value: 10_000, unit: 'events/s', why: 'a keyed window or CEP operator with RocksDB state, per parallel instance' },
  slotsPerTaskManager: { value: 8, unit: 'slots', why: "the document's taskmanager.numberOfTaskSlots" },
  keys: { value: 10_000, unit: 'keys', why: 'distinct keys when no recording measures them' },
  valueBytes: { value: 8, unit: 'bytes', why: 'one number (a double or a long)' },
  stateEntryOverheadBytes: { value: 64, unit: 'bytes', why: 'serialized key, window namespace, RocksDB entry and cleanup timer' },
  snapshotMBpsPerTaskManager: { value: 100, unit: 'MB/s', why: 'full-snapshot upload from one TaskManager to object storage' },
  referenceCheckpointIntervalMs: { value: 60_000, unit: 'ms', why: "the document's execution.checkpointing.interval" },
  checkpointTimeoutMs: { value: 600_000, unit: 'ms', why: "the document's execution.checkpointing.timeout" },
  minCheckpointIntervalMs: { value: 1_000, unit: 'ms', why: 'more often than once a second, barriers and commits crowd out processing' },
  retentionBytesPerPartition: { value: 1024 ** 3, unit: 'bytes', why: "the document's log.retention.bytes (per partition)" },
};

export function defaultAssumptions(): Assumptions {
  const values: Record<string, number> = {};
  for (const [name, info] of Object.entries(ASSUMPTIONS)) values[name] = info.value;
  return values as unknown as Assumptions;
}

export function isAssumptionName(name: string): name is keyof Assumptions {
  return Object.hasOwn(ASSUMPTIONS, name);
}

/** Shares (0..1], everything else positive; returns the fix for a bad value, or undefined. */
export function assumptionProblem(name: keyof Assumptions, value: number): string | undefined {
  if (!Number.isFinite(value) || value <= 0) return `${name} must be a positive number`;
  if (ASSUMPTIONS[name].unit === 'share' && value > 1) return `${name} is a share: give a number in (0, 1]`;
  if (name === 'compressionRatio' && value < 1) return 'compressionRatio is original/compressed size: give a number >= 1';
  return undefined;
}

/** The document's Kafka and Flink settings, shown beside the computed numbers. */
export const REFERENCE = {
  partitions: 12,
  replication: 3,
  minInsyncReplicas: 2,
  batchBytes: 65_536,
  lingerMs: 5,
  brokers: 6,
  slotsPerTaskManager: 8,
  parallelism: 16,
  taskManagers: 6,
  checkpointIntervalMs: 60_000,
  retentionHours: 168,
} as const;
