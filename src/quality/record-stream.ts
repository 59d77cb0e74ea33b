import { readLineBlocks } from '../replay/lines.js';

/**
 * Streams a recording's records to a sink: lines are cut from 1 MB blocks and parsed one by one
 * synchronously inside a block (an async step per line would cost more than the checks), so memory
 * is a block plus what the sink keeps. A line that is not a JSON object goes to `malformed` with
 * its line number and reason; nothing in the input stops the scan.
 */
export interface RecordSink {
  record(record: Record<string, unknown>, line: number, text: string): void;
  malformed(line: number, reason: string, text: string): void;
  /** Runs between blocks; the check runner chooses its rule set here once it has sampled records. */
  afterBlock?(): Promise<void> | void;
}

export async function scanRecords(path: string, sink: RecordSink): Promise<void> {
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
        const text = buffer.toString('utf8', from, stop);
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
      line++;
      from = end + 1;
    }
    await sink.afterBlock?.();
  }
}
