import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { SqliteRecordingWriter } from '../replay/sqlite-recording.js';
import type { SynthOutput } from './synthesize.js';

/**
 * Records are encoded straight into one reusable 4 MiB buffer and written when it is nearly full:
 * appending to a JS string and writing that costs a rope flatten plus a second utf-8 encode, and
 * measured 2x slower at 500K lines/s.
 */
const BUFFER_BYTES = 4 << 20;
/** Flush when less than this is free: no record line comes close (they are < 2 KiB). */
const HEADROOM = 64 << 10;

/** JSONL to a file or stdout. */
export class JsonlOutput implements SynthOutput {
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;

  /** Set when the reader of stdout went away (`sw synth ... | head`): the run stops quietly. */
  stopped = false;

  private constructor(
    private readonly file: FileHandle | null,
    private readonly path: string,
  ) {
    if (!file) {
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        this.stopped = true;
      });
    }
  }

  static async open(path: string | null): Promise<JsonlOutput> {
    if (path === null) return new JsonlOutput(null, '<stdout>');
    try {
      return new JsonlOutput(await open(path, 'w'), path);
    } catch (error) {
      throw new InputError(`${path}: cannot write the output (${(error as NodeJS.ErrnoException).code}); check the folder exists and is writable`);
    }
  }

  write(text: string): void {
    if (text.length * 3 + 1 > BUFFER_BYTES - this.used) {
      // Only a pathological line gets here: queue what is buffered, then the line, in order.
      this.pendingBig.push(Buffer.from(this.buffer.subarray(0, this.used)), Buffer.from(text + '\n'));
      this.used = 0;
      return;
    }
    this.used += this.buffer.write(text, this.used);
    this.buffer[this.used++] = 10;
  }

  private readonly pendingBig: Buffer[] = [];

  get wantsFlush(): boolean {
    return this.used > BUFFER_BYTES - HEADROOM || this.pendingBig.length > 0;
  }

  async flush(): Promise<void> {
    for (const queued of this.pendingBig.splice(0)) await this.put(queued);
    if (this.used > 0) {
      await this.put(this.buffer.subarray(0, this.used));
      this.used = 0;
    }
  }

  private async put(data: Buffer): Promise<void> {
    if (this.file) {
      let at = 0;
      while (at < data.length) at += (await this.file.write(data, at, data.length - at)).bytesWritten;
      return;
    }
    if (this.stopped) return;
    // stdout copies what it cannot write at once, so the shared buffer can be reused after drain.
    if (!process.stdout.write(Buffer.from(data))) {
      await new Promise<void>((resolve) => {
        process.stdout.once('drain', resolve);
        process.stdout.once('error', () => resolve());
      });
    }
  }

  async close(): Promise<void> {
    await this.flush();
    await this.file?.close();
  }

  toString(): string {
    return this.path;
  }
}

/** A SQLite recording (docs/recordings.md): value = the line, timestamp = event time. */
export class SqliteOutput implements SynthOutput {
  private readonly writer: SqliteRecordingWriter;

  constructor(path: string, meta: Record<string, string>) {
    // Rebuilt by the same command after a crash: no journal while writing (see RecordingWriterMode).
    this.writer = new SqliteRecordingWriter(path, meta, undefined, { bulk: true });
  }

  write(text: string, time: number, key: string, topic: string): void {
    this.writer.append({ value: text, key, topic, timestamp: time });
  }

  readonly wantsFlush = false;

  async flush(): Promise<void> {
    this.writer.commit();
  }

  async close(): Promise<void> {
    this.writer.close();
  }
}
