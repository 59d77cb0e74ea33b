import { Text } from 'ink';
import chalk from 'chalk';
import type { LiveState } from './live-state.js';
import { theme } from './theme.js';
import { marks } from './frame-overlay.js';

/** Each tab's text: number, name and result count (window steps: keys in the table). */
function tabTexts(state: LiveState): string[] {
  const tabs = state.steps.map((step, i) => ` ${i + 1} ${step.info.name} (${step.info.kind === 'window' ? step.rows.size : step.counters.results}) `);
  if (state.quality) tabs.push(` ${state.steps.length + 1} quality (${state.quality.score.toFixed(2)}) `);
  return tabs;
}

/**
 * The tabs as lines of at most `columns` columns, one column between tabs, wrapped greedily (as
 * Yoga wraps a row), the selected one highlighted.
 */
export function tabLines(state: LiveState, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = -1;
  tabTexts(state).forEach((text, i) => {
    const width = [...text].length;
    const styled = i === state.selected ? chalk.inverse[theme.selected](text) : chalk[theme.label](text);
    if (used >= 0 && used + 1 + width <= columns) {
      line += ' ' + styled;
      used += 1 + width;
      return;
    }
    if (used >= 0) lines.push(line);
    line = styled;
    used = width;
  });
  if (used >= 0) lines.push(line);
  return lines;
}

/** One tab per step: number, name and result count; the selected one highlighted. */
export function StepTabs({ lines, overlay }: { lines: readonly string[]; overlay: boolean }) {
  return lines.length === 0 ? null : <Text>{overlay ? marks('tabs', lines.length) : lines.join('\n')}</Text>;
}
