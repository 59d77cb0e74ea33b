import { closeSync, openSync, writeSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { RuleFailure } from './monitor.js';

/**
 * `--quarantine <file>`: failing records as JSON Lines, each with its line number, the rules it
 * failed and their messages, and the record as read; malformed lines with the parse error and the
 * raw text. Writes are batched (1 MB) so a stream with many failures costs few system calls.
 */
const FLUSH_BYTES = 1 << 20;

export class QuarantineFile {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  written = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw new InputError(`${path}: cannot write the quarantine file (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the folder exists and is writable`);
    }
  }

  /** `text` is the record's original JSON line (already known to parse), copied without re-serializing. */
  record(line: number, text: string, failures: readonly RuleFailure[]): void {
    const rules = JSON.stringify(failures.map((f) => f.ruleId));
    const messages = JSON.stringify(failures.map((f) => f.message));
    this.push(`{"line":${line},"rules":${rules},"messages":${messages},"record":${text}}\n`);
  }

  malformed(line: number, reason: string, text: string): void {
    this.push(`${JSON.stringify({ line, error: reason, text })}\n`);
  }

  private push(entry: string): void {
    this.written++;
    this.pending.push(entry);
    this.pendingBytes += entry.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
