/**
 * The sinks `sw replay` can feed besides the live view: output records to JSONL (a file or
 * stdout) or a SQLite results table, and the input records to a Kafka topic (--sink kafka).
 * The command file only parses flags; the wiring lives here.
 */
import type { OutputRecord } from '../engine/operator.js';
import { UsageError } from '../errors.js';
import { connectionFrom, connectKafka, kafkaError, parseBrokers, type KafkaClients, type KafkaConnection, type SecurityFlags } from './kafka-client.js';
import { KafkaSink, parseHeaderChoice } from './kafka-sink.js';
import { LineWriter } from './record-sink.js';
import { OutputJson } from './output-json.js';
import type { Replay } from './replay.js';
import { isSqlitePath } from './sqlite-recording.js';
import { SqliteOutputWriter } from './sqlite-output.js';

export interface SinkFlags extends SecurityFlags {
  sink?: string;
  brokers?: string;
  topic?: string;
  retime?: string;
  keyField?: string;
  headers?: string;
}

export interface OutputSink {
  write(record: OutputRecord): void;
  close(): void;
}

/** `--out`: .db/.sqlite writes a results table, anything else JSON Lines ('-' is stdout). */
export function openOutputSink(path: string, meta: Record<string, string>): OutputSink {
  if (isSqlitePath(path)) return new SqliteOutputWriter(path, meta);
  const lines = LineWriter.open(path);
  const json = new OutputJson();
  return { write: (record) => lines.write(json.text(record)), close: () => lines.close() };
}

export interface KafkaSinkPlan {
  readonly connection: KafkaConnection;
  readonly topic: string;
  readonly retimeNow: boolean;
  readonly keyField?: string;
  readonly headers: string;
}

/** Checks the Kafka sink flags before anything is opened; null when there is no --sink. */
export function planKafkaSink(flags: SinkFlags): KafkaSinkPlan | null {
  const kafkaOnly = (['brokers', 'topic', 'retime', 'keyField', 'headers', 'sasl', 'ca'] as const).filter((name) => flags[name] !== undefined);
  if (flags.sink === undefined) {
    if (kafkaOnly.length > 0) throw new UsageError(`--${kebab(kafkaOnly[0]!)} needs --sink kafka --brokers <list> --topic <t>`);
    return null;
  }
  if (flags.sink !== 'kafka') throw new UsageError(`--sink ${flags.sink}: unknown sink; use --sink kafka (output records go to --out)`);
  if (flags.brokers === undefined || flags.topic === undefined) throw new UsageError('--sink kafka needs --brokers <host:port,...> and --topic <t>');
  if (flags.retime !== undefined && flags.retime !== 'now') throw new UsageError(`--retime ${flags.retime}: use --retime now (without it, each record's event time is its Kafka timestamp)`);
  return {
    connection: connectionFrom(parseBrokers(flags.brokers), flags),
    topic: flags.topic,
    retimeNow: flags.retime === 'now',
    ...(flags.keyField === undefined ? {} : { keyField: flags.keyField }),
    headers: flags.headers ?? 'all',
  };
}

/** Connects a producer and makes it the replay's input listener. */
export async function attachKafkaSink(replay: Replay, plan: KafkaSinkPlan, clients?: KafkaClients): Promise<KafkaSink> {
  const kafka = clients ?? (await connectKafka(plan.connection));
  const sink = new KafkaSink(kafka.producer(), {
    topic: plan.topic,
    retimeNow: plan.retimeNow,
    headers: parseHeaderChoice(plan.headers),
    ...(plan.keyField === undefined ? {} : { keyField: plan.keyField }),
  });
  try {
    await sink.connect();
  } catch (error) {
    throw kafkaError(plan.connection, `connecting a producer for ${plan.topic}`, error);
  }
  replay.onInput(sink.add);
  return sink;
}

/** Sends what is left and disconnects; a send failure becomes a one-line input error. */
export async function closeKafkaSink(sink: KafkaSink, plan: KafkaSinkPlan): Promise<void> {
  try {
    await sink.close();
  } catch (error) {
    throw kafkaError(plan.connection, `sending to ${plan.topic}`, error);
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
