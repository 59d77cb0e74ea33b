/**
 * Pattern steps → MATCH_RECOGNIZE: quantifiers, contiguity (followedBy as a gap variable, notNext /
 * notFollowedBy folded into DEFINE), until, skip strategies, and what is reported instead of
 * exported. Each exported script is parsed with dt-sql-parser's Flink grammar.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportFlinkSql } from '../../src/export/flink-script.js';
import { parsePipelineText } from '../../src/spec/load.js';
import { loadFlinkGrammar, type FlinkGrammar } from './flink-grammar.js';

/** A one-step pattern pipeline; `stages` and `extra` are YAML lines of the step. */
function pipeline(stages: string, extra = ''): string {
  return `name: p
time: { field: ts, outOfOrderness: 1s }
steps:
  s:
    keyBy: user
${extra ? `    ${extra}\n` : ''}    pattern:
      within: 10m
      stages:
${stages
  .trim()
  .split('\n')
  .map((l) => `        ${l.trim()}`)
  .join('\n')}
`;
}

interface Case {
  readonly what: string;
  readonly yaml: string;
  /** Lines the script must contain (whitespace-trimmed). */
  readonly has?: readonly string[];
  /** A finding for the step: [kind, pattern of its reason]. */
  readonly finding?: readonly ['unsupported' | 'differs', RegExp];
}

