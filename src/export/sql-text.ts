/**
 * How names, strings and durations are spelled in Flink SQL: backticks around identifiers that are
 * keywords or not plain words, single quotes doubled inside string literals, and INTERVAL literals
 * from the spec's milliseconds.
 */

/**
 * Flink SQL reserved words plus every keyword of dt-sql-parser's Flink lexer (which refuses some of them
 * as bare column or pattern-variable names: `more`, `views`, `metadata` ...). Quoting a word
 * that did not need it is harmless, so the list errs on the long side.
 */
const KEYWORDS = new Set(
  `abs absolute add after all allocate allow alter analyze and any are array array_agg
  array_concat_agg array_max_cardinality as asc asensitive assertion asymmetric at atomic
  authorization avg before begin begin_frame begin_partition between bigint binary bit blob boolean
  both breadth by bytes call called cardinality cascade cascaded case cast catalog catalogs ceil
  ceiling century changelog_mode char char_length character character_length check classifier clob
  close coalesce collate collect column columns comment commit compute condition config connect
  constraint constraints constructor contains continue convert corr corresponding count covar_pop
  covar_samp create cross cube cume_dist cumulate current current_catalog current_date
  current_default_transform_group current_path current_role current_row current_schema current_time
  current_timestamp current_transform_group_for_type current_user cursor cycle data database
  databases date date_diff date_trunc datetime datetime_diff datetime_trunc day dayofweek dayofyear
  days deallocate dec decade decimal declare default define delete dense_rank depth deref desc
  describe descriptor deterministic disallow disconnect distinct div do domain dot double drop
  dynamic each element else empty end end_frame end_partition enforced engine epoch equals escape
  estimated_cost every except exception excluding exec execute exists exp explain extend extended
  external extract false fetch file filter first first_value float floor following for foreign found
  frame_row free friday from full function functions fusion generated get global go goto grant group
  group_concat grouping groups having hold hop hour hours identity if ignore ilike immediate import
  in include including index indicator initial inner inout input insensitive insert int integer
  intersect intersection interval into is jar jars java join json json_array json_arrayagg
  json_execution_plan json_exists json_object json_objectagg json_query json_value key lag language
  large last last_value lateral lead leading left level like like_regex limit ln load local
  localtime localtimestamp location lower map match match_number match_recognize matches max
  measures member merge metadata method microsecond millennium millisecond min minus minute minutes
  mod modifies modify module modules monday month months more multiset names nanosecond national
  natural nchar nclob new next no none normalize not nth_value ntile null nullif nulls numeric
  object occurrences_regex octet_length of offset old omit on one only open option options or order
  ordinal out outer output over overlaps overlay overwrite overwriting pad parameter partial
  partition partitioned partitions past path pattern per percent percent_rank percentile
  percentile_cont percentile_disc period permute pivot plan portion position position_regex power
  precedes preceding precision prepare prev primary prior privileges procedure python
  python_archives python_dependencies python_files python_jar python_parameter python_requirements
  qualify quarter quarters range rank raw read reads real recursive ref references referencing
  regexp regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy
  relative release remove rename repeat replace reset restrict result return returns revoke right
  rlike role rollback rollup routine row row_number rows running safe_cast safe_offset safe_ordinal
  saturday savepoint scala schema scope scroll search second seconds section seek select sensitive
  separator session session_user set sets show similar size skip slide smallint some space specific
  specifictype sql sqlexception sqlrt sqlstate sqlwarning sqrt start state statement static
  statistics stddev_pop stddev_samp step stream string string_agg submultiset subset substring
  substring_regex succeeds sum sunday symmetric system system_time system_user table tables
  tablesample temporary then thursday time time_diff time_trunc timecol timestamp timestamp_diff
  timestamp_ltz timestamp_trunc timezone_hour timezone_minute tinyint to trailing transaction
  translate translate_regex translation treat trigger trim trim_array true truncate try_cast tuesday
  tumble type uescape unbounded under union unique unknown unload unnest unpivot until update upper
  upsert usage use user using value value_of values var_pop var_samp varbinary varchar varying
  versioning view views virtual watermark watermarks wednesday week weeks when whenever where width
  width_bucket window with within without work write year years zone`.split(/\s+/),
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
