/**
 * Parsing is @marcbachmann/cel-js's: its parser follows the CEL grammar (string escapes, raw and
 * triple-quoted strings, macros' argument checks, depth and size limits) and exposes the AST,
 * which compile.ts walks. Only its parser is used; its evaluator is not (see compile.ts for why).
 * Its errors are multi-line with a caret drawing; ours are one line with a column and a fix.
 */
import { parse as parseCel, type ASTNode } from '@marcbachmann/cel-js';
import type { ExpressionSite } from './errors.js';

export type { ASTNode };

export function parseExpression(site: ExpressionSite): ASTNode {
  if (site.source.trim() === '') {
    throw site.syntax("the expression is empty; write one such as eventType == 'click'", 0);
  }
  const habit = spotForeignHabit(site.source);
  try {
    return parseCel(site.source).ast;
  } catch (error) {
    if (habit) throw site.syntax(habit.what, habit.offset);
    const what = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const range = (error as { range?: { start: number } }).range;
    const offset = range ? range.start : 0;
    throw site.syntax(withFix(what), offset);
  }
}

/** Operators people bring from SQL, JavaScript or shells, with CEL's spelling. */
const HABITS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /===|!==/, what: 'CEL has no === or !==; use == or !=' },
  { pattern: /(?<![=!<>])=(?!=)/, what: 'a single = is not an operator; use == to compare' },
  { pattern: /<>/, what: '<> is not an operator; use != for "not equal"' },
  { pattern: /(?<!&)&(?!&)/, what: 'a single & is not an operator; use && for "and"' },
  { pattern: /(?<!\|)\|(?!\|)/, what: 'a single | is not an operator; use || for "or"' },
  { pattern: /\b(and|AND)\b/, what: 'use && for "and"' },
  { pattern: /\b(or|OR)\b/, what: 'use || for "or"' },
  { pattern: /\b(not|NOT)\b/, what: 'use ! for "not"' },
];

/** The first foreign operator outside string literals, used only when the parse fails. */
function spotForeignHabit(source: string): { what: string; offset: number } | null {
  const code = source.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (text) => ' '.repeat(text.length));
  for (const habit of HABITS) {
    const match = habit.pattern.exec(code);
    if (match) return { what: habit.what, offset: match.index };
  }
  return null;
}

function withFix(what: string): string {
  if (what.startsWith('Unterminated string')) return 'unterminated string; close it with the quote that opened it';
  if (what === 'Unexpected token: EOF') return 'the expression ends too early; complete the last operand';
  if (/^Exceeded maxDepth/.test(what)) return `${what}: the expression nests too deeply; simplify it or split it into computed fields`;
  if (/^Expected RPAREN/.test(what)) return `${what}; close the parenthesis`;
  if (/^Expected RBRACKET/.test(what)) return `${what}; close the list with ]`;
  if (/^Expected RBRACE/.test(what)) return `${what}; close the map with }`;
  if (/^Expected COLON/.test(what)) return `${what}; a conditional needs both branches: c ? a : b`;
  if (/^Expected IDENTIFIER/.test(what)) return `${what}; a field name must follow the dot`;
  return what;
}