const CASES: readonly Case[] = [
  {
    what: 'next + times(3) consecutive: strict, {3,3}',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'", times: 3, consecutive: true }`),
    has: ['PATTERN (a b{3,3})', "a AS a.kind = 'x',", "b AS b.kind = 'y'", 'WITHIN INTERVAL \'10\' MINUTE', 'PARTITION BY `user`'],
  },
  {
    what: 'followedBy becomes a gap variable: rows until the first one the stage accepts',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: followedBy, where: "kind == 'y'" }`),
    has: ['PATTERN (a b_gap* b)', "b_gap AS NOT COALESCE(b_gap.kind = 'y', FALSE),"],
  },
  {
    what: 'followedBy a stage without a condition needs no gap (the next row is taken)',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: followedBy }`),
    has: ['PATTERN (a b)', 'b AS TRUE'],
  },
  {
    what: 'oneOrMore greedy consecutive → +',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'", oneOrMore: true, greedy: true, consecutive: true }`),
    has: ['PATTERN (a b+)'],
  },
  {
    what: 'timesOrMore(2) → {2,}',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'", timesOrMore: 2, greedy: true, consecutive: true }`),
    has: ['PATTERN (a b{2,})'],
  },
  {
    what: 'times [1, 3] → {1,3}; not greedy is reported',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'", times: [1, 3], consecutive: true }`),
    has: ['PATTERN (a b{1,3})'],
    finding: ['differs', /stage b is not greedy/],
  },
  {
    what: 'optional single stage → ?',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'", optional: true }
      - { name: c, contiguity: next, where: "kind == 'z'" }`),
    has: ['PATTERN (a b? c)'],
  },
  {
    what: 'optional oneOrMore → *',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'", oneOrMore: true, optional: true, greedy: true, consecutive: true }
      - { name: c, contiguity: next, where: "kind == 'z'" }`),
    has: ['PATTERN (a b* c)'],
  },
  {
    what: 'until stops the loop in DEFINE',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'", oneOrMore: true, greedy: true, consecutive: true, until: "price > 100" }`),
    has: ["b AS (b.kind = 'y') AND NOT COALESCE(b.price > 100, FALSE)"],
  },
  {
    what: 'iterative condition on the stage itself: COUNT minus the tested row',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "price > a[0].price && size(b) < 2", oneOrMore: true, greedy: true, consecutive: true }`),
    has: ['b AS (b.price > FIRST(a.price)) AND ((COUNT(b.*) - 1) < 2)'],
  },
  {
    what: 'notNext before a next stage folds into its DEFINE',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: n, contiguity: notNext, where: "kind == 'cancel'" }
      - { name: b, contiguity: next, where: "kind == 'y'" }`),
    has: ['PATTERN (a b)', "b AS (b.kind = 'y') AND NOT COALESCE(b.kind = 'cancel', FALSE)"],
  },
  {
    what: 'notFollowedBy before a followedBy stage folds into its gap',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: n, contiguity: notFollowedBy, where: "kind == 'cancel'" }
      - { name: b, contiguity: followedBy, where: "kind == 'y'" }`),
    has: ['PATTERN (a b_gap* b)', "b_gap AS NOT COALESCE(b_gap.kind = 'y', FALSE) AND NOT COALESCE(b_gap.kind = 'cancel', FALSE),"],
  },
  {
    what: 'skipToFirst names the pattern variable',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'" }`).replace('within: 10m', 'within: 10m\n      skip: skipToFirst:b'),
    has: ['AFTER MATCH SKIP TO FIRST b'],
  },
  {
    what: 'skipToLast',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'" }`).replace('within: 10m', 'within: 10m\n      skip: skipToLast:b'),
    has: ['AFTER MATCH SKIP TO LAST b'],
  },
  {
    what: 'skipPastLastEvent',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }`).replace('within: 10m', 'within: 10m\n      skip: skipPastLastEvent'),
    has: ['AFTER MATCH SKIP PAST LAST ROW'],
  },
  {
    what: 'skipToNext',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }`).replace('within: 10m', 'within: 10m\n      skip: skipToNext'),
    has: ['AFTER MATCH SKIP TO NEXT ROW'],
  },
  {
    what: 'noSkip (the default) has no MATCH_RECOGNIZE equivalent: reported, TO NEXT ROW used',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }`),
    has: ['AFTER MATCH SKIP TO NEXT ROW'],
    finding: ['differs', /noSkip/],
  },
  {
    what: 'a loop without consecutive is reported (relaxed inner contiguity)',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "kind == 'y'", times: 3 }`),
    finding: ['differs', /loops without consecutive/],
  },
  {
    what: 'keyword stage names get plain pattern variables',
    yaml: pipeline(`
      - { name: start, where: "kind == 'x'" }
      - { name: more, contiguity: next, where: "kind == 'y'" }`).replace('    pattern:', '    select: { first: "start[0].ts", n: "size(more)" }\n    pattern:'),
    has: ['PATTERN (start_stage more_stage)', 'FIRST(start_stage.ts) AS `first`,', 'COUNT(more_stage.*) AS n,'],
  },
  {
    what: 'followedByAny is not exported',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: followedByAny, where: "kind == 'y'" }`),
    finding: ['unsupported', /followedByAny/],
  },
  {
    what: 'notFollowedBy at the end is not exported',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: notFollowedBy, where: "kind == 'y'" }`),
    finding: ['unsupported', /ends with notFollowedBy/],
  },
  {
    what: 'allowCombinations is not exported',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: followedBy, where: "kind == 'y'", oneOrMore: true, allowCombinations: true }`),
    finding: ['unsupported', /allowCombinations/],
  },
  {
    what: 'an iterative condition beyond DEFINE is not exported',
    yaml: pipeline(`
      - { name: a, where: "kind == 'x'" }
      - { name: b, contiguity: next, where: "price > avg(b.map(e, e.price))", oneOrMore: true, greedy: true, consecutive: true }`),
    finding: ['unsupported', /beyond DEFINE/],
  },
];

describe('pattern steps → MATCH_RECOGNIZE', () => {
  let grammar: FlinkGrammar;
  before(async () => {
    grammar = await loadFlinkGrammar();
  });

  for (const c of CASES) {
    it(c.what, () => {
      const { sql, report } = exportFlinkSql(parsePipelineText(c.yaml, 'p.pipeline.yaml'));
      const lines = sql.split('\n').map((l) => l.trim());
      for (const line of c.has ?? []) assert.ok(lines.includes(line), `missing line: ${line}\n${sql}`);
      if (c.finding) {
        const [kind, reason] = c.finding;
        assert.ok(report.findings.some((f) => f.step === 's' && f.kind === kind && reason.test(f.reason) && f.suggestion !== ''), JSON.stringify(report.findings));
        // Findings are in the script too, never dropped silently.
        assert.match(sql, kind === 'unsupported' ? /-- NOT EXPORTED: / : /-- DIFFERS: /);
      }
      const statements = lines.filter((l) => !l.startsWith('--')).join('\n');
      if (c.finding?.[0] === 'unsupported') assert.doesNotMatch(statements, /MATCH_RECOGNIZE/);
      assert.deepEqual(grammar.errors(sql), [], sql);
    });
  }
});
