import { readLineBlocks } from '../replay/lines.js';
import { isSqlitePath, readRecording } from '../replay/sqlite-recording.js';
import { createFieldReader, createRowReader, type FieldReader, type FieldRow, type RowReader } from '../replay/field-reader.js';

/**
 * Streams a recording's records to a sink: lines are cut from 1 MB blocks and parsed one by one
 * synchronously inside a block (an async step per line would cost more than the checks), so memory
 * is a block plus what the sink keeps. A line that is not a JSON object goes to `malformed` with
 * its line number and reason; nothing in the input stops the scan. A SQLite recording (.db,
 * .sqlite) is read row by row through a cursor; a row's `seq` stands for the line number.
 */
export interface RecordSink {
  /** `source.text()` is the line as written (decoded only when asked: quarantine, sniffing). */
  record(record: Record<string, unknown>, line: number, source: LineText): void;
  /**
   * With `fields()` a list: each record as a row of those fields, read from the line's bytes
   * (createRowReader: values decoded only when asked). Without `row`, lists decode records.
   */
  row?(row: FieldRow, line: number, source: LineText): void;
  /** Called with each new row reader's row before its first line (the monitor sets projections). */
  prepareRow?(row: FieldRow): void;
  malformed(line: number, reason: string, text: string): void;
  /** Runs between blocks; the check runner chooses its rule set here once it has sampled records. */
  afterBlock?(): Promise<void> | void;
  /**
   * The top-level fields the sink needs, asked before each block: with a list, lines are decoded
   * by the byte-level field reader (only those fields are built; the rest is validated and
   * skipped, ~2-3x cheaper than JSON.parse of the whole line); undefined or 'all': JSON.parse.
   */
  fields?(): readonly string[] | 'all' | undefined;
}

/** The current line's bytes, reused for every line; `text()` decodes them on demand. */
export class LineText {
  buffer: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  string: string | undefined;

  text(): string {
    return (this.string ??= this.buffer.toString('utf8', this.start, this.end));
  }
}

/** Rows of a SQLite recording between two afterBlock calls, like a 1 MB block of ~7K lines. */
const SQLITE_BLOCK_ROWS = 10_000;

export async function scanRecords(path: string, sink: RecordSink): Promise<void> {
  if (isSqlitePath(path)) return scanSqlite(path, sink);
  const source = new LineText();
  let wanted: readonly string[] | 'all' | undefined;
  let reader: RowReader | undefined;
  let recordReader: FieldReader | undefined;
  for await (const block of readLineBlocks(path)) {
    const fields = sink.fields?.();
    if (fields !== wanted) {
      wanted = fields;
      const list = fields === undefined || fields === 'all' ? undefined : fields;
      reader = list !== undefined && sink.row !== undefined ? createRowReader(list) : undefined;
      recordReader = list !== undefined && sink.row === undefined ? createFieldReader(list) : undefined;
      if (reader !== undefined) sink.prepareRow?.(reader.row);
    }
    const { buffer } = block;
    source.buffer = buffer;
    let line = block.firstLine;
    let from = 0;
    while (from < buffer.length) {
      let end = buffer.indexOf(10, from);
      if (end < 0) end = buffer.length;
      let stop = end;
      if (stop > from && buffer[stop - 1] === 13) stop--;
      if (stop > from) {
        source.start = from;
        source.end = stop;
        source.string = undefined;
        if (reader !== undefined) {
          if (reader.read(buffer, from, stop)) sink.row!(reader.row, line, source);
          else deliver(source.text(), line, sink, source);
        } else {
          const record = recordReader?.read(buffer, from, stop);
          if (record) sink.record(record, line, source);
          else deliver(source.text(), line, sink, source);
        }
      }
      line++;
      from = end + 1;
    }
    await sink.afterBlock?.();
  }
}

async function scanSqlite(path: string, sink: RecordSink): Promise<void> {
  let rows = 0;
  const source = new LineText();
  for (const row of readRecording(path)) {
    source.string = row.value;
    deliver(row.value, row.seq, sink, source);
    if (++rows % SQLITE_BLOCK_ROWS === 0) await sink.afterBlock?.();
  }
  await sink.afterBlock?.();
}

/** JSON.parse path: whole records, and the reason for a line the field reader rejected. */
function deliver(text: string, line: number, sink: RecordSink, source: LineText): void {
  const parsed = parseRecordLine(text);
  if (typeof parsed === 'string') sink.malformed(line, parsed, text);
  else sink.record(parsed, line, source);
}

/**
 * A line as `sw quality check` takes it: a JSON object is a record; anything else is malformed,
 * and the string returned is why (the same words in every report: `sw replay --quality` uses it too).
 */
export function parseRecordLine(text: string): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `invalid JSON: ${(error as Error).message}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return `not a JSON object (${Array.isArray(parsed) ? 'a list' : parsed === null ? 'null' : typeof parsed})`;
  }
  return parsed as Record<string, unknown>;
}
