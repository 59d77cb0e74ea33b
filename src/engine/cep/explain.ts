/**
 * `sw pattern explain`: the compiled NFA as text — every state reachable from the start state, in
 * breadth-first order, with its TAKE / IGNORE / PROCEED edges and their guards, so a user can see
 * why an event is skipped, taken or ends a run. Conditions print as `stage.where` / `stage.until`.
 */
import { allStages, compilePattern, type CepPatternSpec, type StageConditions } from './nfa/compiler.js';
import { describeCondition, type State } from './nfa/state.js';

const KIND_NOTE: Record<string, string> = {
  start: 'start: every event may begin a match here',
  normal: '',
  final: 'final: a run reaching it is a match',
  stop: 'stop: a run reaching it is discarded (negated stage seen)',
  pending: 'pending: completes as a match when within expires (notFollowedBy at the end)',
};

function durationText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** `start → (middle1 → middle2) → end`: a group's stages in parentheses. */
function chainText(stages: CepPatternSpec['stages']): string {
  return stages.map((s) => (s.group === undefined ? s.name : `(${chainText(s.group)})`)).join(' → ');
}

export function explainPattern(spec: CepPatternSpec): string {
  // Conditions only need to exist for the graph's shape; explain never evaluates them.
  const never = (): boolean => false;
  const conditions = new Map<string, StageConditions<unknown>>(
    allStages(spec.stages).map((s) => [s.name, { where: s.where === undefined ? null : never, until: s.until === undefined ? null : never }]),
  );
  const compiled = compilePattern<unknown>(spec, conditions);
  const skip = spec.skip.kind === 'skipToFirst' || spec.skip.kind === 'skipToLast' ? `${spec.skip.kind}:${spec.skip.stage}` : spec.skip.kind;
  const lines = [
    `pattern: ${chainText(spec.stages)}`,
    `within: ${compiled.windowTime > 0 ? durationText(compiled.windowTime) : 'none'}   skip: ${skip}   states: ${compiled.states.length}`,
    '',
  ];
  const seen = new Set<State<unknown>>([compiled.start]);
  const queue: State<unknown>[] = [compiled.start];
  const width = Math.max(...compiled.states.map((s) => s.name.length));
  while (queue.length > 0) {
    const state = queue.shift()!;
    const note = KIND_NOTE[state.kind];
    lines.push(`${state.name}${note ? `  (${note})` : ''}`);
    if (state.previousWindow > 0) lines.push(`  (times out ${durationText(state.previousWindow)} after the previous event)`);
    if (state.transitions.length === 0 && !state.isFinal) lines.push('  (no edges)');
    for (const t of state.transitions) {
      const target = t.target === state ? `${t.target.name} (self)` : t.target.name;
      lines.push(`  ${t.action.toUpperCase().padEnd(7)} → ${target.padEnd(width + 7)} if ${describeCondition(t.condition)}`);
      if (!seen.has(t.target)) {
        seen.add(t.target);
        queue.push(t.target);
      }
    }
  }
  return lines.join('\n');
}
