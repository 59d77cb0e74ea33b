import type { Command } from 'commander';
import { parseDuration } from '../engine/duration.js';
import { UsageError } from '../errors.js';
import { connectionFrom, connectKafka, kafkaError, parseBrokers, PASSWORD_ENV, type SecurityFlags } from '../replay/kafka-client.js';
import { KafkaRecorder, type RecordProgress, type RecordStart } from '../replay/kafka-recorder.js';
import { recordLines } from '../replay/line-recorder.js';
import { openRecordingWriter } from '../replay/recording-writer.js';
import { parseTimeFlag } from '../replay/time-flag.js';

interface KafkaFlags extends SecurityFlags {
  brokers: string;
  topic: string[];
  group?: string;
  fromBeginning?: boolean;
  fromTimestamp?: string;
  count?: string;
  duration?: string;
  out: string;
  envelope?: boolean;
  json?: boolean;
}

interface LineFlags {
  out: string;
  keyField?: string;
  timeField?: string;
  envelope?: boolean;
  json?: boolean;
}

export function registerRecord(program: Command): void {
  const record = program
    .command('record')
    .description('Record a stream (Kafka topics, stdin or a JSONL file) into a SQLite or JSONL recording')
    .addHelpText(
      'after',
      `
Examples:
  $ sw record kafka --brokers localhost:9092 --topic events --from-beginning --count 100000 --out events.db
  $ sw record stdin --out events.db < events.jsonl
  $ sw record file events.jsonl.gz --out events.db --key-field userId --time-field ts`,
    );

  record
    .command('kafka')
    .description('Consume Kafka topics into a recording; stops on --count, --duration or Ctrl-C, keeping everything received')
    .requiredOption('--brokers <list>', 'bootstrap brokers, host:port[,host:port]')
    .requiredOption('--topic <t...>', 'topic(s) to record (repeat or list several)')
    .option('--group <g>', 'consumer group: start from its committed offsets and commit what was stored')
    .option('--from-beginning', 'start at the earliest offset of every partition')
    .option('--from-timestamp <t>', 'start at the first message with broker timestamp ≥ t (ISO-8601 or epoch ms)')
    .option('--count <n>', 'stop after n messages')
    .option('--duration <d>', 'stop after this wall-clock time (30s, 5m, 1h)')
    .requiredOption('-o, --out <file>', 'recording to write: .db/.sqlite (every Kafka field) or .jsonl')
    .option('--envelope', 'JSONL only: write {topic,partition,offset,timestamp,key,headers,value} instead of the bare value')
    .option('--ssl', 'connect with TLS')
    .option('--ca <file>', 'PEM file of the CA that signed the brokers\' certificates (implies --ssl)')
    .option('--sasl <mechanism>', 'SASL mechanism: plain, scram-sha-256 or scram-sha-512')
    .option('--username <name>', 'SASL user name')
    .option('--password <secret>', `SASL password (default: the ${PASSWORD_ENV} environment variable)`)
    .option('--json', 'print the summary on stderr as one JSON line')
    .addHelpText(
      'after',
      `
Without --group, --from-beginning or --from-timestamp, recording starts at the end of each
partition (new messages only) and no offsets are committed.

Examples:
  $ sw record kafka --brokers localhost:9092 --topic orders --topic payments --from-beginning --count 50000 --out shop.db
  $ sw record kafka --brokers b1:9093 --ssl --sasl scram-sha-512 --username sw --topic events --group sw-rec --duration 10m --out events.db
  $ SW_KAFKA_PASSWORD=... sw record kafka --brokers b1:9093 --sasl plain --username sw --topic events --from-timestamp 2026-01-01T00:00:00Z --out events.jsonl --envelope`,
    )
    .action(async (flags: KafkaFlags) => {
      const summary = await recordKafka(flags);
      report(flags.json, { out: summary.out, messages: summary.messages, seconds: summary.elapsedMs / 1000, stoppedBy: summary.stoppedBy, partitions: Object.fromEntries(summary.perPartition) });
    });

  const lineOptions = (command: Command) =>
    command
      .requiredOption('-o, --out <file>', 'recording to write: .db/.sqlite or .jsonl')
      .option('--key-field <path>', 'fill the key column from this field (dotted path)')
      .option('--time-field <path>', 'fill the timestamp column from this field (epoch ms or ISO-8601)')
      .option('--envelope', 'input lines are `sw record kafka --envelope` output: restore every Kafka column')
      .option('--json', 'print the summary on stderr as one JSON line');

  lineOptions(record.command('stdin').description('Record JSONL from standard input'))
    .addHelpText('after', '\nExamples:\n  $ producer | sw record stdin --out live.db\n  $ sw record stdin --out events.db < events.jsonl')
    .action(async (flags: LineFlags) => report(flags.json, await recordFromLines('-', flags)));

  lineOptions(record.command('file').description('Convert a JSONL file (.jsonl, .jsonl.gz) into a recording').argument('<in>', 'a .jsonl or .jsonl.gz file'))
    .addHelpText('after', '\nExample:\n  $ sw record file events.jsonl.gz --out events.db --key-field userId')
    .action(async (input: string, flags: LineFlags) => report(flags.json, await recordFromLines(input, flags)));
}

