/**
 * A pattern step → MATCH_RECOGNIZE. Stage names are the pattern variables; DEFINE is each stage's
 * condition (with its `until` as a stop); MEASURES come from `select` (start[0].userId →
 * FIRST(start.userId), size(more) → COUNT(more.*)).
 *
 * Contiguity: MATCH_RECOGNIZE rows are strictly contiguous within the partition, Flink CEP's `next`.
 * Relaxed contiguity (`followedBy`) becomes a gap variable before the stage, `more_gap*`, defined
 * as "not the stage's condition": it takes the rows in between until the first one the stage
 * accepts, which is the row followedBy takes. (The textbook `Z*?` with Z undefined says the same
 * with a reluctant quantifier, which dt-sql-parser's grammar does not parse.) notNext before a
 * `next` stage folds into that stage's DEFINE; notFollowedBy before a `followedBy` stage into its
 * gap. followedByAny, allowCombinations and notFollowedBy at the end have no MATCH_RECOGNIZE form.
 */
import type { CepPatternSpec } from '../engine/cep/nfa/compiler.js';
import type { PatternStepSpec, StageSpec } from '../engine/spec.js';
import { bare, NotExpressible, type Sql } from './cel-to-sql.js';
import type { ExportReport } from './export-report.js';
import { stepInput, type Translate } from './step-input.js';
import { fieldPath, identifier, interval } from './sql-text.js';
import type { StepPlan } from './window-insert.js';
import { castTo } from './window-insert.js';

const CEP_API = 'run this step on the DataStream CEP API (org.apache.flink.cep), which has the same stage semantics as sw';

