import { readLineBlocks } from '../replay/lines.js';
import { isSqlitePath, readRecording } from '../replay/sqlite-recording.js';

/**
 * Streams a recording's records to a sink: lines are cut from 1 MB blocks and parsed one by one
 * synchronously inside a block (an async step per line would cost more than the checks), so memory
 * is a block plus what the sink keeps. A line that is not a JSON object goes to `malformed` with
 * its line number and reason; nothing in the input stops the scan. A SQLite recording (.db,
 * .sqlite) is read row by row through a cursor; a row's `seq` stands for the line number.
 */
export interface RecordSink {
  record(record: Record<string, unknown>, line: number, text: string): void;
  malformed(line: number, reason: string, text: string): void;
  /** Runs between blocks; the check runner chooses its rule set here once it has sampled records. */
  afterBlock?(): Promise<void> | void;
}

/** Rows of a SQLite recording between two afterBlock calls, like a 1 MB block of ~7K lines. */
const SQLITE_BLOCK_ROWS = 10_000;

export async function scanRecords(path: string, sink: RecordSink): Promise<void> {
  if (isSqlitePath(path)) return scanSqlite(path, sink);
  for await (const block of readLineBlocks(path)) {
    const { buffer } = block;
    let line = block.firstLine;
    let from = 0;
    while (from < buffer.length) {
      let end = buffer.indexOf(10, from);
      if (end < 0) end = buffer.length;
      let stop = end;
      if (stop > from && buffer[stop - 1] === 13) stop--;
      if (stop > from) {
        deliver(buffer.toString('utf8', from, stop), line, sink);
      }
      line++;
      from = end + 1;
    }
    await sink.afterBlock?.();
  }
}

async function scanSqlite(path: string, sink: RecordSink): Promise<void> {
  let rows = 0;
  for (const row of readRecording(path)) {
    deliver(row.value, row.seq, sink);
    if (++rows % SQLITE_BLOCK_ROWS === 0) await sink.afterBlock?.();
  }
  await sink.afterBlock?.();
}

function deliver(text: string, line: number, sink: RecordSink): void {
  let parsed: unknown;
  let reason: string | undefined;
  try {
    parsed = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      reason = `not a JSON object (${Array.isArray(parsed) ? 'a list' : parsed === null ? 'null' : typeof parsed})`;
    }
  } catch (error) {
    reason = `invalid JSON: ${(error as Error).message}`;
  }
  if (reason === undefined) sink.record(parsed as Record<string, unknown>, line, text);
  else sink.malformed(line, reason, text);
}