async function recordFromLines(input: string, flags: LineFlags) {
  const started = performance.now();
  const writer = openRecordingWriter(flags.out, { envelope: false, meta: { source: input === '-' ? 'stdin' : `file:${input}`, created: new Date().toISOString() } });
  const records = await recordLines(input, writer, {
    ...(flags.keyField === undefined ? {} : { keyField: flags.keyField }),
    ...(flags.timeField === undefined ? {} : { timeField: flags.timeField }),
    envelope: flags.envelope === true,
  });
  return { out: flags.out, messages: records, seconds: (performance.now() - started) / 1000 };
}

function startOf(flags: KafkaFlags): RecordStart {
  const chosen = [flags.group !== undefined && '--group', flags.fromBeginning && '--from-beginning', flags.fromTimestamp !== undefined && '--from-timestamp'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} exclude each other; choose one start position`);
  if (flags.group !== undefined) return { kind: 'group', groupId: flags.group };
  if (flags.fromBeginning) return { kind: 'beginning' };
  if (flags.fromTimestamp !== undefined) return { kind: 'timestamp', ms: parseTimeFlag('--from-timestamp', flags.fromTimestamp) };
  return { kind: 'latest' };
}

function positiveCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new UsageError(`--count ${text}: not a positive whole number; use e.g. --count 10000`);
  return Number(text);
}

async function recordKafka(flags: KafkaFlags) {
  const brokers = parseBrokers(flags.brokers);
  const start = startOf(flags);
  const count = positiveCount(flags.count);
  let durationMs: number | undefined;
  if (flags.duration !== undefined) {
    const ms = parseDuration(flags.duration);
    if (ms === null || ms <= 0) throw new UsageError(`--duration ${flags.duration}: not a duration; use e.g. 30s, 5m or 1h`);
    durationMs = ms;
  }
  if (flags.envelope && /\.(db|sqlite3?)$/i.test(flags.out)) throw new UsageError(`--envelope is for JSONL; ${flags.out} is a SQLite recording, which keeps every Kafka field in its own column`);
  const connection = connectionFrom(brokers, flags);
  const clients = await connectKafka(connection);
  const writer = openRecordingWriter(flags.out, {
    envelope: flags.envelope === true,
    meta: { source: 'kafka', brokers: brokers.join(','), topics: flags.topic.join(','), created: new Date().toISOString() },
  });
  const progress = process.stderr.isTTY ? progressLine() : undefined;
  const recorder = new KafkaRecorder(clients, {
    topics: flags.topic,
    start,
    writer,
    ...(count === undefined ? {} : { count }),
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(progress ? { onProgress: progress.update } : {}),
  });
  const interrupt = () => recorder.stop('signal');
  process.once('SIGINT', interrupt);
  try {
    return await recorder.run();
  } catch (error) {
    throw kafkaError(connection, `recording ${flags.topic.join(',')}`, error);
  } finally {
    process.off('SIGINT', interrupt);
    progress?.done();
  }
}

/** One self-overwriting stderr line, at most 4 times a second: messages, rate, per partition. */
function progressLine() {
  let last = 0;
  let shown = false;
  return {
    update(p: RecordProgress): void {
      const now = performance.now();
      if (now - last < 250) return;
      last = now;
      shown = true;
      const rate = p.elapsedMs > 0 ? Math.round(p.messages / (p.elapsedMs / 1000)) : 0;
      const parts = [...p.perPartition].slice(0, 6).map(([tp, n]) => `${tp}:${n}`);
      const more = p.perPartition.size > 6 ? ` +${p.perPartition.size - 6} more` : '';
      process.stderr.write(`\r\x1b[2K${p.messages} messages · ${rate}/s · ${parts.join(' ')}${more}`);
    },
    done(): void {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}

function report(json: boolean | undefined, summary: { out: string; messages: number; seconds: number } & Record<string, unknown>): void {
  if (json) process.stderr.write(JSON.stringify(summary) + '\n');
  else process.stderr.write(`recorded ${summary.messages} records into ${summary.out} in ${summary.seconds.toFixed(2)}s\n`);
}
