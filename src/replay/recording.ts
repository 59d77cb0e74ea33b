/**
 * Opens a recording as a stream of record blocks, whatever its format: JSONL (.jsonl, .jsonl.gz,
 * stdin) or a SQLite recording (.db, .sqlite). A block holds whole records separated by '\n', so
 * the replay loop scans bytes the same way for both.
 */
import { readLineBlocks } from './lines.js';
import { isSqlitePath } from './sqlite-recording.js';

export interface RecordBlock {
  readonly buffer: Buffer;
  /** Line (or row) number of the first record; records follow one per line. */
  readonly firstLine: number;
  /** When records are not numbered consecutively (SQLite rows), each one's number. */
  readonly lineNumbers?: readonly number[];
  /** Source split of each record (a Kafka partition), for per-split watermarks. */
  readonly splits?: readonly number[];
  /** Each record's Kafka key and headers (JSON object text), when the source keeps them (SQLite recordings). */
  readonly keys?: readonly (string | null)[];
  readonly headers?: readonly (string | null)[];
}

export async function openRecording(path: string): Promise<AsyncIterable<RecordBlock>> {
  if (isSqlitePath(path)) {
    const { readSqliteBlocks } = await import('./sqlite-blocks.js');
    return readSqliteBlocks(path);
  }
  return readLineBlocks(path);
}
