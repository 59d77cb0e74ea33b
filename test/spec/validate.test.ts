import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePipelineText } from '../../src/spec/load.js';
import { SpecError } from '../../src/errors.js';

const TRENDING = `name: media
time:
  field: timestamp
  outOfOrderness: 5s
steps:
  trending:
    where: eventType == 'content.watched'
    keyBy: contentId
    window: { type: sliding, size: 15m, slide: 1m }
    aggregate:
      watches: count()
      users: count_distinct(userId)
      p95: percentile(watchSeconds, 0.95)
    select:
      score: 0.3 * min(users / 100.0, 1.0)
    having: score > 0.7
  binge:
    keyBy: [userId, device]
    pattern:
      within: 2h
      skip: skipPastLastEvent
      stages:
        - name: start
          where: eventType == 'content.watched'
        - name: more
          contiguity: next
          where: [eventType == 'content.watched', eventType == 'content.completed']
          times: 3
    emitTimeouts: true
    select:
      watched: size(more) + 1
`;

test('a full spec normalizes: durations in ms, keys, aggregates, OR alternatives, quantifiers', () => {
  const spec = parsePipelineText(TRENDING, 'media.pipeline.yaml');
  assert.equal(spec.name, 'media');
  assert.deepEqual(spec.time, { field: 'timestamp', outOfOrderness: 5000 });
  const [trending, binge] = spec.steps;
  assert.ok(trending?.kind === 'window');
  assert.deepEqual(trending.window, { type: 'sliding', size: 900_000, slide: 60_000, offset: 0 });
  assert.deepEqual(trending.keyBy, { kind: 'fields', paths: ['contentId'], composite: false });
  assert.deepEqual(trending.aggregate, [
    { name: 'watches', fn: 'count' },
    { name: 'users', fn: 'count_distinct', arg: 'userId' },
    { name: 'p95', fn: 'percentile', arg: 'watchSeconds', quantile: 0.95 },
  ]);
  assert.deepEqual(trending.select, [{ name: 'score', expr: '0.3 * min(users / 100.0, 1.0)' }]);
  assert.equal(trending.having, 'score > 0.7');
  assert.ok(binge?.kind === 'pattern');
  assert.deepEqual(binge.keyBy, { kind: 'fields', paths: ['userId', 'device'], composite: true });
  assert.equal(binge.pattern.within, 7_200_000);
  assert.deepEqual(binge.pattern.skip, { kind: 'skipPastLastEvent' });
  assert.deepEqual(binge.pattern.stages[1], {
    name: 'more',
    contiguity: 'next',
    where: "(eventType == 'content.watched') || (eventType == 'content.completed')",
    quantifier: { kind: 'times', from: 3, to: 3 },
    optional: false,
    greedy: false,
    consecutive: false,
    allowCombinations: false,
  });
  assert.equal(binge.emitTimeouts, true);
});

test('keyBy that is not a field path is a CEL expression', () => {
  const spec = parsePipelineText(
    'name: x\ntime: {field: ts}\nsteps:\n  a:\n    keyBy: "userId + \':\' + device"\n    window: {type: session, gap: 30m}\n    aggregate: {n: count()}\n',
    'x.yaml',
  );
  assert.deepEqual(spec.steps[0]?.keyBy, { kind: 'expr', expr: "userId + ':' + device" });
});

const base = (step: string) => `name: x\ntime:\n  field: ts\n  outOfOrderness: 1s\nsteps:\n  s:\n${step}`;

