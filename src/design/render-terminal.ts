/**
 * Renders report sections as terminal tables (cli-table3). Colour comes from a chalk instance the
 * caller builds: none off a TTY or under NO_COLOR (https://no-color.org), so piped output is plain.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Section } from './report-sections.js';

/** Colour level for stdout: 0 when NO_COLOR is set and non-empty, else chalk's own detection (TTY, FORCE_COLOR). */
export function terminalChalk(env: NodeJS.ProcessEnv = process.env, detected: ChalkInstance['level'] = new Chalk().level): ChalkInstance {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return new Chalk({ level: noColor ? 0 : detected });
}

export function renderTerminal(sections: readonly Section[], chalk: ChalkInstance, width: number): string {
  const out: string[] = [];
  for (const section of sections) {
    out.push(chalk.bold(section.title));
    const columns = section.columns;
    if (!columns) {
      const paint = section.emphasis === 'warning' ? chalk.yellow : (text: string) => text;
      for (const row of section.rows) out.push(paint(`  • ${row[0]}`));
    } else {
      const table = new Table({
        head: columns.some((column) => column !== '') ? columns.map((column) => chalk.cyan(column)) : [],
        // Row rules only where a cell wraps onto several lines; single-line tables stay compact.
        style: { head: [], border: [], compact: !section.rows.some((row) => row.some((cell) => cell.includes('\n'))) },
        wordWrap: true,
        wrapOnWordBoundary: true,
        colWidths: columnWidths(section, width),
      });
      for (const row of section.rows) table.push(row.map((cell) => cell));
      out.push(table.toString());
    }
    for (const note of section.notes ?? []) out.push(chalk.green(note));
    out.push('');
  }
  return out.join('\n');
}

/**
 * Fits a table in the terminal: each column gets its natural width (longest line) until the
 * total exceeds the screen, then the widest columns shrink, never under 8 characters.
 */
function columnWidths(section: Section, width: number): number[] {
  const count = section.columns!.length;
  const natural = new Array<number>(count).fill(3);
  for (const row of [section.columns!, ...section.rows]) {
    row.forEach((cell, index) => {
      for (const line of cell.split('\n')) natural[index] = Math.max(natural[index]!, line.length + 2);
    });
  }
  // Borders take one column per cell plus one.
  const budget = Math.max(count * 10, width - (count + 1));
  const widths = [...natural];
  while (widths.reduce((sum, w) => sum + w, 0) > budget) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 10) break;
    widths[widest] = widths[widest]! - 1;
  }
  return widths;
}
