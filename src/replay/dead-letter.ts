import { LineWriter } from './record-sink.js';

export interface DeadLetter {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  /** The record's text as read (cut at 10 KB so one huge bad line cannot flood the output). */
  readonly raw: string;
}

const MAX_RAW = 10_240;

/**
 * Records that cannot be processed (bad JSON, no event time) go here with file, line and reason,
 * and are counted; a run never stops for them. The file is created on the first dead letter only.
 */
export class DeadLetterOutput {
  private writer: LineWriter | null = null;
  /** A resumed run appends to the file (already truncated to the checkpoint) instead of starting it anew. */
  private append = false;
  private readonly first: DeadLetter[] = [];
  count = 0;

  constructor(readonly path: string | null) {}

  add(file: string, line: number, reason: string, raw: string): void {
    this.count++;
    const letter: DeadLetter = { file, line, reason, raw: raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) + '…' : raw };
    if (this.first.length < 5) this.first.push(letter);
    if (this.path === null) return;
    this.writer ??= LineWriter.open(this.path, { truncate: !this.append });
    this.writer.write(JSON.stringify(letter));
  }

  /**
   * Bytes written so far (flushed, not yet synced) and the count: a checkpoint's dead-letter
   * position; `file` is the path the checkpoint syncs before it commits (null: nothing written yet).
   */
  flushedPosition(): { bytes: number; count: number; file: string | null } {
    return { bytes: this.writer === null ? 0 : this.writer.flushedPosition(), count: this.count, file: this.writer === null ? null : this.path };
  }

  /** Continues after a checkpoint: `count` letters are already in the (truncated) file. */
  resumeAfter(count: number): void {
    this.count = count;
    this.append = true;
  }

  /** The first few dead letters, for the summary. */
  get examples(): readonly DeadLetter[] {
    return this.first;
  }

  close(): void {
    this.writer?.close();
  }
}
