/**
 * Reads a recording (JSONL, .jsonl.gz or '-' for stdin) once, streaming, into a RecordingProfile.
 */
import { readLines } from '../replay/lines.js';
import { UsageError } from '../errors.js';
import { RecordingProfiler, guessKeyField, type KeyField, type RecordingProfile } from './recording-profile.js';

export interface MeasureOptions {
  readonly timeField: string;
  /** Keys to measure (from --key and the pipeline's keyed steps). */
  readonly keys: readonly KeyField[];
  /** When no key is given, guess one from the first record. */
  readonly guessKey: boolean;
}

export function isSqliteRecording(path: string): boolean {
  return /\.(db|sqlite|sqlite3)$/i.test(path);
}

export async function measureRecording(path: string, options: MeasureOptions): Promise<RecordingProfile> {
  if (isSqliteRecording(path)) {
    throw new UsageError(`${path}: SQLite recordings are not yet supported by sw design; export it to JSONL or pass a .jsonl/.jsonl.gz recording`);
  }
  let profiler: RecordingProfiler | null = null;
  let unreadableBeforeFirst = 0;
  const start = (first: Record<string, unknown> | null) => {
    const keys = [...options.keys];
    if (keys.length === 0 && options.guessKey && first) {
      const guess = guessKeyField(first);
      if (guess) keys.push({ name: guess, paths: [guess] });
    }
    return new RecordingProfiler(options.timeField, keys);
  };
  for await (const { text } of readLines(path)) {
    let record: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) record = parsed as Record<string, unknown>;
    } catch {
      record = null;
    }
    if (!profiler) {
      // The key guess needs a readable record; unreadable lines before it wait here.
      if (!record) {
        unreadableBeforeFirst++;
        continue;
      }
      profiler = start(record);
      for (let i = 0; i < unreadableBeforeFirst; i++) profiler.addUnreadable();
    }
    if (record) profiler.add(record, Buffer.byteLength(text));
    else profiler.addUnreadable();
  }
  if (!profiler) {
    profiler = start(null);
    for (let i = 0; i < unreadableBeforeFirst; i++) profiler.addUnreadable();
  }
  return profiler.finish();
}
