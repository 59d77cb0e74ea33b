import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runSw } from '../cli/run-sw.js';
import { SCENARIOS, scenarioPath } from '../../src/scenarios/catalogue.js';
import { loadPipeline } from '../../src/spec/load.js';
import { findCases } from '../../src/golden/golden-case.js';

for (const s of SCENARIOS) {
  test(`catalogue: ${s.name} names the steps of its pipeline, and its recording and truth exist`, async () => {
    const spec = await loadPipeline(scenarioPath(s.pipeline));
    assert.deepEqual(s.steps.map((t) => t.name), spec.steps.map((t) => t.name));
    assert.ok(existsSync(scenarioPath(s.recording)), s.recording);
    assert.ok(existsSync(scenarioPath(s.recording.replace(/\.jsonl$/, '.truth.jsonl'))));
    assert.ok(existsSync(join(ROOT, 'scenarios', 'golden', s.name, 'case.yaml')), `scenarios/golden/${s.name}`);
  });
}

const cli = [
  { args: ['scenarios', 'list'], status: 0, out: /^binge +media .*\n.*steps: binge\nmedia /m },
  { args: ['scenarios', 'show', 'security'], status: 0, out: /run:\n {2}sw scenarios run security --out results\.jsonl\n {2}sw replay scenarios\/financial\.jsonl --pipeline scenarios\/security\.pipeline\.ts/ },
  { args: ['scenarios', 'show', 'nope'], status: 2, err: /scenario "nope" does not exist; choose one of binge, media, ecommerce, financial, security/ },
  { args: ['scenarios', 'run', 'nope'], status: 2, err: /scenario "nope" does not exist/ },
];

for (const c of cli) {
  test(`sw ${c.args.join(' ')} → exit ${c.status}`, () => {
    const r = runSw(c.args);
    assert.equal(r.status, c.status, r.stdout + r.stderr);
    if (c.out) assert.match(r.stdout, c.out);
    if (c.err) assert.match(r.stderr, c.err);
  });
}

test('sw scenarios list --json gives every scenario with its steps', () => {
  const r = runSw(['scenarios', 'list', '--json']);
  assert.equal(r.status, 0);
  const rows = JSON.parse(r.stdout) as Array<{ name: string; steps: string[] }>;
  assert.deepEqual(rows.map((x) => x.name), SCENARIOS.map((s) => s.name));
  assert.deepEqual(rows[1]!.steps, SCENARIOS[1]!.steps.map((t) => t.name));
});

test('sw scenarios run binge replays headless (no terminal) like sw replay, writing --out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-scenarios-'));
  const out = join(dir, 'results.jsonl');
  const r = runSw(['scenarios', 'run', 'binge', '--out', out], { timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const replayed = runSw(['replay', 'scenarios/binge.jsonl', '--speed', 'max', '--out', join(dir, 'replay.jsonl')], { timeout: 120_000 });
  assert.equal(replayed.status, 0, replayed.stderr);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(join(dir, 'replay.jsonl'), 'utf8'));
  assert.match(r.stderr, /binge \(pattern\): 23 results/);
  rmSync(dir, { recursive: true });
});

const caseFiles = [
  { name: 'a slice of a recording by event time', yaml: 'input: in.jsonl\npipeline: p.yaml\nfrom: 1970-01-01T00:00:10Z\nto: 20000\n', error: null },
  { name: 'an unknown key', yaml: 'input: in.jsonl\npipeline: p.yaml\nfrom_: 10\n', error: /case\.yaml: from_: unknown key; allowed: input, pipeline, from, to, description/ },
  { name: 'a missing input', yaml: 'input: nothing.jsonl\npipeline: p.yaml\n', error: /case\.yaml: input: nothing\.jsonl does not exist/ },
  { name: 'a bad time', yaml: 'input: in.jsonl\npipeline: p.yaml\nto: soon\n', error: /case\.yaml: to: soon is not a time/ },
];

for (const c of caseFiles) {
  test(`golden case.yaml: ${c.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-case-'));
    const folder = join(dir, 'c');
    mkdirSync(folder);
    writeFileSync(join(folder, 'in.jsonl'), [5, 10, 15, 20, 25].map((s) => JSON.stringify({ t: s * 1000, k: 'a' })).join('\n') + '\n');
    writeFileSync(join(folder, 'p.yaml'), 'name: p\ntime: { field: t }\nsteps:\n  n:\n    window: { type: tumbling, size: 1m }\n    aggregate: { n: count(), first: min(t) }\n');
    writeFileSync(join(folder, 'case.yaml'), c.yaml);
    if (c.error) {
      assert.throws(() => findCases(dir), c.error);
    } else {
      const u = runSw(['test', dir, '--update']);
      assert.equal(u.status, 0, u.stdout + u.stderr);
      const expected = readFileSync(join(folder, 'expected.jsonl'), 'utf8');
      // Records at 10 s and 15 s only: from is inclusive, to exclusive.
      assert.match(expected, /"fields":\{"n":2,"first":10000\}/);
      const r = runSw(['test', dir]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /1 passed, 0 failed\n$/);
    }
    rmSync(dir, { recursive: true });
  });
}
