import { Box, Text } from 'ink';
import { lastFeedItems, whyNothingYet, type FeedItem, type LiveState, type StepView } from './live-state.js';
import { fit, formatClock, formatValue, printable } from './display-format.js';
import { theme } from './theme.js';

const KIND_COLOR: Record<FeedItem['kind'], string> = {
  match: theme.good,
  timeout: theme.warn,
  late: theme.bad,
  result: theme.value,
};

function describe(item: FeedItem, width: number): string {
  const when = item.kind === 'late' ? '' : ` ${formatClock(item.start)}–${formatClock(item.end)}`;
  const stages = Object.entries(item.stages)
    .map(([stage, n]) => `${stage}×${n}`)
    .join(' ');
  const fields = Object.entries(item.fields)
    .map(([k, v]) => `${k}=${formatValue(v, 40)}`)
    .join(' ');
  // The events of each stage, as far as the line reaches: `first: {...}  then: {...} {...}`.
  const events = Object.entries(item.events)
    .map(([stage, list]) => `${stage}: ${list.slice(0, 4).map((e) => printable(JSON.stringify(e))).join(' ')}${list.length > 4 ? ' …' : ''}`)
    .join('  ');
  return fit(`${item.kind.padEnd(7)} ${item.key}${when}  ${stages ? `[${stages}] ` : ''}${fields}${events ? ` │ ${events}` : ''}`, width);
}

/** A scrolling feed of matches, timeouts, late records and process results, newest at the bottom. */
export function FeedPanel({ step, state, width, height }: { step: StepView; state: LiveState; width: number; height: number }) {
  const why = whyNothingYet(step, state.stats);
  if (why) return <Text color={theme.muted}>{why}</Text>;
  const items = lastFeedItems(step.feed, state.filter, Math.max(1, height));
  return (
    <Box flexDirection="column">
      {items.map((item, i) => (
        <Text key={`${item.frame}-${i}`} color={KIND_COLOR[item.kind]}>
          {describe(item, width)}
        </Text>
      ))}
      <Text color={theme.muted} wrap="truncate-end">
        {step.counters.results} {step.info.kind === 'pattern' ? 'matches' : 'results'} · {step.timeouts} timeouts · {step.counters.late} late
        {state.filter ? ` · filter "${state.filter}"` : ''}
      </Text>
    </Box>
  );
}
