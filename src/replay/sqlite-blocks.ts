import { setImmediate } from 'node:timers/promises';
import type { RecordBlock } from './recording.js';
import { lastSeq, readRecording, rowLine } from './sqlite-recording.js';
import { InputError } from '../errors.js';

/** Rows per block: big enough that the per-block cost vanishes, small enough to stay cache-friendly. */
const ROWS_PER_BLOCK = 4096;

/**
 * Streams a SQLite recording as record blocks: each row's value on its own line, numbered by the
 * row's seq, with its Kafka partition as the watermark split. A raw newline inside a value can
 * only be JSON whitespace (inside strings it must be escaped), so it is read as a space. Each
 * block's extent is in rows (seqs), for progress: rows read over the recording's rows. The event
 * loop turns between blocks, as it does between a file's chunks.
 */
export async function* readSqliteBlocks(path: string, afterSeq = 0): AsyncGenerator<RecordBlock> {
  let values: string[] = [];
  let lineNumbers: number[] = [];
  let splits: number[] = [];
  let keys: (string | null)[] = [];
  let headers: (string | null)[] = [];
  let total = 0;
  let from = afterSeq;
  const flush = (): RecordBlock => {
    const to = lineNumbers[lineNumbers.length - 1]!;
    const extent = { from, to, total: Math.max(total, to) };
    from = to;
    const block = { buffer: Buffer.from(values.join('\n') + '\n'), firstLine: lineNumbers[0]!, lineNumbers, splits, keys, headers, extent };
    values = [];
    lineNumbers = [];
    splits = [];
    keys = [];
    headers = [];
    return block;
  };
  let rows: Generator<{ seq: number; value: string; partition?: number | null; key?: string | null; headers?: string | null }>;
  try {
    total = lastSeq(path);
    rows = readRecording(path, afterSeq > 0 ? { afterSeq } : {});
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read the SQLite recording (${(error as Error).message}); is it an sw recording?`);
  }
  try {
    for (const row of rows) {
      values.push(rowLine(row.value));
      lineNumbers.push(row.seq);
      splits.push(row.partition ?? 0);
      keys.push(row.key ?? null);
      headers.push(row.headers ?? null);
      if (values.length >= ROWS_PER_BLOCK) {
        yield flush();
        // Rows are read synchronously: without a turn of the event loop between blocks, I/O
        // callbacks (a checkpoint's commit once the thread pool has synced the output) would
        // wait for the end of the run.
        await setImmediate();
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read the SQLite recording (${(error as Error).message}); is it an sw recording?`);
  }
  if (values.length > 0) yield flush();
}
