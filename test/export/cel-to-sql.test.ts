/**
 * CEL → Flink SQL, one case per operator and function of docs/expressions.md. Every translation is
 * also parsed with dt-sql-parser's Flink grammar (inside SELECT, or MEASURES / DEFINE for pattern
 * cases), except where the grammar lacks a Flink function (listed in GRAMMAR_GAPS).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bare, celToSql, NotExpressible, type CelScope, type Sql } from '../../src/export/cel-to-sql.js';
import { loadFlinkGrammar, type FlinkGrammar } from './flink-grammar.js';

const variables = new Map([
  ['start', 'start_stage'],
  ['more', 'more_stage'],
]);
const windowScope: Omit<CelScope, 'where'> = {
  bindings: new Map<string, Sql>([
    ['n', { text: 'n', type: 'number' }],
    ['total', { text: 'total', type: 'number' }],
  ]),
  key: [
    { text: 'region', type: 'string' },
    { text: 'kind', type: 'string' },
  ],
  window: true,
};
const measures: Omit<CelScope, 'where'> = { pattern: { variables } };
const defineMore: Omit<CelScope, 'where'> = {
  pattern: { variables, defining: 'more' },
  field: (path) => `more_stage.${path.join('.')}`,
};

/**
 * Flink SQL functions dt-sql-parser's grammar does not parse as function calls: CHAR_LENGTH (a
 * keyword there) and FIRST / LAST with an offset argument. Flink itself accepts them.
 */
const GRAMMAR_GAPS = /CHAR_LENGTH|(FIRST|LAST)\([^()]*, \d+\)/;

interface Case {
  readonly what: string;
  readonly cel: string;
  readonly sql: string;
  readonly scope?: Omit<CelScope, 'where'>;
  /** Where the SQL is parsed: a SELECT list (default), MEASURES or the DEFINE of more_stage. */
  readonly context?: 'select' | 'measures' | 'define';
}

