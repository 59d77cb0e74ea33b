/**
 * A minimal terminal screen for tests: applies the escape sequences the screen writer uses
 * (cursor position, erase line / down / screen, private modes) and plain text to a grid of
 * rows, so a test can compare what a person would see with the frame that was meant.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';

const SEQUENCE = /^\u001B\[(\??)([\d;]*)([A-Za-z])/;

export class VirtualTerminal extends EventEmitter {
  readonly isTTY = true;
  private grid: string[][] = [];
  private row = 0;
  private col = 0;
  /** Every chunk written, in order. */
  readonly writes: string[] = [];
  alternateScreen = false;
  /** Text written past the last column (a real terminal would wrap it and shift the frame). */
  readonly overflows: string[] = [];
  cursorHidden = false;

  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
    this.clear();
  }

  write(data: string): boolean {
    this.writes.push(data);
    for (let i = 0; i < data.length; ) {
      if (data[i] === '\u001B') {
        const match = SEQUENCE.exec(data.slice(i, i + 16));
        if (!match) throw new Error(`unknown escape sequence at ${JSON.stringify(data.slice(i, i + 16))}`);
        this.apply(match[1] === '?', match[2]!, match[3]!);
        i += match[0].length;
        continue;
      }
      const ch = String.fromCodePoint(data.codePointAt(i)!);
      i += ch.length;
      if (ch === '\n') {
        this.row = Math.min(this.rows - 1, this.row + 1);
        this.col = 0;
      } else if (ch === '\r') this.col = 0;
      else if (this.col < this.columns) this.grid[this.row]![this.col++] = ch;
      else this.overflows.push(`row ${this.row + 1}: text past column ${this.columns} in write ${this.writes.length - 1}: ${JSON.stringify(data.slice(0, 120))}`);
    }
    return true;
  }

  /** Bytes written since `from` (an index into writes). */
  bytesSince(from: number): number {
    return this.writes.slice(from).reduce((n, w) => n + Buffer.byteLength(w), 0);
  }

  /** The screen as text, trailing spaces and trailing empty rows dropped. */
  screen(): string {
    const lines = this.grid.map((cells) => cells.join('').trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    // Like a terminal that does not reflow: the grid is cut or padded.
    this.grid = Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => this.grid[r]?.[c] ?? ' '));
    this.row = Math.min(this.row, rows - 1);
    this.emit('resize');
  }

  private clear(): void {
    this.grid = Array.from({ length: this.rows }, () => Array.from({ length: this.columns }, () => ' '));
  }

  private apply(isPrivate: boolean, params: string, command: string): void {
    const numbers = params === '' ? [] : params.split(';').map(Number);
    if (isPrivate) {
      if (numbers[0] === 1049) this.alternateScreen = command === 'h';
      if (numbers[0] === 25) this.cursorHidden = command === 'l';
      return;
    }
    switch (command) {
      case 'm': // colours: not part of the text
        return;
      case 'H':
        this.row = Math.min(this.rows, numbers[0] ?? 1) - 1;
        this.col = Math.min(this.columns, numbers[1] ?? 1) - 1;
        return;
      case 'K':
        for (let c = this.col; c < this.columns; c++) this.grid[this.row]![c] = ' ';
        return;
      case 'J':
        if (numbers[0] === 2) return this.clear();
        for (let c = this.col; c < this.columns; c++) this.grid[this.row]![c] = ' ';
        for (let r = this.row + 1; r < this.rows; r++) this.grid[r] = Array.from({ length: this.columns }, () => ' ');
        return;
      default:
        throw new Error(`unexpected sequence ESC[${params}${command}`);
    }
  }
}

/** A keyboard for the live view: a raw-mode TTY stream the test writes keys into. */
export function keyboard(): NodeJS.ReadStream & PassThrough {
  const stream = new PassThrough() as unknown as NodeJS.ReadStream & PassThrough;
  Object.assign(stream, { isTTY: true, setRawMode: () => stream, ref: () => stream, unref: () => stream });
  return stream;
}

/** Waits until `check` holds (the screen shows something), failing with `what` after the timeout. */
export async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`never saw ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
