/**
 * matches(): CEL specifies RE2, which runs in linear time; JavaScript's RegExp backtracks, so a
 * pattern such as `(a+)+$` can take exponential time on one crafted record. Patterns are checked
 * with safe-regex2 (star height ≤ 1) and rejected when at risk: at compile time for a literal
 * pattern, at evaluation time for a computed one. RE2's leading inline flags `(?i)`, `(?s)`,
 * `(?m)` become RegExp flags; the 'u' flag makes `.` match whole code points as RE2 does.
 */
import safeRegex from 'safe-regex2';

export type PatternResult = { readonly regex: RegExp } | { readonly problem: string };

export function compilePattern(pattern: string): PatternResult {
  let source = pattern;
  let flags = 'u';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const flag of new Set(inline[1])) flags += flag;
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    return { problem: `invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}` };
  }
  if (!safeRegex(regex)) {
    return { problem: `regular expression ${JSON.stringify(pattern)} risks catastrophic backtracking (a repetition inside a repetition); simplify it, e.g. (a+)+ → a+` };
  }
  return { regex };
}

/** Computed patterns are compiled once per distinct text; the bound keeps a hostile stream from growing it. */
const CACHE_LIMIT = 64;

export class PatternCache {
  private readonly compiled = new Map<string, PatternResult>();

  get(pattern: string): PatternResult {
    let result = this.compiled.get(pattern);
    if (result === undefined) {
      result = compilePattern(pattern);
      if (this.compiled.size >= CACHE_LIMIT) this.compiled.clear();
      this.compiled.set(pattern, result);
    }
    return result;
  }
}
