/**
 * A record an operator keeps past `process()` without decoding it whole: the decoded fields the
 * pipeline reads (what the field reader gave), carrying the line's text under RAW_TEXT. Conditions
 * read the fields; whoever needs the whole record (match output, snapshots) asks `originalOf`,
 * which parses the text once and keeps the result. A pattern step buffers every record until the
 * watermark, but only the records in a match or a timeout are ever output: on the binge pipeline,
 * JSON.parse of every buffered record was a fifth of a replay's CPU time.
 */
import { SOURCE_POSITION } from './snapshot/binary.js';

type Rec = Record<string | symbol, unknown>;

/** The record's line text (JSON.parse gives the original record). */
export const RAW_TEXT = Symbol('sw.rawText');
/** The original record, once parsed. */
const ORIGINAL = Symbol('sw.original');
/**
 * On an original record parsed by originalOf: its line's text, when that text is exactly what
 * JSON.stringify writes for the record (see stringifyForm), so output can copy it (OutputJson).
 */
export const JSON_TEXT = Symbol('sw.jsonText');

/** `fields` (fresh, never reused by the reader) as a retained record for the line `text`; `position` as original() sets it. */
export function retainFields(fields: Record<string, unknown>, text: string, position: number | undefined): Record<string, unknown> {
  const record = fields as Rec;
  record[RAW_TEXT] = text;
  if (position !== undefined) record[SOURCE_POSITION] = position;
  return fields;
}

/** The whole original record of `value`: `value` itself unless it is a retained record. */
export function originalOf(value: Record<string, unknown>): Record<string, unknown> {
  const record = value as Rec;
  const text = record[RAW_TEXT];
  if (text === undefined) return value;
  let original = record[ORIGINAL] as Rec | undefined;
  if (original === undefined) {
    original = JSON.parse(text as string) as Rec;
    if (stringifyForm(text as string, original)) original[JSON_TEXT] = text;
    const position = record[SOURCE_POSITION];
    if (position !== undefined) original[SOURCE_POSITION] = position;
    record[ORIGINAL] = original;
  }
  return original as Record<string, unknown>;
}

/**
 * Whether `text`, a valid JSON object whose JSON.parse is `parsed`, is what JSON.stringify(parsed)
 * writes: one flat object (string, number, true, false, null values) with no whitespace, strings
 * with only the escapes JSON.stringify writes (\" \\ \b \f \n \r \t; any \u escape or surrogate:
 * no), numbers as JavaScript prints them, no key that starts with a digit (integer-like keys move
 * to the front) and no key twice (JSON.parse keeps one). Anything else answers false, never a
 * wrong true: the caller then writes the record with JSON.stringify.
 */
export function stringifyForm(text: string, parsed: Record<string, unknown>): boolean {
  const n = text.length;
  if (n < 2 || text.charCodeAt(0) !== 0x7b) return false;
  let i = 1;
  let members = 0;
  if (text.charCodeAt(1) !== 0x7d) {
    for (;;) {
      if (text.charCodeAt(i) !== 0x22) return false;
      const first = text.charCodeAt(i + 1);
      if (first >= 0x30 && first <= 0x39) return false;
      i = stringEnd(text, i);
      if (i < 0 || text.charCodeAt(i) !== 0x3a) return false;
      i++;
      const c = text.charCodeAt(i);
      if (c === 0x22) i = stringEnd(text, i);
      else if (c === 0x74) i = text.startsWith('true', i) ? i + 4 : -1;
      else if (c === 0x66) i = text.startsWith('false', i) ? i + 5 : -1;
      else if (c === 0x6e) i = text.startsWith('null', i) ? i + 4 : -1;
      else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) i = numberEnd(text, i);
      else return false;
      if (i < 0) return false;
      members++;
      const next = text.charCodeAt(i);
      if (next === 0x2c) i++;
      else if (next === 0x7d) break;
      else return false;
    }
  }
  if (i + 1 !== n) return false;
  let keys = 0;
  for (const name in parsed) if (Object.hasOwn(parsed, name)) keys++;
  return keys === members && Object.getPrototypeOf(parsed) === Object.prototype;
}

/** After the string opening at `at`: the index past its closing quote; −1 when JSON.stringify would write it otherwise. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const e = text.charCodeAt(++i);
      if (e !== 0x22 && e !== 0x5c && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
    } else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) return -1;
  }
  return -1;
}

/** After the number starting at `at`: the index past it; −1 when JavaScript prints it otherwise. */
function numberEnd(text: string, at: number): number {
  let i = at;
  if (text.charCodeAt(i) === 0x2d) i++;
  const digits = i;
  while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
  const c = i < text.length ? text.charCodeAt(i) : 0;
  // Integers of up to 15 digits without a leading zero print as written (not "-0": it prints "0").
  if (c !== 0x2e && c !== 0x65 && c !== 0x45 && i - digits <= 15 && i > digits) {
    if (text.charCodeAt(digits) !== 0x30) return i;
    return i - digits === 1 && digits === at ? i : -1;
  }
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) i++;
    else break;
  }
  const slice = text.slice(at, i);
  return String(Number(slice)) === slice ? i : -1;
}
