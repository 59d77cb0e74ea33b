import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { SqliteRecordingWriter } from '../replay/sqlite-recording.js';
import type { SynthOutput } from './synthesize.js';

/** 1 MiB of text per write: large enough that syscalls cost < 1% of generation time. */
const FLUSH_CHARS = 1 << 20;

/** JSONL to a file or stdout. Lines are joined in memory and written in ~1 MiB chunks. */
export class JsonlOutput implements SynthOutput {
  private chunk = '';

  private constructor(
    private readonly file: FileHandle | null,
    private readonly path: string,
  ) {}

  static async open(path: string | null): Promise<JsonlOutput> {
    if (path === null) return new JsonlOutput(null, '<stdout>');
    try {
      return new JsonlOutput(await open(path, 'w'), path);
    } catch (error) {
      throw new InputError(`${path}: cannot write the output (${(error as NodeJS.ErrnoException).code}); check the folder exists and is writable`);
    }
  }

  write(text: string): void {
    this.chunk += text + '\n';
  }

  get wantsFlush(): boolean {
    return this.chunk.length >= FLUSH_CHARS;
  }

  async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const data = this.chunk;
    this.chunk = '';
    if (this.file) {
      await this.file.write(data);
      return;
    }
    if (!process.stdout.write(data)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
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
    this.writer = new SqliteRecordingWriter(path, meta);
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