const CASES: readonly Case[] = [
  // comparison
  { what: '== on a string', cel: "eventType == 'content.watched'", sql: "eventType = 'content.watched'" },
  { what: '!=', cel: 'price != 100', sql: 'price <> 100' },
  { what: '<', cel: 'price < 100', sql: 'price < 100' },
  { what: '<=', cel: 'price <= 1.5', sql: 'price <= 1.5' },
  { what: '>', cel: 'price > 2.5e-3', sql: 'price > 0.0025' },
  { what: '>=', cel: 'price >= 0x1F', sql: 'price >= 31' },
  { what: '== null', cel: 'note == null', sql: 'note IS NULL' },
  { what: '!= null', cel: 'null != note', sql: 'note IS NOT NULL' },
  { what: 'unsigned literal', cel: 'n == 5u', sql: 'n = 5' },
  { what: 'bool literal', cel: 'ok == true', sql: 'ok = TRUE' },
  // logic
  { what: '&&', cel: 'a > 1 && b < 2', sql: '(a > 1) AND (b < 2)' },
  { what: '||', cel: 'a > 1 || b < 2', sql: '(a > 1) OR (b < 2)' },
  { what: '!', cel: '!flag', sql: 'NOT flag' },
  { what: 'grouping is kept', cel: '(a || b) && c', sql: '(a OR b) AND c' },
  // arithmetic
  { what: '+ on numbers', cel: 'price + 1', sql: 'price + 1' },
  { what: '-', cel: 'price - 1', sql: 'price - 1' },
  { what: '*', cel: 'price * 2 - 1', sql: '(price * 2) - 1' },
  { what: '/ divides as floating point', cel: '7 / 2', sql: 'CAST(7 AS DOUBLE) / 2' },
  { what: '% is MOD', cel: 'n % 3', sql: 'MOD(n, 3)' },
  { what: 'unary -', cel: '-price', sql: '-price' },
  { what: '+ on strings concatenates', cel: "name + '!'", sql: "name || '!'" },
  // ternary, in
  { what: 'ternary → CASE', cel: "price > 100 ? 'high' : 'low'", sql: "CASE WHEN price > 100 THEN 'high' ELSE 'low' END" },
  { what: 'in list → IN', cel: "action in ['view', 'click']", sql: "action IN ('view', 'click')" },
  { what: 'in numbers', cel: 'code in [1, 2, 3]', sql: 'code IN (1, 2, 3)' },
  // strings
  { what: 'string literal quotes doubled', cel: `name == "it's"`, sql: "name = 'it''s'" },
  { what: 'escapes decoded', cel: "name == 'a\\tb'", sql: "name = 'a\tb'" },
  { what: 'raw string', cel: "name == r'a\\d'", sql: "name = 'a\\d'" },
  { what: 'startsWith → LIKE', cel: "userId.startsWith('premium_')", sql: "userId LIKE 'premium!_%' ESCAPE '!'" },
  { what: 'endsWith → LIKE', cel: "file.endsWith('.mp4')", sql: "`file` LIKE '%.mp4' ESCAPE '!'" },
  { what: 'contains → LIKE, % and ! escaped', cel: "title.contains('50%!')", sql: "title LIKE '%50!%!!%' ESCAPE '!'" },
  { what: 'startsWith a field → POSITION', cel: 'title.startsWith(prefix)', sql: 'POSITION(prefix IN title) = 1' },
  { what: 'contains a field → POSITION', cel: 'title.contains(word)', sql: 'POSITION(word IN title) > 0' },
  { what: 'endsWith a field → RIGHT', cel: 'title.endsWith(word)', sql: 'RIGHT(title, CHAR_LENGTH(word)) = word' },
  { what: 'matches → REGEXP', cel: "userId.matches('^u[0-9]+$')", sql: "REGEXP(userId, '^u[0-9]+$')" },
  { what: 'matches as a function', cel: "matches(userId, '(?i)^U')", sql: "REGEXP(userId, '(?i)^U')" },
  { what: 'lowerAscii → LOWER', cel: 'country.lowerAscii()', sql: 'LOWER(country)' },
  { what: 'upperAscii → UPPER', cel: 'country.upperAscii()', sql: 'UPPER(country)' },
  { what: 'trim → TRIM', cel: 'name.trim()', sql: 'TRIM(name)' },
  { what: 'size of a string → CHAR_LENGTH', cel: 'size(name) > 3', sql: 'CHAR_LENGTH(name) > 3' },
  { what: 'size as a method', cel: 'name.size()', sql: 'CHAR_LENGTH(name)' },
  {
    what: 'size of a list field → CARDINALITY',
    cel: 'size(tags)',
    sql: 'CARDINALITY(tags)',
    scope: { fieldType: (path) => (path[0] === 'tags' ? 'list' : undefined) },
  },
  // presence, fields
  { what: 'has(a.b) → IS NOT NULL', cel: 'has(metadata.price) && metadata.price > 100', sql: '(`metadata`.price IS NOT NULL) AND (`metadata`.price > 100)' },
  { what: 'has(field)', cel: 'has(price)', sql: 'price IS NOT NULL' },
  { what: 'dotted access on ROW types', cel: 'metadata.device.os == "ios"', sql: "`metadata`.device.os = 'ios'" },
  { what: "map index with a string is a ROW field", cel: "metadata['price'] > 1", sql: '`metadata`.price > 1' },
  { what: 'list index counts from 1 in SQL', cel: "items[0] == 'a'", sql: "items[1] = 'a'" },
  { what: 'event.x is x', cel: 'event.price > 1', sql: 'price > 1' },
  { what: 'keywords quoted with backticks', cel: "user == 'u1' && value > 1", sql: "(`user` = 'u1') AND (`value` > 1)" },
  { what: 'odd field names quoted', cel: "event['my-field'] == 1", sql: '`my-field` = 1' },
  // conversions
  { what: 'int → CAST BIGINT', cel: 'int(price)', sql: 'CAST(price AS BIGINT)' },
  { what: 'double → CAST DOUBLE', cel: "double('4.5')", sql: "CAST('4.5' AS DOUBLE)" },
  { what: 'string → CAST STRING', cel: 'string(42)', sql: 'CAST(42 AS STRING)' },
  { what: 'bool → CAST BOOLEAN', cel: "bool('true')", sql: "CAST('true' AS BOOLEAN)" },
  { what: 'dyn is the value', cel: 'dyn(price) > 1', sql: 'price > 1' },
  { what: 'double() is not cast twice by /', cel: 'double(a) / double(b)', sql: 'CAST(a AS DOUBLE) / CAST(b AS DOUBLE)' },
  // time
  { what: 'timestamp() folds to epoch ms', cel: "timestamp - timestamp('2026-01-01T00:00:00Z') < duration('7d')", sql: '(`timestamp` - 1767225600000) < 604800000' },
  { what: 'duration() combinable units', cel: "gap > duration('1h30m')", sql: 'gap > 5400000' },
  // math
  { what: 'min scalars → LEAST', cel: 'min(users / 100.0, 1.0)', sql: 'LEAST(CAST(users AS DOUBLE) / 100, 1)' },
  { what: 'max scalars → GREATEST', cel: 'max(a, b, 0)', sql: 'GREATEST(a, b, 0)' },
  { what: 'min of a list literal', cel: 'min([a, b])', sql: 'LEAST(a, b)' },
  { what: 'sum of a list literal', cel: 'sum([a, b])', sql: 'a + b' },
  { what: 'avg of a list literal', cel: 'avg([a, b])', sql: 'CAST((a + b) AS DOUBLE) / 2' },
  { what: 'abs → ABS', cel: 'abs(delta)', sql: 'ABS(delta)' },
  { what: 'round → ROUND(x, 0), half away from zero', cel: 'round(x)', sql: 'ROUND(x, 0)' },
  { what: 'floor → FLOOR', cel: 'floor(price)', sql: 'FLOOR(price)' },
  { what: 'ceil → CEIL', cel: 'ceil(price)', sql: 'CEIL(price)' },
  { what: 'sqrt → POWER(x, 0.5)', cel: 'sqrt(variance)', sql: 'POWER(variance, 0.5)' },
  { what: 'pow → POWER', cel: 'pow(2, 10)', sql: 'POWER(2, 10)' },
  { what: 'log → LN', cel: 'log(n)', sql: 'LN(n)' },
  { what: 'math. prefix', cel: 'math.floor(x)', sql: 'FLOOR(x)' },
  // window select / having
  { what: 'aggregate names are columns', cel: 'total / n', sql: 'CAST(total AS DOUBLE) / n', scope: windowScope },
  { what: 'key parts', cel: "key[0] + '/' + key[1]", sql: "(region || '/') || kind", scope: windowScope },
  {
    what: 'window.start / window.end → window_start / window_end (epoch ms)',
    cel: 'window.end - window.start',
    sql: "(1000 * UNIX_TIMESTAMP(DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss'))) - (1000 * UNIX_TIMESTAMP(DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm:ss')))",
    scope: windowScope,
  },
  // pattern measures
  { what: 'start[0].x → FIRST', cel: 'start[0].userId', sql: 'FIRST(start_stage.userId)', scope: measures, context: 'measures' },
  { what: 'start[2].x → FIRST with offset', cel: 'start[2].userId', sql: 'FIRST(start_stage.userId, 2)', scope: measures, context: 'measures' },
  { what: 'last event → LAST', cel: 'more[size(more) - 1].ts', sql: 'LAST(more_stage.ts)', scope: measures, context: 'measures' },
  { what: 'second-to-last → LAST with offset', cel: 'more[size(more) - 2].ts', sql: 'LAST(more_stage.ts, 1)', scope: measures, context: 'measures' },
  { what: 'size(stage) → COUNT', cel: 'size(more) + 1', sql: 'COUNT(more_stage.*) + 1', scope: measures, context: 'measures' },
  { what: 'sum over a stage column → SUM', cel: 'sum(more.map(e, e.price))', sql: 'SUM(more_stage.price)', scope: measures, context: 'measures' },
  { what: 'avg over a stage column → AVG', cel: 'avg(more.map(e, e.price))', sql: 'AVG(more_stage.price)', scope: measures, context: 'measures' },
  { what: 'max over a stage column → MAX', cel: 'max(more.map(e, e.price))', sql: 'MAX(more_stage.price)', scope: measures, context: 'measures' },
  // iterative conditions in DEFINE
  { what: "own stage size excludes the tested row", cel: 'size(more) < 3', sql: '(COUNT(more_stage.*) - 1) < 3', scope: defineMore, context: 'define' },
  { what: 'own stage sum excludes the tested row', cel: 'sum(more.map(e, e.price)) + price < 100', sql: '((SUM(more_stage.price) - more_stage.price) + more_stage.price) < 100', scope: defineMore, context: 'define' },
  { what: 'earlier stage in DEFINE', cel: 'price > start[0].price', sql: 'more_stage.price > FIRST(start_stage.price)', scope: defineMore, context: 'define' },
];

