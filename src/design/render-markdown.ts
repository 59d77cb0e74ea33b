/** Renders report sections as Markdown: a heading per section, pipe tables, bullet lists. */
import type { Section } from './report-sections.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

export function renderMarkdown(sections: readonly Section[]): string {
  const out: string[] = ['# Streaming architecture design', ''];
  for (const section of sections) {
    out.push(`## ${section.title}`, '');
    if (!section.columns) {
      for (const row of section.rows) out.push(`- ${cell(row[0] ?? '')}`);
    } else {
      out.push(`| ${section.columns.map(cell).join(' | ')} |`);
      out.push(`|${section.columns.map(() => ' --- ').join('|')}|`);
      for (const row of section.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
    }
    if (section.notes) out.push('', ...section.notes);
    out.push('');
  }
  return out.join('\n');
}
