/**
 * The CEP engine's output fingerprint: sha256 of every match and timeout record, for four patterns
 * over 200K generated events (2,000 users), each with and without timeouts, each run uninterrupted
 * and with two mid-stream snapshot / restores (plain form through snapshot JSON, and binary form).
 * A change to the NFA's runtime layout must print the same lines (issue 3's flat layout).
 * Run: npx tsc -p tsconfig.json && node dist/bench/cep-fingerprint.js [--events <n>]
 */
import { createHash } from 'node:crypto';
import type { OutputRecord } from '../src/engine/operator.js';
import { PatternOperator, type PatternOperatorSnapshot } from '../src/engine/cep/pattern-operator.js';
import type { PatternStep } from '../src/engine/cep/pattern-step.js';
import { Pattern } from '../src/engine/cep/pattern/pattern.js';
import { fromSnapshotJson, toSnapshotJson } from '../src/engine/snapshot/snapshot-json.js';
import { generate, stepOf } from './cep.js';

type Rec = Record<string, unknown>;
type Cut = 'none' | 'plain' | 'binary';

const is = (kind: string) => (e: Rec): boolean => e.eventType === kind;

function patterns(): [string, Pattern<(e: Rec) => boolean>][] {
  return [
    ['binge', Pattern.begin<(e: Rec) => boolean>('start', { kind: 'skipPastLastEvent' }).where(is('content.watched')).next('more').where(is('content.watched')).times(3).within('2h')],
    ['followedByAny', Pattern.begin<(e: Rec) => boolean>('search').where(is('search')).followedByAny('purchase').where(is('purchase')).within('10m')],
    ['oneOrMore next', Pattern.begin<(e: Rec) => boolean>('s').where(is('search')).next('w').where(is('content.watched')).oneOrMore().next('p').where(is('purchase')).within('5m')],
    [
      'greedy consecutive skipToNext',
      Pattern.begin<(e: Rec) => boolean>('s', { kind: 'skipToNext' }).where(is('search')).followedBy('w').where(is('content.watched')).oneOrMore().consecutive().greedy().next('e').where(is('search')).within('5m'),
    ],
  ];
}

function run(step: PatternStep, records: Rec[], times: Float64Array, cut: Cut): { hash: string; matches: number; timeouts: number } {
  const hash = createHash('sha256');
  let matches = 0;
  let timeouts = 0;
  const out = {
    emit: (r: OutputRecord) => {
      if (r.kind === 'match') matches++;
      if (r.kind === 'timeout') timeouts++;
      hash.update(JSON.stringify(r));
      hash.update('\n');
    },
  };
  let current: Rec = {};
  const ctx = { line: 0, original: (): Rec => current };
  let op = new PatternOperator(step);
  let max = -Infinity;
  const cuts = cut === 'none' ? [] : [Math.floor(records.length / 3), Math.floor((2 * records.length) / 3)];
  for (let i = 0; i < records.length; i++) {
    if (cuts.includes(i)) {
      const restored = new PatternOperator(step);
      if (cut === 'plain') restored.restore(fromSnapshotJson<PatternOperatorSnapshot>(toSnapshotJson(op.snapshot())));
      else restored.restore(op.snapshot({ encoded: true }));
      op = restored;
    }
    current = records[i]!;
    const ts = times[i]!;
    op.process(current, ts, ctx, out);
    if (ts > max) {
      max = ts;
      op.advanceWatermark(max - 5000 - 1, out);
    }
  }
  op.advanceWatermark(Infinity, out);
  return { hash: hash.digest('hex'), matches, timeouts };
}

const at = process.argv.indexOf('--events');
const events = at > 0 ? Number(process.argv[at + 1]) : 200_000;
const { records, times } = generate(events, 2_000, [['search', 0.3], ['purchase', 0.05], ['content.watched', 0.65]], 11);
for (const [name, pattern] of patterns()) {
  for (const emitTimeouts of [false, true]) {
    const step = { ...stepOf(name, pattern), emitTimeouts };
    for (const cut of ['none', 'plain', 'binary'] as const) {
      const r = run(step, records, times, cut);
      process.stdout.write(`${name.padEnd(30)} timeouts=${emitTimeouts ? 'on ' : 'off'} cut=${cut.padEnd(6)} ${r.matches} matches ${r.timeouts} timeouts ${r.hash}\n`);
    }
  }
}
