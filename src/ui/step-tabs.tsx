import { Box, Text } from 'ink';
import type { LiveState } from './live-state.js';
import { theme } from './theme.js';

/** One tab per step: number, name and result count; the selected one highlighted. */
export function StepTabs({ state }: { state: LiveState }) {
  return (
    <Box columnGap={1} flexWrap="wrap">
      {state.steps.map((step, i) => {
        const selected = i === state.selected;
        const count = step.info.kind === 'window' ? step.rows.size : step.counters.results;
        return (
          <Text key={step.info.name} inverse={selected} color={selected ? theme.selected : theme.label}>
            {` ${i + 1} ${step.info.name} (${count}) `}
          </Text>
        );
      })}
      {state.quality ? (
        <Text inverse={state.selected === state.steps.length} color={state.selected === state.steps.length ? theme.selected : theme.label}>
          {` ${state.steps.length + 1} quality (${state.quality.score.toFixed(2)}) `}
        </Text>
      ) : null}
    </Box>
  );
}
