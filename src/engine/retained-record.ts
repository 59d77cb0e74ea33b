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

/** A string JSON.stringify writes as is: no escape, control character or surrogate. */
const PLAIN_STRING = String.raw`"[^"\\\x00-\x1f\ud800-\udfff]*"`;
/** A member: a plain key not starting with a digit (integer-like keys move to the front), and a plain string, an integer of up to 15 digits as JavaScript prints it (no "-0"), true, false or null. */
const MEMBER = String.raw`"[^"\\\x00-\x1f\ud800-\udfff0-9][^"\\\x00-\x1f\ud800-\udfff]*":(?:${PLAIN_STRING}|-?[1-9][0-9]{0,14}|0|true|false|null)`;
const FLAT_PLAIN_OBJECT = new RegExp(`^\\{${MEMBER}(?:,${MEMBER})*\\}$`);

/**
 * Whether `text`, a valid JSON object whose JSON.parse is `parsed`, is what JSON.stringify(parsed)
 * writes: one flat object of plain members (see MEMBER: no whitespace, no escapes, integers only)
 * and no key twice (JSON.parse keeps one). Anything else — nesting, escapes, fractions, an empty
 * object — answers false, never a wrong true: the caller then writes the record with
 * JSON.stringify. A regular expression: a hand-written scan was 3× slower than V8's regexp code.
 */
export function stringifyForm(text: string, parsed: Record<string, unknown>): boolean {
  if (!FLAT_PLAIN_OBJECT.test(text) || Object.getPrototypeOf(parsed) !== Object.prototype) return false;
  // A key written twice leaves one property: the text is then longer than its members' texts.
  // (Strings hold no escapes, so a string's text is its code units and two quotes.)
  let length = 1;
  for (const name in parsed) {
    if (!Object.hasOwn(parsed, name)) return false;
    const value = parsed[name];
    length += name.length + 4; // quotes, colon, and the comma or closing brace after the value
    if (typeof value === 'string') length += value.length + 2;
    else if (typeof value === 'number') length += integerLength(value);
    else length += value === false ? 5 : 4;
  }
  return length === text.length;
}

const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** The length of an integer's text (up to 15 digits: what FLAT_PLAIN_OBJECT lets through). */
function integerLength(value: number): number {
  const magnitude = value < 0 ? -value : value;
  let digits = 1;
  while (digits < 16 && magnitude >= POWERS_OF_TEN[digits]!) digits++;
  return value < 0 ? digits + 1 : digits;
}
