/**
 * `sw record kafka`: consumes topics with a kafkajs consumer and appends every message (value,
 * key, headers, topic, partition, offset, broker timestamp) to a recording. Stops on a count, a
 * duration or stop() (Ctrl-C) without losing what was received: each fetched batch is committed
 * to the recording before the next one is asked for, and consumer-group offsets are committed
 * only after the messages they cover are stored (never for the throwaway group of a
 * --from-beginning / --from-timestamp / latest run).
 */
import { headersToJson, type AdminPort, type BatchPayload, type ConsumerPort, type FetchedMessage } from './kafka-client.js';
import type { RecordingWriter } from './recording-writer.js';

export type RecordStart =
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'beginning' }
  | { readonly kind: 'timestamp'; readonly ms: number }
  | { readonly kind: 'latest' };

export interface KafkaRecordOptions {
  readonly topics: readonly string[];
  readonly start: RecordStart;
  readonly count?: number;
  readonly durationMs?: number;
  readonly writer: RecordingWriter;
  /** Called after each stored batch. */
  readonly onProgress?: (progress: RecordProgress) => void;
}

export interface RecordProgress {
  readonly messages: number;
  readonly elapsedMs: number;
  /** "topic/partition" → messages stored. */
  readonly perPartition: ReadonlyMap<string, number>;
}

export interface RecordSummary extends RecordProgress {
  readonly out: string;
  readonly stoppedBy: 'count' | 'duration' | 'signal';
}

export interface KafkaRecordPorts {
  /** kafkajs needs a group id even when offsets are not committed. */
  consumer(groupId: string): ConsumerPort;
  admin(): AdminPort;
}

/** The group id of a run without --group: unique, so it never shares offsets with anyone. */
export function throwawayGroupId(): string {
  return `sw-record-${process.pid}-${Date.now()}`;
}

export class KafkaRecorder {
  private stopReason: RecordSummary['stoppedBy'] | null = null;
  private wake: (() => void) | null = null;
  private messages = 0;
  private readonly perPartition = new Map<string, number>();
  private started = 0;
  private failure: unknown = null;

  constructor(
    private readonly ports: KafkaRecordPorts,
    private readonly options: KafkaRecordOptions,
  ) {}

  /** Ends the recording after the batch being stored (Ctrl-C). */
  stop(reason: RecordSummary['stoppedBy'] = 'signal'): void {
    this.stopReason ??= reason;
    this.wake?.();
  }

  async run(): Promise<RecordSummary> {
    const { topics, start, writer } = this.options;
    const group = start.kind === 'group';
    const consumer = this.ports.consumer(group ? start.groupId : throwawayGroupId());
    this.started = performance.now();
    const stopped = new Promise<void>((resolve) => (this.wake = resolve));
    if (this.stopReason !== null) this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    if (this.options.durationMs !== undefined) timer = setTimeout(() => this.stop('duration'), this.options.durationMs);
    try {
      await consumer.connect();
      const seeks = start.kind === 'timestamp' ? await this.offsetsAt(start.ms) : [];
      await consumer.subscribe({ topics: [...topics], fromBeginning: start.kind === 'beginning' || start.kind === 'timestamp' });
      await consumer.run({
        autoCommit: group,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.storeBatch(payload, group),
      });
      // kafkajs accepts seek() only once run() has started; it applies before the first fetch of the partition.
      for (const seek of seeks) consumer.seek(seek);
      await stopped;
    } finally {
      clearTimeout(timer);
      // The recording is closed first and whatever happens: it holds what was received.
      writer.close();
      await consumer.stop().catch(() => undefined);
      await consumer.disconnect().catch(() => undefined);
    }
    if (this.failure !== null) throw this.failure;
    return { out: writer.path, stoppedBy: this.stopReason ?? 'signal', ...this.progress() };
  }

  private async offsetsAt(ms: number): Promise<Array<{ topic: string; partition: number; offset: string }>> {
    const admin = this.ports.admin();
    await admin.connect();
    try {
      const seeks: Array<{ topic: string; partition: number; offset: string }> = [];
      for (const topic of this.options.topics) {
        // The earliest offset whose timestamp is ≥ ms; "-1" (no such message) means the end of the partition.
        for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(topic, ms)) seeks.push({ topic, partition, offset });
      }
      return seeks;
    } finally {
      await admin.disconnect();
    }
  }

  private async storeBatch(payload: BatchPayload, group: boolean): Promise<void> {
    if (this.stopReason !== null) return;
    const { batch } = payload;
    const { writer, count = Infinity } = this.options;
    const partitionKey = `${batch.topic}/${batch.partition}`;
    let stored = 0;
    try {
      for (const message of batch.messages) {
        if (this.messages >= count || !payload.isRunning() || payload.isStale()) break;
        writer.append(rowOf(batch.topic, batch.partition, message));
        payload.resolveOffset(message.offset);
        this.messages++;
        stored++;
      }
      writer.commit();
    } catch (error) {
      this.failure = error;
      this.stop('signal');
      return;
    }
    if (stored > 0) this.perPartition.set(partitionKey, (this.perPartition.get(partitionKey) ?? 0) + stored);
    // Offsets after the write: a crash between the two re-delivers, it never loses.
    if (group) await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
    this.options.onProgress?.(this.progress());
    if (this.messages >= count) this.stop('count');
  }

  private progress(): RecordProgress {
    return { messages: this.messages, elapsedMs: performance.now() - this.started, perPartition: new Map(this.perPartition) };
  }
}

/** A fetched message as a recording row. A tombstone (null value) is stored as JSON null. */
export function rowOf(topic: string, partition: number, message: FetchedMessage) {
  return {
    value: message.value === null ? 'null' : message.value.toString('utf8'),
    key: message.key === null ? null : message.key.toString('utf8'),
    headers: headersToJson(message.headers),
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
  };
}
