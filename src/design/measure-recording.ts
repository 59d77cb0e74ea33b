/**
 * Reads a recording once, streaming, into a RecordingProfile: JSONL (.jsonl, .jsonl.gz, '-' for
 * stdin) through the shared line reader.
 */
import { readLines } from '../replay/lines.js';
import { isSqlitePath } from '../replay/sqlite-recording.js';
import { UsageError } from '../errors.js';
import { RecordingProfiler, guessKeyField, type KeyField, type RecordingProfile } from './recording-profile.js';

export interface MeasureOptions {
  readonly timeField: string;
  /** Keys to measure (from --key and the pipeline's keyed steps). */
  readonly keys: readonly KeyField[];
  /** When no key is given, guess one from the first readable record. */
  readonly guessKey: boolean;
}

/** Each record of a JSONL recording: the parsed object (null when not a JSON object) and its byte length. */
async function* recordsOf(path: string): AsyncGenerator<[Record<string, unknown> | null, number]> {
  for await (const { text } of readLines(path)) {
    let record: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) record = parsed as Record<string, unknown>;
    } catch {
      record = null;
    }
    yield [record, Buffer.byteLength(text)];
  }
}

export async function measureRecording(path: string, options: MeasureOptions): Promise<RecordingProfile> {
  if (isSqlitePath(path)) {
    // src/replay/sqlite-blocks.ts is still a placeholder on main; read its blocks here once it reads rows.
    throw new UsageError(`${path}: SQLite recordings are not yet supported by sw design; pass a .jsonl or .jsonl.gz recording`);
  }
  let profiler: RecordingProfiler | null = null;
  let unreadableBeforeFirst = 0;
  const start = (first: Record<string, unknown> | null) => {
    const keys = [...options.keys];
    if (keys.length === 0 && options.guessKey && first) {
      const guess = guessKeyField(first);
      if (guess) keys.push({ name: guess, paths: [guess] });
    }
    const created = new RecordingProfiler(options.timeField, keys);
    for (let i = 0; i < unreadableBeforeFirst; i++) created.addUnreadable();
    return created;
  };
  for await (const [record, bytes] of recordsOf(path)) {
    if (!profiler) {
      // The key guess needs a readable record; unreadable lines before it are counted when it comes.
      if (!record) {
        unreadableBeforeFirst++;
        continue;
      }
      profiler = start(record);
    }
    if (record) profiler.add(record, bytes);
    else profiler.addUnreadable();
  }
  return (profiler ?? start(null)).finish();
}
