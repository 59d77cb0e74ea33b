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
    const position = record[SOURCE_POSITION];
    if (position !== undefined) original[SOURCE_POSITION] = position;
    record[ORIGINAL] = original;
  }
  return original as Record<string, unknown>;
}