const INVALID: Array<[string, string, RegExp]> = [
  ['a duration spelled out', base('    window: { type: tumbling, size: 15 minutes }\n    aggregate: { n: count() }\n'), /^x\.yaml:7: steps\.s\.window\.size: "15 minutes" is not a duration; use 15m$/],
  ['an unknown window type', base('    window: { type: hopping, size: 1m }\n    aggregate: { n: count() }\n'), /x\.yaml:7: steps\.s\.window\.type: "hopping" is not a window type; use tumbling, sliding or session/],
  ['a misspelled key', base('    window: { type: tumbling, size: 1m }\n    agregate: { n: count() }\n'), /x\.yaml:8: steps\.s\.agregate: unknown key; did you mean "aggregate"\?/],
  ['an unknown aggregate', base('    window: { type: tumbling, size: 1m }\n    aggregate: { n: cnt() }\n'), /steps\.s\.aggregate\.n: cnt\(\) is not an aggregate; did you mean count\(\)\?/],
  ['a percentile without quantile', base('    window: { type: tumbling, size: 1m }\n    aggregate: { n: percentile(x) }\n'), /percentile takes an expression and a quantile between 0 and 1/],
  ['a step with two kinds', base('    window: { type: tumbling, size: 1m }\n    pattern: { stages: [] }\n    aggregate: { n: count() }\n'), /a step has one of window, pattern or process, not window and pattern/],
  ['a step with no kind', base('    keyBy: a\n'), /a step needs one of window, pattern or process/],
  ['no steps', 'name: x\ntime: {field: ts}\nsteps: {}\n', /a pipeline needs at least one step/],
  ['no name', 'time: {field: ts}\nsteps: {a: {window: {type: session, gap: 1m}, aggregate: {n: count()}}}\n', /^x\.yaml:1: name: expected a non-empty string, got nothing$/],
  ['a sliding offset not below the slide', base('    window: { type: sliding, size: 10m, slide: 1m, offset: 2m }\n    aggregate: { n: count() }\n'), /steps\.s\.window\.offset: must be smaller than the slide \(1m\)/],
  ['a zero window size', base('    window: { type: tumbling, size: 0 }\n    aggregate: { n: count() }\n'), /steps\.s\.window\.size: must be greater than 0/],
  ['a select shadowing an aggregate', base('    window: { type: tumbling, size: 1m }\n    aggregate: { n: count() }\n    select: { n: n + 1 }\n'), /"n" is already an aggregate/],
  ['notFollowedBy last without within', base('    pattern:\n      stages:\n        - { name: a, where: "x == 1" }\n        - { name: b, contiguity: notFollowedBy, where: "x == 2" }\n'), /notFollowedBy as the last stage needs pattern\.within/],
  ['a contiguity on the first stage', base('    pattern:\n      stages:\n        - { name: a, contiguity: next }\n'), /the first stage has no contiguity/],
  ['greedy on a single stage', base('    pattern:\n      stages:\n        - { name: a }\n        - { name: b, greedy: true }\n'), /greedy applies to looping stages/],
  ['two quantifiers', base('    pattern:\n      stages:\n        - { name: a }\n        - { name: b, times: 2, oneOrMore: true }\n'), /choose one of times, oneOrMore/],
  ['times range reversed', base('    pattern:\n      stages:\n        - { name: a }\n        - { name: b, times: [3, 1] }\n'), /\[3, 1\]: "to" must be ≥ "from"/],
  ['a skip to an unknown stage', base('    pattern:\n      skip: "skipToFirst:nope"\n      stages:\n        - { name: a }\n'), /steps\.s\.pattern\.skip: no stage named "nope"/],
  ['duplicate stage names', base('    pattern:\n      stages:\n        - { name: a }\n        - { name: a }\n'), /stage "a" is named twice/],
  ['a negated quantified stage', base('    pattern:\n      within: 1m\n      stages:\n        - { name: a }\n        - { name: b, contiguity: notNext, times: 2 }\n        - { name: c }\n'), /notNext stages cannot have a quantifier/],
  ['a process step in YAML', base('    process: fraud\n'), /process steps live in TypeScript pipeline modules/],
  ['YAML syntax', 'name: [x\n', /^x\.yaml:\d+: not valid YAML\/JSON/],
  ['a duplicate key', 'name: a\nname: b\n', /x\.yaml:2: not valid YAML\/JSON: Map keys must be unique/],
  ['a bad time field', 'name: x\ntime: {field: "a b"}\nsteps: {s: {window: {type: session, gap: 1m}, aggregate: {n: count()}}}\n', /time\.field: "a b" is not a field path/],
];

for (const [title, text, message] of INVALID) {
  test(`invalid spec fails with one line: ${title}`, () => {
    assert.throws(
      () => parsePipelineText(text, 'x.yaml'),
      (error: unknown) => {
        assert.ok(error instanceof SpecError, `expected SpecError, got ${String(error)}`);
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
  });
}

test('an aggregate cut at a comma by a YAML flow mapping says to quote it', () => {
  assert.throws(
    () => parsePipelineText('name: x\ntime: {field: ts}\nsteps:\n  s:\n    window: {type: session, gap: 1m}\n    aggregate: { p: percentile(v, 0.5) }\n', 'x.yaml'),
    /steps\.s\.aggregate\.p: "percentile\(v" is cut at a comma; inside \{ \} quote the call: "percentile\(x, 0\.95\)"/,
  );
});
