/**
 * Opens a recording as a stream of record blocks, whatever its format: JSONL (.jsonl, .jsonl.gz,
 * stdin) or a SQLite recording (.db, .sqlite). A block holds whole records separated by '\n', so
 * the replay loop scans bytes the same way for both.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { blocksFromChunks, openLineStream, readLineBlocks } from './lines.js';
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
  /**
   * Where the block lies in the recording, in the source's own units, for progress: compressed
   * bytes of a .gz file, rows of a SQLite recording. Absent when the block's own bytes are the
   * unit (plain JSONL: decoded bytes are file bytes) or nothing is known (stdin).
   */
  readonly extent?: BlockExtent;
}

export interface BlockExtent {
  /** Units consumed before the block, once it is consumed, and in the whole recording. */
  readonly from: number;
  readonly to: number;
  readonly total: number;
}

export async function openRecording(path: string): Promise<AsyncIterable<RecordBlock>> {
  if (isSqlitePath(path)) {
    const { readSqliteBlocks } = await import('./sqlite-blocks.js');
    return readSqliteBlocks(path);
  }
  return path.endsWith('.gz') ? readGzipBlocks(path) : readLineBlocks(path);
}

/**
 * A .gz recording's blocks with their extent in compressed bytes: progress through a .gz file is
 * the compressed bytes consumed over the size on disk (decompressed bytes over the size on disk
 * ran past 100% at a fraction of the file). gunzip runs a chunk or two (1 MB decompressed each)
 * ahead of the block handed out, and its `bytesWritten` moves once per chunk: so each time a chunk
 * is taken the pair (decompressed bytes produced, compressed bytes consumed) is noted, and a
 * block's end is placed between the two pairs around it (within a chunk, off only by how much the
 * compression ratio changes inside one chunk).
 */
async function* readGzipBlocks(path: string): AsyncGenerator<RecordBlock> {
  const gunzip = (await openLineStream(path)) as Readable & { bytesWritten: number };
  const total = (await stat(path)).size;
  // Noted pairs, oldest first, from the last one at or before the blocks handed out.
  const produced: number[] = [0];
  const consumed: number[] = [0];
  let pulled = 0;
  async function* noted(): AsyncGenerator<Buffer> {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      pulled += chunk.length;
      produced.push(pulled + gunzip.readableLength);
      consumed.push(gunzip.bytesWritten);
      yield chunk;
    }
  }
  let handedOut = 0;
  let from = 0;
  try {
    for await (const block of blocksFromChunks(noted())) {
      handedOut += block.buffer.length;
      while (produced.length > 2 && produced[1]! <= handedOut) {
        produced.shift();
        consumed.shift();
      }
      const [p0, p1 = p0, c0, c1 = c0] = [produced[0]!, produced[1], consumed[0]!, consumed[1]];
      const at = p1 > p0 ? c0 + ((c1 - c0) * Math.min(1, (handedOut - p0) / (p1 - p0))) : c1;
      const to = Math.max(from, Math.min(total, Math.round(at)));
      yield { ...block, extent: { from, to, total } };
      from = to;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: read failed (${(error as Error).message}); check the file (a truncated .gz?)`);
  }
}
