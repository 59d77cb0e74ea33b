/**
 * Step state shapes for savepoints: which pipeline changes keep a step's saved state usable
 * (state matched by step name, as Flink's operator uid) and which are refused, with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePipelineText } from '../../../src/spec/load.js';
import { mapStepState, stepShapes } from '../../../src/engine/snapshot/step-shape.js';

const BASE = `name: shapes
time: { field: ts, outOfOrderness: 1s }
steps:
  w:
    keyBy: k
    window: { type: sliding, size: 5m, slide: 1m }
    aggregate: { n: count(), p: "percentile(v, 0.9)" }
  p:
    keyBy: [k, j]
    pattern:
      within: 1m
      stages:
        - { name: a, where: "v > 1" }
        - { name: b, contiguity: followedByAny, where: "v > 2", oneOrMore: true, greedy: true }
        - { name: c, contiguity: notFollowedBy, where: "v > 3" }
`;
const shapes = (yaml: string) => stepShapes(parsePipelineText(yaml, 'shapes.yaml'));

const cases: { name: string; change: (yaml: string) => string; restored: string[]; added?: string[]; removed?: string[]; incompatible?: [string, string][] }[] = [
  { name: 'unchanged', change: (y) => y, restored: ['w', 'p'] },
  { name: 'within, skip and conditions are behaviour, not state', change: (y) => y.replace('within: 1m', 'within: 5m\n      skip: skipPastLastEvent').replace('v > 2', 'v > 7'), restored: ['w', 'p'] },
  { name: 'a step renamed: the old state has no step, the new step starts empty', change: (y) => y.replace('  w:', '  w2:'), restored: ['p'], added: ['w2'], removed: ['w'] },
  { name: 'slide', change: (y) => y.replace('slide: 1m', 'slide: 30s'), restored: ['p'], incompatible: [['w', 'the window changed from sliding 5m/1m to sliding 5m/30s']] },
  { name: 'percentile quantile', change: (y) => y.replace('0.9', '0.5'), restored: ['p'], incompatible: [['w', 'the aggregates changed from n=count; p=percentile(0.9) to n=count; p=percentile(0.5)']] },
  { name: 'a composite key', change: (y) => y.replace('[k, j]', '[j, k]'), restored: ['w'], incompatible: [['p', 'keyBy changed from k, j to j, k']] },
  {
    name: 'greedy dropped',
    change: (y) => y.replace(', greedy: true', ''),
    restored: ['w'],
    incompatible: [['p', "the pattern's stages changed from [a first once; b followedByAny 1+ greedy; c notFollowedBy once] to [a first once; b followedByAny 1+; c notFollowedBy once]"]],
  },
];

for (const c of cases) {
  test(`savepoint state mapping: ${c.name}`, () => {
    const mapping = mapStepState(shapes(BASE), shapes(c.change(BASE)));
    assert.deepEqual(mapping.restored, c.restored);
    assert.deepEqual(mapping.added, c.added ?? []);
    assert.deepEqual(mapping.removed, c.removed ?? []);
    assert.deepEqual(mapping.incompatible.map((i) => [i.step, i.reason]), c.incompatible ?? []);
  });
}
