/**
 * Single passes over a JSONL file, in process, each reading it in blocks with readLineBlocks as
 * `sw replay` does, so that the only difference between them is how a line is decoded.
 */
import { readLineBlocks } from '../src/replay/lines.js';
import { createFieldReader, type FieldReaderCounts } from '../src/replay/field-reader.js';
import { startTiming, type Timing } from './timing.js';

export interface PassResult extends Timing {
  readonly events: number;
  /** Sum of the timestamps read: proves every line was decoded and keeps the work observable. */
  readonly checksum: number;
  readonly counts?: FieldReaderCounts;
}

/** The naive floor: `JSON.parse` of every line's UTF-8 text. */
export function jsonParsePass(path: string): Promise<PassResult> {
  return timeLines(path, (buffer, start, end) => (JSON.parse(buffer.toString('utf8', start, end)) as { timestamp: number }).timestamp);
}

/** The byte-level field reader projecting `fields` (which must include timestamp). */
export async function fieldReaderPass(path: string, fields: readonly string[] | 'all'): Promise<PassResult> {
  const reader = createFieldReader(fields);
  const result = await timeLines(path, (buffer, start, end) => (reader.read(buffer, start, end)?.timestamp as number | undefined) ?? 0);
  return { ...result, counts: { ...reader.counts } };
}

/** Decodes every non-empty line with `decode` (which returns its timestamp) and times the pass. */
async function timeLines(path: string, decode: (buffer: Buffer, start: number, end: number) => number): Promise<PassResult> {
  const stop = startTiming();
  let events = 0;
  let checksum = 0;
  for await (const { buffer } of readLineBlocks(path)) {
    let start = 0;
    while (start < buffer.length) {
      let end = buffer.indexOf(10, start);
      if (end < 0) end = buffer.length;
      if (end > start) {
        checksum += decode(buffer, start, end);
        events++;
      }
      start = end + 1;
    }
  }
  return { events, checksum, ...stop() };
}
