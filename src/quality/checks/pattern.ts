import { setFlagsFromString } from 'node:v8';
import safeRegex from 'safe-regex2';
import { topLevel, type Check, type CheckContext } from '../rule.js';
import { fieldByField } from './field-by-field.js';
import { RuleConfig, show } from '../rule-config.js';
import type { FieldRef } from '../field-path.js';

/**
 * Pattern check (002 `_check_pattern_matching`): each field's string form must match its regular
 * expression; 0.3 off the score per mismatch as the document. Matching is RegExp.test (unanchored,
 * like JavaScript), so write `^…$` for a whole-value match. A pattern with a star height above 1
 * (`(a+)+`, `(\w+\s?)*`) can backtrack catastrophically — exponential time on one crafted value
 * would stall the whole stream — so safe-regex2 refuses it when the rules load.
 *
 * safe-regex2 judges star height only: an overlapping alternation under one star (`(a|a)*b`,
 * `(x\w|\wx)*y`) passes it yet takes 2^n steps (34 characters: over 100 s). Those run under a
 * time budget: V8 counts a match's backtracks and past --regexp-backtracks-before-fallback
 * (50,000 by default) re-runs the match on its linear-time engine (same result; 14 ms on the 34
 * characters). Patterns that engine cannot run (backreferences, lookaround) keep backtracking.
 */
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
interface PatternField {
  readonly name: string;
  readonly field: FieldRef;
  readonly source: string;
  readonly regex: RegExp;
}

/** Values longer than this are cut before matching; a safe regex is linear, so this bounds one test's time. */
const MAX_MATCHED_LENGTH = 4096;

export function compilePattern(config: RuleConfig, context: CheckContext): Check {
  config.onlyKeys(['field_patterns', 'flags']);
  const flags = config.string('flags', '');
  if (!/^[imsu]*$/.test(flags)) throw config.error('flags', `expected some of i, m, s, u, got ${show(flags)}`);
  const fields: PatternField[] = config.fieldMap('field_patterns').map(([name, source]) => {
    const path = `field_patterns.${name}`;
    if (typeof source !== 'string' || source.length === 0) throw config.error(path, `expected a regular expression string, got ${show(source)}`);
    let regex: RegExp;
    try {
      regex = new RegExp(source, flags);
    } catch (error) {
      throw config.error(path, `invalid regular expression (${(error as Error).message})`);
    }
    if (!safeRegex(regex)) {
      throw config.error(path, `pattern ${show(source)} risks catastrophic backtracking (a repeated group inside a repetition); rewrite it without nested quantifiers, e.g. (a+)+ → a+`);
    }
    return { name, field: context.fields.ref(name), source, regex };
  });

  return {
    reads: topLevel(fields.map((f) => f.name)),
    evaluate: fieldByField(fields, (field, value, issues) => {
      let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
      if (text.length > MAX_MATCHED_LENGTH) text = text.slice(0, MAX_MATCHED_LENGTH);
      if (!field.regex.test(text)) issues.add(`${field.name} ${show(value)} does not match ${field.source}`, 0.3);
    }),
  };
}
