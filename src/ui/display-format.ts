/** Text formats of the live view and the summary table: times, durations, rates, sparklines. */
import { eastAsianWidth } from 'get-east-asian-width';

/** Marks and format characters: drawn on the character before them, no column of their own. */
const ZERO_WIDTH = /^[\p{M}\p{Cf}]$/u;

/** The columns a code point takes on a terminal, as ink measures text (string-width: ambiguous narrow). */
export function columnsOf(codePoint: number): number {
  if (codePoint < 0x300) return 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(codePoint))) return 0;
  return eastAsianWidth(codePoint);
}

/** The columns `text` (no escape codes) takes on a terminal. */
export function textColumns(text: string): number {
  let columns = 0;
  for (const char of text) columns += columnsOf(char.codePointAt(0)!);
  return columns;
}

/** An item of a row that wraps: its text (no escape codes; what is measured) and the text drawn, coloured. */
export interface RowItem {
  readonly text: string;
  readonly styled: string;
}

/**
 * Items as lines of at most `room` terminal columns, `gap` blanks between items, wrapped greedily
 * (as Yoga wraps a row): an item goes on the line if it fits, else starts the next one. An item
 * wider than `room` takes a line of its own.
 */
export function wrapRow(items: readonly RowItem[], room: number, gap: number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = -1;
  for (const item of items) {
    const width = textColumns(item.text);
    if (used >= 0 && used + gap + width <= room) {
      line += ' '.repeat(gap) + item.styled;
      used += gap + width;
      continue;
    }
    if (used >= 0) lines.push(line);
    line = item.styled;
    used = width;
  }
  if (used >= 0) lines.push(line);
  return lines;
}

/** Event time as `2026-01-01 10:00:05`, UTC; '—' before the first record. */
export function formatEventTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

/** Clock time of a window bound, `10:00:05` (with the date when the window spans days). */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  return new Date(ms).toISOString().slice(11, 19);
}

/** A duration for humans: 850ms, 5.0s, 3m 05s, 2h 10m, 3d 4h. */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1_000).toFixed(1)}s`;
  if (abs < 3_600_000) return `${sign}${Math.floor(abs / 60_000)}m ${String(Math.floor((abs % 60_000) / 1_000)).padStart(2, '0')}s`;
  if (abs < 86_400_000) return `${sign}${Math.floor(abs / 3_600_000)}h ${String(Math.floor((abs % 3_600_000) / 60_000)).padStart(2, '0')}m`;
  return `${sign}${Math.floor(abs / 86_400_000)}d ${Math.floor((abs % 86_400_000) / 3_600_000)}h`;
}

/** Elapsed wall time in whole seconds, as a clock: 0:05, 3:05, 1:02:03 (changes once a second). */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}K`;
  return String(Math.round(n));
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The last `width × perChar` samples, one character per `perChar` of them (their mean), scaled
 * to the largest: 60 one-second rates in 30 characters is the header's last minute.
 */
export function sparkline(samples: readonly number[], width: number, perChar = 1): string {
  const shown = samples.slice(-width * perChar);
  // Buckets end at the newest sample, so the rightmost character is always the latest.
  const means: number[] = [];
  for (let end = shown.length; end > 0; end -= perChar) {
    const bucket = shown.slice(Math.max(0, end - perChar), end);
    means.unshift(bucket.reduce((a, b) => a + b, 0) / bucket.length);
  }
  const max = Math.max(1, ...means);
  return means.map((s) => (s <= 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((s / max) * (BARS.length - 1)))])).join('');
}

export function progressBar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** Characters a record's text must not bring to the screen: control codes, and the frame overlay's markers (frame-overlay.ts). */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\ue000-\ue004]/g;
const UNPRINTABLE_TEST = /[\u0000-\u001f\u007f-\u009f\ue000-\ue004]/;

/**
 * `text` from a record (a key, a value, an event) safe to draw: a control code (an escape sequence,
 * a newline) is shown as its JSON escape, `\u001b`, `\n`, instead of moving the cursor or
 * breaking the layout; an overlay marker as U+FFFD.
 */
export function printable(text: string): string {
  if (!UNPRINTABLE_TEST.test(text)) return text;
  return text.replace(UNPRINTABLE, (c) => (c >= '\ue000' ? '\ufffd' : c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** A field value in a table cell: numbers rounded to 3 decimals, long text cut, unprintable characters shown escaped. */
export function formatValue(value: unknown, max = 24): string {
  let text: string;
  if (typeof value === 'number') text = Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  else if (typeof value === 'string') text = printable(value);
  else text = printable(JSON.stringify(value) ?? 'null');
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** `text` in exactly `width` columns: padded, or cut with '…' (wide characters take two columns). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  let narrow = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x300) {
      narrow = false;
      break;
    }
  }
  if (narrow) return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text.padEnd(width);
  // One pass: the columns so far, and where a cut before the ellipsis (width - 1 columns) ends.
  let columns = 0;
  let taken = 0;
  let end = 0;
  for (const char of text) {
    columns += columnsOf(char.codePointAt(0)!);
    if (columns > width) break;
    if (columns <= width - 1) {
      taken = columns;
      end += char.length;
    }
  }
  if (columns <= width) return text + ' '.repeat(width - columns);
  // A wide character that does not fit before the ellipsis leaves a blank.
  return text.slice(0, end) + ' '.repeat(width - 1 - taken) + '…';
}