export function planPatternStep(step: PatternStepSpec, source: string, rowtime: string, translate: Translate, report: ExportReport): StepPlan | null {
  const at = `steps.${step.name}`;
  const stages = step.pattern.stages;
  const variables = new Map(stages.map((s) => [s.name, patternVariable(s.name)]));
  const variableOf = (stage: string): string => variables.get(stage)!;
  const unsupported = (reason: string, suggestion = CEP_API): null => {
    report.add(step.name, 'unsupported', reason, suggestion);
    return null;
  };

  // Builder-only parts of Flink's Pattern API (see docs/patterns.md) have no translation here.
  const extended = (step.pattern as CepPatternSpec).stages.some((s) => s.group !== undefined || s.withinPrevious !== undefined || s.loopWithin !== undefined);
  if (extended) return unsupported('group patterns and windows between events (TypeScript Pattern builder only) have no MATCH_RECOGNIZE translation here');

  const input = stepInput(step, source, translate);
  /** A stage's condition as SQL over the row the variable `qualifier` names (TRUE when it has none). */
  const condition = (stage: StageSpec, qualifier: string, defining?: string): string => {
    if (stage.where === undefined) return 'TRUE';
    const sql = translate(stage.where, `${at}.pattern.stages.${stage.name}.where`, {
      field: (path) => `${identifier(qualifier)}.${fieldPath(path)}`,
      pattern: defining ? { variables, defining } : { variables },
    });
    return sql.text;
  };
  const not = (text: string): string => (text === 'TRUE' ? 'FALSE' : `NOT COALESCE(${bare(text)}, FALSE)`);

  /** Stages whose DEFINE also says "not this notNext stage" / whose gap says "not this notFollowedBy stage". */
  const negations = new Map<string, StageSpec>();
  const gapNegations = new Map<string, StageSpec>();
  const terms: string[] = [];
  const defines: Array<[string, string]> = [];
  try {
    for (let i = 0; i < stages.length; i++) {
      const stage = stages[i]!;
      const contiguity = stage.contiguity ?? 'next';
      if (contiguity === 'followedByAny') {
        return unsupported(`stage ${stage.name} uses followedByAny (relaxed non-deterministic contiguity): every later matching row starts its own match, and a MATCH_RECOGNIZE row takes one path only`);
      }
      if (stage.allowCombinations) {
        return unsupported(`stage ${stage.name} uses allowCombinations: the loop's rows may be any combination of the matching rows, which MATCH_RECOGNIZE cannot enumerate`);
      }
      if (contiguity === 'notNext' || contiguity === 'notFollowedBy') {
        const following = stages[i + 1];
        if (!following) {
          if (contiguity === 'notFollowedBy') {
            return unsupported(`the pattern ends with notFollowedBy ${stage.name}: it needs a timer that fires at the end of within, and MATCH_RECOGNIZE matches only rows that arrive`, `${CEP_API}, or express the absence as a session or tumbling window with count() and having`);
          }
          // notNext at the end: the row after the match must not be the stage; it becomes a row of the match.
          const variable = `${variableOf(stage.name)}_not`;
          terms.push(identifier(variable));
          defines.push([variable, not(condition(stage, variable))]);
          report.add(step.name, 'differs', `notNext ${stage.name} at the end takes the following row into the match (as ${variable}), so AFTER MATCH SKIP counts it`, 'end the pattern on a positive stage if the skip strategy matters');
          continue;
        }
        const followingContiguity = following.contiguity ?? 'next';
        if (contiguity === 'notNext' && followingContiguity === 'next') {
          negations.set(following.name, stage);
          continue;
        }
        if (contiguity === 'notFollowedBy' && followingContiguity === 'followedBy') {
          gapNegations.set(following.name, stage);
          continue;
        }
        return unsupported(`${contiguity} ${stage.name} followed by a ${followingContiguity} stage has no MATCH_RECOGNIZE form (only notNext before next, and notFollowedBy before followedBy, fold into DEFINE)`);
      }
      const variable = variableOf(stage.name);
      if (i > 0 && contiguity === 'followedBy' && stage.where !== undefined) {
        const gap = `${variable}_gap`;
        const banned = gapNegations.get(stage.name);
        const gapDefine = [not(condition(stage, gap)), ...(banned ? [not(condition(banned, gap))] : [])].join(' AND ');
        terms.push(`${identifier(gap)}*`);
        defines.push([gap, gapDefine]);
        if (stage.optional) {
          report.add(step.name, 'differs', `optional stage ${stage.name} after followedBy: when it is absent, its gap rows are still part of the match`, 'make the stage required, or use the DataStream CEP API');
        }
      }
      terms.push(`${identifier(variable)}${quantifier(stage)}`);
      const parts = [condition(stage, variable, variable)];
      const banned = negations.get(stage.name);
      if (banned) parts.push(not(condition(banned, variable)));
      if (stage.until !== undefined) {
        const until = translate(stage.until, `${at}.pattern.stages.${stage.name}.until`, {
          field: (path) => `${identifier(variable)}.${fieldPath(path)}`,
          pattern: { variables, defining: variable },
        });
        parts.push(not(until.text));
      }
      const define = parts.filter((p) => p !== 'TRUE');
      defines.push([variable, define.length === 0 ? 'TRUE' : define.join(' AND ')]);
      const loops = stage.quantifier.kind === 'looping' || (stage.quantifier.kind === 'times' && stage.quantifier.to > 1);
      if (loops && !stage.consecutive && stage.where !== undefined) {
        report.add(step.name, 'differs', `stage ${stage.name} loops without consecutive(): Flink CEP skips non-matching rows between the loop's rows, MATCH_RECOGNIZE takes them only back to back (it has no pattern groups to put a gap inside the loop)`, `add consecutive: true to stage ${stage.name} so sw matches as the SQL does, or use the DataStream CEP API`);
      }
      const varies = stage.quantifier.kind === 'looping' || (stage.quantifier.kind === 'times' && stage.quantifier.from < stage.quantifier.to);
      if (varies && !stage.greedy) {
        report.add(step.name, 'differs', `stage ${stage.name} is not greedy: Flink CEP emits a match per loop length, MATCH_RECOGNIZE's greedy quantifier the longest one (Flink SQL's reluctant ${quantifier(stage)}? gives the shortest; dt-sql-parser's grammar lacks it)`, `set greedy: true on stage ${stage.name}, or use the DataStream CEP API`);
      }
    }
  } catch (error) {
    if (error instanceof NotExpressible) return unsupported(`an iterative condition is beyond DEFINE: ${error.message}`);
    throw error;
  }

  const skip = step.pattern.skip;
  let afterMatch: string;
  switch (skip.kind) {
    case 'noSkip':
      afterMatch = 'AFTER MATCH SKIP TO NEXT ROW';
      report.add(step.name, 'differs', 'skip strategy noSkip (Flink CEP\'s default) has no MATCH_RECOGNIZE equivalent: every partial match may complete there, while SKIP TO NEXT ROW (used) starts one match per row', 'set skip: skipToNext in the spec to make sw match as the SQL does');
      break;
    case 'skipToNext':
      afterMatch = 'AFTER MATCH SKIP TO NEXT ROW';
      break;
    case 'skipPastLastEvent':
      afterMatch = 'AFTER MATCH SKIP PAST LAST ROW';
      break;
    case 'skipToFirst':
      afterMatch = `AFTER MATCH SKIP TO FIRST ${variableOf(skip.stage)}`;
      break;
    case 'skipToLast':
      afterMatch = `AFTER MATCH SKIP TO LAST ${variableOf(skip.stage)}`;
      break;
  }
  if (step.emitTimeouts) {
    report.add(step.name, 'differs', 'emitTimeouts: MATCH_RECOGNIZE drops partial matches that time out (within) without a result', 'run the step on the DataStream CEP API with a TimedOutPartialMatchHandler for the timeouts');
  }
  if (step.lateOutput) {
    report.add(step.name, 'differs', 'lateOutput: MATCH_RECOGNIZE drops late rows without a side output', 'use the DataStream CEP API sideOutputLateData');
  }

  // Without select the sink still gets one row per match: the key and match_time.
  let measures: Array<{ name: string; sql: Sql }>;
  try {
    measures = step.select.map((field) => ({
      name: field.name,
      sql: translate(field.expr, `${at}.select.${field.name}`, {
        field: () => {
          throw new NotExpressible(`${at}.select.${field.name}: a pattern's select reads stages (start[0].field), not the event`);
        },
        pattern: { variables },
      }),
    }));
  } catch (error) {
    if (error instanceof NotExpressible) return unsupported(`a select field has no MEASURES form: ${error.message}`);
    throw error;
  }
  return {
    name: step.name,
    render(columnType, sinkDdl, sink) {
      const keyNames = new Set(input.keys.map((k) => k.name));
      // MATCH_RECOGNIZE's output holds the PARTITION BY columns and the measures, whose names must
      // differ: a measure named like a key column (userId: start[0].userId) is renamed inside and
      // takes the key's place in the sink.
      const inside = (name: string): string => (keyNames.has(name) ? `${name}_measure` : name);
      const measureNames = new Set(measures.map((m) => m.name));
      const keys = input.keys.filter((k) => !measureNames.has(k.name));
      const partition = input.keys.map((k) => identifier(k.name));
      const measureList = [
        ...measures.map((m) => `${castTo(m.sql, columnType(m.sql))} AS ${identifier(inside(m.name))}`),
        `MATCH_ROWTIME() AS match_time`,
      ];
      const outputs = [
        ...keys.map((k) => [k.name, columnType(k.sql)] as const),
        ...measures.map((m) => [m.name, columnType(m.sql)] as const),
        ['match_time', 'TIMESTAMP_LTZ(3)'] as const,
      ];
      const selected = [
        ...keys.map((k) => identifier(k.name)),
        ...measures.map((m) => (inside(m.name) === m.name ? identifier(m.name) : `${identifier(inside(m.name))} AS ${identifier(m.name)}`)),
        'match_time',
      ];
      const lines = [
        `SELECT ${selected.join(', ')}`,
        `FROM ${identifier(input.relation)}`,
        'MATCH_RECOGNIZE (',
        ...(partition.length > 0 ? [`  PARTITION BY ${partition.join(', ')}`] : []),
        `  ORDER BY ${identifier(rowtime)}`,
        '  MEASURES',
        measureList.map((m) => `    ${m}`).join(',\n'),
        '  ONE ROW PER MATCH',
        `  ${afterMatch}`,
        `  PATTERN (${terms.join(' ')})`,
        ...(step.pattern.within !== undefined ? [`  WITHIN ${interval(step.pattern.within)}`] : []),
        '  DEFINE',
        defines.map(([v, d]) => `    ${identifier(v)} AS ${bare(d)}`).join(',\n'),
        ') AS matched',
      ];
      return [...(input.view ? [input.view, ''] : []), sinkDdl(outputs), '', `INSERT INTO ${identifier(sink)}`, ...lines].join('\n') + ';';
    },
  };
}

/**
 * A stage's pattern variable: its name when that is a plain non-keyword word, else the name with
 * `_stage` (start → start_stage), since dt-sql-parser's grammar takes no quoted names in PATTERN.
 */
export function patternVariable(stage: string): string {
  const plain = stage.replace(/\W/g, '_');
  return identifier(plain) === plain && plain === stage ? stage : `${plain}_stage`;
}

/** The PATTERN quantifier: {n,n} for times(n) (dt-sql-parser's grammar refuses {n}), +, {n,}, ?. */
export function quantifier(stage: StageSpec): string {
  const q = stage.quantifier;
  const from = stage.optional ? 0 : q.kind === 'single' ? 1 : q.kind === 'times' ? q.from : q.atLeast;
  if (q.kind === 'single') return from === 0 ? '?' : '';
  if (q.kind === 'times') {
    if (from === q.to) return from === 1 ? '' : `{${from},${q.to}}`;
    if (from === 0 && q.to === 1) return '?';
    return `{${from},${q.to}}`;
  }
  if (from === 0) return '*';
  if (from === 1) return '+';
  return `{${from},}`;
}
