/**
 * A record an operator keeps past `process()` without decoding it whole: the decoded fields the
 * pipeline reads (what the field reader gave), carrying the line's text under RAW_TEXT. Conditions
 * read the fields; whoever needs the whole record (match output, snapshots) asks `originalOf`,
 * which parses the text. A pattern step buffers every record until the watermark, but only the
 * records in a match or a timeout are ever output: on the binge pipeline, JSON.parse of every
 * buffered record was a fifth of a replay's CPU time.
 *
 * The parsed record is not kept on the retained one: each call parses again. Kept, it lived as
 * long as its retained record (in the NFA's buffer until the key's next events, long enough to be
 * promoted), so every output event became an old object, and adding it grew the old record's
 * property store: `sw replay` of the binge pipeline over the 2M activity file took 10-13% more CPU
 * seconds with the cache (docs/patterns.md, "The operator shell"). A record output k times (in
 * overlapping matches) is parsed k times, as its JSON is written k times.
 */
import { SOURCE_POSITION } from './snapshot/binary.js';

type Rec = Record<string | symbol, unknown>;

/** The record's line text (JSON.parse gives the original record). */
export const RAW_TEXT = Symbol('sw.rawText');

/** `fields` (fresh, never reused by the reader) as a retained record for the line `text`; `position` as original() sets it. */
export function retainFields(fields: Record<string, unknown>, text: string, position: number | undefined): Record<string, unknown> {
  const record = fields as Rec;
  record[RAW_TEXT] = text;
  if (position !== undefined) record[SOURCE_POSITION] = position;
  return fields;
}

/** The whole original record of `value`: `value` itself unless it is a retained record, else a fresh parse of its text. */
export function originalOf(value: Record<string, unknown>): Record<string, unknown> {
  const record = value as Rec;
  const text = record[RAW_TEXT];
  if (text === undefined) return value;
  const original = JSON.parse(text as string) as Rec;
  const position = record[SOURCE_POSITION];
  if (position !== undefined) original[SOURCE_POSITION] = position;
  return original as Record<string, unknown>;
}