/** Not expressible: the message names the construct. */
const REFUSED: ReadonlyArray<{ cel: string; says: RegExp; scope?: Omit<CelScope, 'where'> }> = [
  { cel: 'items.all(i, i.qty > 0)', says: /macro all\(\)/ },
  { cel: "'k' in metadata", says: /list literal on the right/ },
  { cel: "tags == ['a']", says: /no list equality/ },
  { cel: "tags + ['new']", says: /list concatenation/ },
  { cel: 'timestamp(ts) > 0', says: /literal/ },
  { cel: 'max(more.map(e, e.price)) > 1', says: /own earlier events is beyond DEFINE/, scope: defineMore },
  { cel: 'more[0].price > 1', says: /beyond DEFINE/, scope: defineMore },
  { cel: 'size(event)', says: /whole event/ },
];

describe('CEL → Flink SQL', () => {
  let grammar: FlinkGrammar;
  before(async () => {
    grammar = await loadFlinkGrammar();
  });

  for (const c of CASES) {
    it(`${c.what}: ${c.cel}`, () => {
      const sql = bare(celToSql(c.cel, { where: 'test', ...c.scope }).text);
      assert.equal(sql, c.sql);
      if (GRAMMAR_GAPS.test(sql)) return;
      const statement =
        c.context === 'measures'
          ? matchRecognize(`${sql} AS x`, 'more_stage AS TRUE')
          : c.context === 'define'
            ? matchRecognize('COUNT(more_stage.*) AS x', `more_stage AS ${sql}`)
            : `SELECT ${sql} AS x FROM t`;
      assert.deepEqual(grammar.errors(statement), [], statement);
    });
  }

  for (const c of REFUSED) {
    it(`not expressible: ${c.cel}`, () => {
      assert.throws(() => celToSql(c.cel, { where: 'steps.s.where', ...c.scope }), (error: Error) => error instanceof NotExpressible && c.says.test(error.message) && error.message.startsWith('steps.s.where: '));
    });
  }
});

function matchRecognize(measure: string, define: string): string {
  return `SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY k ORDER BY event_time MEASURES ${measure} ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (start_stage more_stage+) DEFINE start_stage AS TRUE, ${define}) AS matched`;
}
