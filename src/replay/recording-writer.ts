/**
 * Where `sw record` stores what it receives: a SQLite recording (every Kafka field in its own
 * column, docs/recordings.md) or JSONL. JSONL keeps one record per line:
 *   - plain (default): the value itself when it is JSON, else the value as a JSON string, so the
 *     line stays valid JSONL and `sw replay` dead-letters it with a reason instead of a parse error;
 *   - `--envelope`: {"topic","partition","offset","timestamp","key","headers","value"} with the
 *     value parsed when it is JSON; a value that is not JSON is kept as text in "valueText"
 *     instead of "value", so the two never get confused (docs/kafka.md).
 */
import { LineWriter } from './record-sink.js';
import { isSqlitePath, SqliteRecordingWriter, type RecordingRow } from './sqlite-recording.js';

export interface RecordingWriter {
  readonly path: string;
  readonly count: number;
  append(row: RecordingRow): void;
  /** Makes everything appended so far durable (a SQLite transaction, a file write). */
  commit(): void;
  close(): void;
}

export interface RecordingWriterOptions {
  /** JSONL only: wrap each value with its Kafka metadata. */
  readonly envelope?: boolean;
  /** Added to the SQLite recording's meta table (source, topics, brokers...). */
  readonly meta?: Record<string, string>;
}

export function openRecordingWriter(path: string, options: RecordingWriterOptions = {}): RecordingWriter {
  if (isSqlitePath(path)) return new SqliteRecordingWriter(path, options.meta ?? {});
  return new JsonlRecordingWriter(path, options.envelope === true);
}

export class JsonlRecordingWriter implements RecordingWriter {
  private readonly lines: LineWriter;
  private appended = 0;

  constructor(
    readonly path: string,
    private readonly envelope: boolean,
  ) {
    this.lines = LineWriter.open(path);
  }

  get count(): number {
    return this.appended;
  }

  append(row: RecordingRow): void {
    this.appended++;
    if (!this.envelope) {
      this.lines.write(isJson(row.value) ? oneLine(row.value) : JSON.stringify(row.value));
      return;
    }
    this.lines.write(
      JSON.stringify({
        topic: row.topic ?? null,
        partition: row.partition ?? null,
        offset: row.offset ?? null,
        timestamp: row.timestamp ?? null,
        key: row.key ?? null,
        headers: row.headers ? (JSON.parse(row.headers) as unknown) : null,
        ...(isJson(row.value) ? { value: JSON.parse(row.value) as unknown } : { valueText: row.value }),
      }),
    );
  }

  commit(): void {
    this.lines.flush();
  }

  close(): void {
    this.lines.close();
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A raw newline in valid JSON text can only be whitespace between tokens, so a space keeps its meaning. */
function oneLine(json: string): string {
  return json.includes('\n') || json.includes('\r') ? json.replace(/[\r\n]/g, ' ') : json;
}
