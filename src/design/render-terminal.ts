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
      for (const row of section.rows) out.push(paint(wrapItem(row[0] ?? '', width, '  • ')));
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
    for (const note of section.notes ?? []) out.push(chalk.green(wrapItem(note, width, '')));
    out.push('');
  }
  return out.join('\n');
}

/**
 * Fits a table in the terminal by water-filling: narrow columns keep their natural width (longest
 * line) and what is left is shared among the wide ones, so a formula column gets the room and a
 * two-word column is never squeezed to the same width as a paragraph.
 */
function columnWidths(section: Section, width: number): number[] {
  const count = section.columns!.length;
  const natural = new Array<number>(count).fill(3);
  for (const row of [section.columns!, ...section.rows]) {
    row.forEach((cell, index) => {
      for (const line of cell.split('\n')) natural[index] = Math.max(natural[index]!, line.length + 2);
    });
  }
  // Borders take one character per column plus one.
  let budget = Math.max(count * 10, width - (count + 1));
  const widths = new Array<number>(count).fill(0);
  const order = natural.map((_, index) => index).sort((a, b) => natural[a]! - natural[b]!);
  order.forEach((index, position) => {
    const share = Math.floor(budget / (count - position));
    widths[index] = Math.max(8, Math.min(natural[index]!, share));
    budget -= widths[index]!;
  });
  return widths;
}

/** Wraps a list item at word boundaries with a hanging indent. */
export function wrapItem(text: string, width: number, bullet: string): string {
  const indent = ' '.repeat(bullet.length);
  const room = Math.max(20, width - bullet.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.map((content, index) => (index === 0 ? bullet : indent) + content).join('\n');
}
