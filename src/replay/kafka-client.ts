/**
 * The slice of kafkajs that `sw record kafka` and `sw replay --sink kafka` use. Code depends on
 * these interfaces, not on kafkajs classes, so tests drive it with fakes that behave as kafkajs
 * does (offsets and timestamps as strings, headers as Buffers); `connectKafka` builds the real
 * clients. Only this file imports kafkajs.
 */
import { readFileSync } from 'node:fs';
import { UsageError, InputError } from '../errors.js';

export type HeaderValue = Buffer | string | Array<Buffer | string> | undefined;

/** A fetched message as kafkajs hands it over (KafkaMessage). */
export interface FetchedMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Epoch ms as a decimal string. */
  readonly timestamp: string;
  readonly offset: string;
  readonly headers?: Record<string, HeaderValue>;
}

/** kafkajs's EachBatchPayload, the parts sw uses. */
export interface BatchPayload {
  readonly batch: { readonly topic: string; readonly partition: number; readonly highWatermark: string; readonly messages: readonly FetchedMessage[] };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  commitOffsetsIfNecessary(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

export interface ConsumerPort {
  connect(): Promise<void>;
  subscribe(subscription: { topics: string[]; fromBeginning?: boolean }): Promise<void>;
  run(config: { autoCommit?: boolean; eachBatchAutoResolve?: boolean; eachBatch: (payload: BatchPayload) => Promise<void> }): Promise<void>;
  seek(target: { topic: string; partition: number; offset: string }): void;
  commitOffsets?(offsets: Array<{ topic: string; partition: number; offset: string }>): Promise<void>;
  stop(): Promise<void>;
  disconnect(): Promise<void>;
}

export interface AdminPort {
  connect(): Promise<void>;
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<Array<{ partition: number; offset: string }>>;
  disconnect(): Promise<void>;
}

/** A message to produce (kafkajs Message). */
export interface OutgoingMessage {
  key: string | null;
  value: string;
  /** Epoch ms as a decimal string. */
  timestamp: string;
  headers?: Record<string, string | string[]>;
}

export interface ProducerPort {
  connect(): Promise<void>;
  send(record: { topic: string; messages: OutgoingMessage[]; acks?: number }): Promise<unknown>;
  disconnect(): Promise<void>;
}

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly ssl?: boolean;
  /** PEM file with the CA that signed the brokers' certificates. */
  readonly ca?: string;
  readonly sasl?: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string };
}

export interface KafkaClients {
  consumer(groupId: string): ConsumerPort;
  admin(): AdminPort;
  producer(): ProducerPort;
}

/** Parses `--brokers host:9092,host2:9092`. */
export function parseBrokers(text: string): string[] {
  const brokers = text.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
  const bad = brokers.find((b) => !/^[^\s:]+:\d+$/.test(b));
  if (brokers.length === 0 || bad !== undefined) {
    throw new UsageError(`--brokers ${text}: ${bad === undefined ? 'empty' : `'${bad}' is not host:port`}; use --brokers localhost:9092[,host2:9092]`);
  }
  return brokers;
}

export interface SecurityFlags {
  ssl?: boolean;
  ca?: string;
  sasl?: string;
  username?: string;
  password?: string;
}

/** The env variable `--password` falls back to, so a secret need not appear in the process list. */
export const PASSWORD_ENV = 'SW_KAFKA_PASSWORD';

/** Builds the connection from the CLI's security flags, checking they fit together. */
export function connectionFrom(brokers: string[], flags: SecurityFlags, env: NodeJS.ProcessEnv = process.env): KafkaConnection {
  let sasl: KafkaConnection['sasl'];
  if (flags.sasl !== undefined) {
    const mechanism = flags.sasl.toLowerCase();
    if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
      throw new UsageError(`--sasl ${flags.sasl}: unknown mechanism; use plain, scram-sha-256 or scram-sha-512`);
    }
    const password = flags.password ?? env[PASSWORD_ENV];
    if (!flags.username) throw new UsageError(`--sasl ${mechanism} needs --username <name>`);
    if (password === undefined) throw new UsageError(`--sasl ${mechanism} needs --password <secret> or the ${PASSWORD_ENV} environment variable`);
    sasl = { mechanism, username: flags.username, password };
  } else if (flags.username !== undefined || flags.password !== undefined) {
    throw new UsageError('--username/--password need --sasl plain|scram-sha-256|scram-sha-512');
  }
  if (flags.ca !== undefined) {
    try {
      readFileSync(flags.ca);
    } catch (error) {
      throw new InputError(`--ca ${flags.ca}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)}); give a PEM file`);
    }
  }
  return {
    brokers,
    clientId: 'sw',
    ...(flags.ssl || flags.ca !== undefined ? { ssl: true } : {}),
    ...(flags.ca !== undefined ? { ca: flags.ca } : {}),
    ...(sasl ? { sasl } : {}),
  };
}

/** The real kafkajs clients (loaded lazily: commands that do not talk to Kafka never load it). */
export async function connectKafka(connection: KafkaConnection): Promise<KafkaClients> {
  const { Kafka, logLevel } = await import('kafkajs');
  const ssl = connection.ca !== undefined ? { ca: [readFileSync(connection.ca, 'utf8')] } : connection.ssl === true;
  const kafka = new Kafka({
    clientId: connection.clientId ?? 'sw',
    brokers: [...connection.brokers],
    ssl,
    ...(connection.sasl ? { sasl: connection.sasl as never } : {}),
    // kafkajs logs JSON lines on stdout by default; errors reach the user through sw's own messages.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    retry: { retries: 3 },
  });
  return {
    consumer: (groupId) => kafka.consumer({ groupId }) as unknown as ConsumerPort,
    admin: () => kafka.admin() as unknown as AdminPort,
    producer: () => kafka.producer({ allowAutoTopicCreation: true }) as unknown as ProducerPort,
  };
}

/** kafkajs errors as one line naming the brokers and a fix. */
export function kafkaError(connection: KafkaConnection, what: string, error: unknown): InputError {
  const message = error instanceof Error ? error.message : String(error);
  return new InputError(`${connection.brokers.join(',')}: ${what} failed (${message}); check --brokers, the topic and the security options (--ssl, --sasl)`);
}

/** Header values as strings: kafkajs gives Buffers (arrays for repeated headers). */
export function headersToJson(headers: Record<string, HeaderValue> | undefined): string | null {
  if (!headers) return null;
  const out: Record<string, string | string[]> = {};
  let any = false;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
    any = true;
  }
  return any ? JSON.stringify(out) : null;
}
