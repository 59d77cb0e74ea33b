/**
 * `sw record stdin` and `sw record file`: JSONL lines (stdin, .jsonl, .jsonl.gz) into a recording,
 * each line's text kept exactly as its value (malformed lines too: replay dead-letters them with
 * their row number). `--key-field` / `--time-field` fill the key and timestamp columns from the
 * record; `--envelope` reads lines written by `sw record kafka --envelope` back into every column.
 */
import { pathReader } from '../engine/compile-pipeline.js';
import { parseEventTime } from '../engine/duration.js';
import { readLines } from './lines.js';
import type { RecordingWriter } from './recording-writer.js';
import type { RecordingRow } from './sqlite-recording.js';

export interface LineRecordOptions {
  readonly keyField?: string;
  readonly timeField?: string;
  readonly envelope?: boolean;
}

export async function recordLines(input: string, writer: RecordingWriter, options: LineRecordOptions = {}): Promise<number> {
  const rowOf = lineRow(options);
  try {
    for await (const { text } of readLines(input)) writer.append(rowOf(text));
  } finally {
    writer.close();
  }
  return writer.count;
}

function lineRow(options: LineRecordOptions): (text: string) => RecordingRow {
  if (options.envelope) return envelopeRow;
  const keyOf = options.keyField === undefined ? null : pathReader(options.keyField);
  const timeOf = options.timeField === undefined ? null : pathReader(options.timeField);
  if (keyOf === null && timeOf === null) return (value) => ({ value });
  return (value) => {
    const record = parseObject(value);
    if (record === null) return { value };
    const key = keyOf === null ? undefined : keyOf(record);
    const time = timeOf === null ? NaN : parseEventTime(timeOf(record));
    return {
      value,
      key: key === undefined || key === null || typeof key === 'object' ? null : String(key),
      timestamp: Number.isFinite(time) ? time : null,
    };
  };
}

/** A line of `sw record kafka --envelope` output; anything else is kept as a plain value. */
function envelopeRow(text: string): RecordingRow {
  const e = parseObject(text);
  if (e === null || !('value' in e || typeof e.valueText === 'string')) return { value: text };
  return {
    value: typeof e.valueText === 'string' ? e.valueText : JSON.stringify(e.value),
    key: typeof e.key === 'string' ? e.key : null,
    headers: e.headers !== null && typeof e.headers === 'object' ? JSON.stringify(e.headers) : null,
    topic: typeof e.topic === 'string' ? e.topic : null,
    partition: typeof e.partition === 'number' ? e.partition : null,
    offset: typeof e.offset === 'number' ? e.offset : null,
    timestamp: typeof e.timestamp === 'number' ? e.timestamp : null,
  };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

