/**
 * `sw replay --sink kafka`: sends the replayed input records to a topic as the pacer releases
 * them, so a downstream job (Flink) sees the recording at the chosen event-time speed.
 *
 * Batching: records accumulate into a batch that is sent when it holds `batchSize` messages or
 * `lingerMs` after its first record (at slow speeds a full batch could take minutes). One send
 * is in flight while the next batch fills; a full batch waits for it, and that wait is returned
 * to the replay loop, which awaits it: a slow broker slows the replay instead of filling memory.
 */
import { pathReader } from '../engine/compile-pipeline.js';
import type { OutgoingMessage, ProducerPort } from './kafka-client.js';

export type HeaderChoice = { readonly kind: 'all' } | { readonly kind: 'none' } | { readonly kind: 'only'; readonly names: ReadonlySet<string> };

export interface KafkaSinkOptions {
  readonly topic: string;
  /** Re-stamp each record to the wall clock when released (`--retime now`) instead of its event time. */
  readonly retimeNow?: boolean;
  /** Key from this field of the record (JSONL recordings); otherwise the recording's key column. */
  readonly keyField?: string;
  readonly headers?: HeaderChoice;
  /** 1,000 messages ≈ 100-300 KB per request for typical events: large enough to amortise the round trip. */
  readonly batchSize?: number;
  readonly lingerMs?: number;
  readonly now?: () => number;
}

/** Parses `--headers all|none|name1,name2`. */
export function parseHeaderChoice(text: string): HeaderChoice {
  if (text === 'all') return { kind: 'all' };
  if (text === 'none') return { kind: 'none' };
  return { kind: 'only', names: new Set(text.split(',').map((n) => n.trim()).filter((n) => n.length > 0)) };
}

export class KafkaSink {
  private batch: OutgoingMessage[] = [];
  private inFlight: Promise<void> | null = null;
  private failure: unknown = null;
  private linger: NodeJS.Timeout | null = null;
  private sentCount = 0;
  private readonly keyOf: ((value: string, key: string | null) => string | null);
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly now: () => number;

  constructor(
    private readonly producer: ProducerPort,
    private readonly options: KafkaSinkOptions,
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.lingerMs = options.lingerMs ?? 20;
    this.now = options.now ?? Date.now;
    this.keyOf = options.keyField === undefined ? (_value, key) => key : keyFromField(options.keyField);
  }

  /** Messages acknowledged by the broker. */
  get sent(): number {
    return this.sentCount;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** The replay's input listener: returns a promise only when the replay must wait. */
  readonly add = (value: string, ts: number, key: string | null, headers: string | null): Promise<void> | undefined => {
    if (this.failure !== null) throw this.failure;
    const message: OutgoingMessage = { key: this.keyOf(value, key), value, timestamp: String(this.options.retimeNow ? this.now() : ts) };
    const chosen = headers === null ? undefined : chooseHeaders(headers, this.options.headers ?? { kind: 'all' });
    if (chosen) message.headers = chosen;
    this.batch.push(message);
    if (this.batch.length >= this.batchSize) return this.sendBatch();
    if (this.batch.length === 1) this.linger = setTimeout(() => void this.sendBatch().catch(() => undefined), this.lingerMs);
    return undefined;
  };

  /** Sends what is buffered and waits for every send. */
  async flush(): Promise<void> {
    await this.sendBatch();
    await this.inFlight;
    if (this.failure !== null) throw this.failure;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.producer.disconnect();
    }
  }

  /** Waits for the send in flight, then starts this batch's send without waiting for it. */
  private async sendBatch(): Promise<void> {
    if (this.linger !== null) {
      clearTimeout(this.linger);
      this.linger = null;
    }
    // A loop, not an if: the linger timer and a full batch may both be waiting; one send at a time keeps order.
    while (this.inFlight !== null) await this.inFlight;
    if (this.failure !== null) throw this.failure;
    if (this.batch.length === 0) return;
    const messages = this.batch;
    this.batch = [];
    const tracked: Promise<void> = this.producer.send({ topic: this.options.topic, messages }).then(
      () => {
        this.sentCount += messages.length;
        if (this.inFlight === tracked) this.inFlight = null;
      },
      (error: unknown) => {
        this.failure = error;
        if (this.inFlight === tracked) this.inFlight = null;
      },
    );
    this.inFlight = tracked;
  }
}

function keyFromField(path: string): (value: string, key: string | null) => string | null {
  const read = pathReader(path);
  return (value) => {
    let record: unknown;
    try {
      record = JSON.parse(value);
    } catch {
      return null;
    }
    if (record === null || typeof record !== 'object') return null;
    const key = read(record as Record<string, unknown>);
    return key === undefined || key === null || typeof key === 'object' ? null : String(key);
  };
}

function chooseHeaders(json: string, choice: HeaderChoice): Record<string, string | string[]> | undefined {
  if (choice.kind === 'none') return undefined;
  let all: Record<string, string | string[]>;
  try {
    all = JSON.parse(json) as Record<string, string | string[]>;
  } catch {
    return undefined;
  }
  if (choice.kind === 'all') return all;
  const picked: Record<string, string | string[]> = {};
  for (const name of Object.keys(all)) if (choice.names.has(name)) picked[name] = all[name]!;
  return picked;
}
