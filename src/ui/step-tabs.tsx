import { Box, Text } from 'ink';
import type { LiveState } from './live-state.js';
import { theme } from './theme.js';
import { wrappedLines } from './header.js';

/** Each tab's text: number, name and result count (window steps: keys in the table). */
function tabTexts(state: LiveState): string[] {
  const tabs = state.steps.map((step, i) => ` ${i + 1} ${step.info.name} (${step.info.kind === 'window' ? step.rows.size : step.counters.results}) `);
  if (state.quality) tabs.push(` ${state.steps.length + 1} quality (${state.quality.score.toFixed(2)}) `);
  return tabs;
}

/** Rows the tabs take at `columns` terminal columns (they wrap when there are many steps). */
export function tabsHeight(state: LiveState, columns: number): number {
  return wrappedLines(tabTexts(state).map((t) => [...t].length), columns, 1);
}

/** One tab per step: number, name and result count; the selected one highlighted. */
export function StepTabs({ state }: { state: LiveState }) {
  return (
    <Box columnGap={1} flexWrap="wrap">
      {tabTexts(state).map((text, i) => {
        const selected = i === state.selected;
        return (
          <Text key={i} inverse={selected} color={selected ? theme.selected : theme.label}>
            {text}
          </Text>
        );
      })}
    </Box>
  );
}
