/**
 * An in-memory broker with consumer, admin and producer objects that behave as kafkajs's do at
 * the interfaces sw uses: run() resolves once the fetch loop has started and eachBatch is called
 * asynchronously per partition; offsets, timestamps and highWatermark are decimal strings; keys,
 * values and header values are Buffers; seek() is only accepted after run(); committed offsets
 * are "the next offset to read"; commitOffsetsIfNecessary commits resolved offsets only under
 * autoCommit; fetchTopicOffsetsByTimestamp gives the first offset with timestamp ≥ t, or the
 * partition's end when there is none.
 */
import type { AdminPort, BatchPayload, ConsumerPort, FetchedMessage, KafkaClients, OutgoingMessage, ProducerPort } from '../../src/replay/kafka-client.js';

export interface StoredMessage {
  key: string | null;
  value: string | null;
  timestamp: number;
  headers?: Record<string, string | string[]>;
}

export class FakeBroker {
  /** topic → partitions → messages (offset = index). */
  readonly topics = new Map<string, StoredMessage[][]>();
  /** group → "topic/partition" → next offset. */
  readonly committed = new Map<string, Map<string, number>>();
  readonly sends: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  batchSize = 3;

  createTopic(topic: string, partitions: number): void {
    this.topics.set(topic, Array.from({ length: partitions }, () => []));
  }

  append(topic: string, partition: number, message: StoredMessage): void {
    this.topics.get(topic)![partition]!.push(message);
  }

  clients(): KafkaClients {
    return { consumer: (groupId) => new FakeConsumer(this, groupId), admin: () => new FakeAdmin(this), producer: () => new FakeProducer(this) };
  }
}

function fetched(message: StoredMessage, offset: number): FetchedMessage {
  const headers: Record<string, Buffer | Buffer[]> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = Array.isArray(value) ? value.map((v) => Buffer.from(v)) : Buffer.from(value);
  return {
    key: message.key === null ? null : Buffer.from(message.key),
    value: message.value === null ? null : Buffer.from(message.value),
    timestamp: String(message.timestamp),
    offset: String(offset),
    headers,
  };
}

export class FakeConsumer implements ConsumerPort {
  private running = false;
  private topicNames: string[] = [];
  private fromBeginning = false;
  private readonly positions = new Map<string, number>();
  private readonly resolved = new Map<string, number>();
  private loop: Promise<void> | null = null;
  connected = false;

  constructor(
    private readonly broker: FakeBroker,
    readonly groupId: string,
  ) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  async subscribe(subscription: { topics: string[]; fromBeginning?: boolean }): Promise<void> {
    for (const topic of subscription.topics) if (!this.broker.topics.has(topic)) throw new Error(`This server does not host this topic-partition`);
    this.topicNames = subscription.topics;
    this.fromBeginning = subscription.fromBeginning ?? false;
  }

  async run(config: { autoCommit?: boolean; eachBatchAutoResolve?: boolean; eachBatch: (payload: BatchPayload) => Promise<void> }): Promise<void> {
    this.running = true;
    const committed = this.broker.committed.get(this.groupId);
    for (const topic of this.topicNames) {
      this.broker.topics.get(topic)!.forEach((messages, partition) => {
        const tp = `${topic}/${partition}`;
        const start = committed?.get(tp) ?? (this.fromBeginning ? 0 : messages.length);
        if (!this.positions.has(tp)) this.positions.set(tp, start);
      });
    }
    const autoCommit = config.autoCommit ?? true;
    this.loop = (async () => {
      while (this.running) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        for (const [tp, position] of this.positions) {
          if (!this.running) break;
          const [topic, p] = tp.split('/') as [string, string];
          const partition = Number(p);
          const all = this.broker.topics.get(topic)![partition]!;
          if (position >= all.length) continue;
          const messages = all.slice(position, position + this.broker.batchSize).map((m, i) => fetched(m, position + i));
          this.positions.set(tp, position + messages.length);
          await config.eachBatch({
            batch: { topic, partition, highWatermark: String(all.length), messages },
            resolveOffset: (offset) => this.resolved.set(tp, Number(offset)),
            heartbeat: async () => undefined,
            commitOffsetsIfNecessary: async () => {
              if (autoCommit) this.commitResolved();
            },
            isRunning: () => this.running,
            isStale: () => false,
          });
        }
      }
    })();
  }

  seek(target: { topic: string; partition: number; offset: string }): void {
    if (!this.running) throw new Error('Consumer group was not initialized, consumer#run must be called first');
    const tp = `${target.topic}/${target.partition}`;
    const end = this.broker.topics.get(target.topic)![target.partition]!.length;
    this.positions.set(tp, target.offset === '-1' ? end : Number(target.offset));
  }

  private commitResolved(): void {
    const offsets = this.broker.committed.get(this.groupId) ?? new Map<string, number>();
    for (const [tp, offset] of this.resolved) offsets.set(tp, offset + 1);
    this.broker.committed.set(this.groupId, offsets);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async disconnect(): Promise<void> {
    await this.stop();
    this.connected = false;
  }
}

class FakeAdmin implements AdminPort {
  constructor(private readonly broker: FakeBroker) {}
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<Array<{ partition: number; offset: string }>> {
    return this.broker.topics.get(topic)!.map((messages, partition) => {
      const index = messages.findIndex((m) => m.timestamp >= (timestamp ?? 0));
      return { partition, offset: String(index < 0 ? -1 : index) };
    });
  }
}

export class FakeProducer implements ProducerPort {
  constructor(private readonly broker: FakeBroker) {}
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async send(record: { topic: string; messages: OutgoingMessage[] }): Promise<unknown> {
    this.broker.sends.push({ topic: record.topic, messages: record.messages.map((m) => ({ ...m })) });
    return [{ topicName: record.topic, partition: 0, errorCode: 0 }];
  }
}
