import { Text } from 'ink';
import chalk from 'chalk';
import { keyCount, type LiveState } from './live-state.js';
import { theme } from './theme.js';
import { marks } from './frame-overlay.js';
import { wrapRow } from './display-format.js';

/** Each tab's text: number, name and result count (window steps: keys in the table). */
function tabTexts(state: LiveState): string[] {
  const tabs = state.steps.map((step, i) => ` ${i + 1} ${step.info.name} (${step.info.kind === 'window' ? keyCount(step) : step.counters.results}) `);
  if (state.quality) tabs.push(` ${state.steps.length + 1} quality (${state.quality.score.toFixed(2)}) `);
  return tabs;
}

/**
 * The tabs as lines of at most `columns` terminal columns, one column between tabs, wrapped
 * greedily (as Yoga wraps a row), the selected one highlighted.
 */
export function tabLines(state: LiveState, columns: number): string[] {
  const tabs = tabTexts(state).map((text, i) => ({ text, styled: i === state.selected ? chalk.inverse[theme.selected](text) : chalk[theme.label](text) }));
  return wrapRow(tabs, columns, 1);
}

/** One tab per step: number, name and result count; the selected one highlighted. */
export function StepTabs({ lines, overlay }: { lines: readonly string[]; overlay: boolean }) {
  return lines.length === 0 ? null : <Text>{overlay ? marks('tabs', lines.length) : lines.join('\n')}</Text>;
}
