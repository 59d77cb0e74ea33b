/**
 * How names, strings and durations are spelled in Flink SQL: backticks around identifiers that are
 * keywords or not plain words, single quotes doubled inside string literals, and INTERVAL literals
 * from the spec's milliseconds.
 */

/**
 * Flink SQL reserved words plus the non-reserved keywords that Flink's or dt-sql-parser's grammar
 * refuses as bare column or pattern-variable names (`more`, `start`, `value` ...). Quoting a word
 * that did not need it is harmless, so the list errs on the long side.
 */
const KEYWORDS = new Set(
  `abs absolute add after all allocate allow alter and any are array as asc assertion at authorization avg
  before begin between bigint binary bit blob boolean both breadth by call called cardinality cascade case cast catalog
  ceil ceiling char char_length character character_length check classifier clob close coalesce collate collect column
  commit condition connect constraint constraints constructor continue convert count create cross cube current
  current_date current_time current_timestamp cursor cycle data date day deallocate dec decimal declare default define
  delete depth desc describe descriptor distinct do domain double drop dynamic each element else end end-exec equals
  escape every except exception exec execute exists exp explain extend external extract false fetch filter first
  float floor for foreign found free from full function fusion get global go goto grant group grouping having hold
  hour identity if immediate in index indicator initial inner inout input insert int integer intersect interval into is
  join key language large last lateral leading left level like limit ln local localtime localtimestamp location lower
  map match match_recognize matches max measures member merge metadata method min minute mod modifies module month more
  multiset names national natural nchar nclob new next no none normalize not null nullif numeric object of offset old
  on one only open option or order ordinal out outer output over overlaps overlay pad parameter partial partition
  past path pattern per percent percentile period permute position power precision prepare prev primary prior
  privileges procedure range rank raw read reads real recursive ref references referencing regexp relative release
  repeat replace reset restrict result return returns revoke right role rollback rollup routine row rows running
  savepoint schema scope scroll search second section select session set sets show similar size skip smallint some
  space specific sql sqlrt sqlexception sqlstate sqlwarning sqrt start state statement static string subset substring
  sum system system_time system_user table tablesample temporary then time timestamp timestamp_ltz timezone_hour
  timezone_minute tinyint to trailing transaction translate translation treat trigger trim true truncate type uescape
  under union unique unknown unnest until update upper usage user using value values var_pop var_samp varbinary
  varchar varying view watermark when whenever where width window with within without work write year zone`.split(/\s+/),
);

/** `name` as a Flink SQL identifier: bare when it is a plain non-keyword word, else in backticks. */
export function identifier(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toLowerCase())) return name;
  return '`' + name.replaceAll('`', '``') + '`';
}

/** A dotted field path as nested ROW field access: `meta.ts` → meta.ts, `user.value` → `user`.`value`. */
export function fieldPath(path: readonly string[]): string {
  return path.map(identifier).join('.');
}

/** A SQL string literal: single quotes doubled (Flink SQL has no backslash escapes in '...'). */
export function stringLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A number literal Flink reads as DOUBLE or an exact integer, never as JavaScript's `1e+21`. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} has no SQL literal`);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const text = String(value);
  return /e/i.test(text) ? text.replace('e+', 'E').replace('e-', 'E-') : text;
}

const UNITS: ReadonlyArray<[number, string]> = [
  [86_400_000, 'DAY'],
  [3_600_000, 'HOUR'],
  [60_000, 'MINUTE'],
  [1000, 'SECOND'],
];

/**
 * An INTERVAL literal for `ms` milliseconds in the largest unit that divides it exactly
 * (3 600 000 → INTERVAL '1' HOUR); below a second, fractional seconds (500 → INTERVAL '0.5' SECOND),
 * since Flink's day-time intervals have millisecond precision.
 */
export function interval(ms: number): string {
  for (const [size, unit] of UNITS) {
    if (ms % size === 0 && ms !== 0) return `INTERVAL '${ms / size}' ${unit}`;
  }
  return `INTERVAL '${ms / 1000}' SECOND`;
}

/** `-- ` before every line of `text`, for comment blocks in the script. */
export function comment(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '--' : `-- ${line}`))
    .join('\n');
}
