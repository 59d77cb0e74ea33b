import { Box, Text } from 'ink';
import type { LiveState } from './live-state.js';
import { formatCount, formatElapsed, formatEventTime, formatSpan, progressBar, sparkline } from './display-format.js';
import { theme } from './theme.js';
import { formatSpeed } from '../replay/summary.js';

function Field({ label, value, color = theme.value }: { label: string; value: string; color?: string }) {
  return (
    <Text>
      <Text color={theme.label}>{label} </Text>
      <Text color={color}>{value}</Text>
    </Text>
  );
}

/** Recording, pipeline, clocks, watermark and lag, rate with sparkline, progress and counts. */
export function Header({ state, width }: { state: LiveState; width: number }) {
  const s = state.stats;
  const lag = s.maxEventTime - s.watermark;
  const fraction = s.progress;
  const eta = fraction && fraction > 0 && fraction < 1 && !s.paused ? (s.wallMs / fraction) * (1 - fraction) : null;
  const late = state.steps.reduce((n, step) => n + step.counters.late, 0);
  const speed = s.speed === Infinity ? 'max' : `${formatSpeed(s.speed)}x`;
  // A replay that cannot keep its speed says what it achieves instead of pretending.
  const behind = !state.done && s.pacing?.behind === true && s.pacing.achieved !== null;
  const barWidth = Math.max(10, Math.min(30, width - 60));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.title} paddingX={1}>
      <Box justifyContent="space-between" columnGap={2}>
        <Text wrap="truncate-middle">
          <Text bold color={theme.title}>sw replay </Text>
          <Text>{state.recording}</Text>
          <Text color={theme.label}> · pipeline </Text>
          <Text>{state.pipeline}</Text>
        </Text>
        <Box flexShrink={0}>
          <Text color={s.paused || behind ? theme.warn : state.done ? theme.good : theme.value}>
            {state.done ? '■ done' : s.paused ? `⏸ paused ${speed}` : `▶ playing ${speed}`}
            {behind ? ` · behind: achieving ${formatSpeed(s.pacing!.achieved!)}x` : ''}
          </Text>
        </Box>
      </Box>
      <Box columnGap={2} flexWrap="wrap">
        <Field label="event time" value={formatEventTime(s.maxEventTime)} />
        <Field label="watermark" value={formatEventTime(s.watermark)} />
        <Field label="lag" value={Number.isFinite(lag) ? formatSpan(lag) : '—'} color={lag > 60_000 ? theme.warn : theme.value} />
        <Field label="wall" value={formatElapsed(s.wallMs)} />
      </Box>
      <Box columnGap={2} flexWrap="wrap">
        <Field label="events/s" value={formatCount(state.rate)} />
        <Text color={theme.accent}>{sparkline(state.rateHistory, 30, 2).padEnd(30)}</Text>
        <Field label="records" value={formatCount(s.records)} />
        <Field label="late" value={String(late)} color={late > 0 ? theme.warn : theme.value} />
        <Field label="dead-letter" value={String(s.deadLetters)} color={s.deadLetters > 0 ? theme.bad : theme.value} />
      </Box>
      {fraction !== null ? (
        <Text>
          <Text color={theme.good}>{progressBar(fraction, barWidth)}</Text>
          <Text> {(fraction * 100).toFixed(1)}%</Text>
          <Text color={theme.label}>{eta !== null ? `  ETA ${formatSpan(eta)}` : ''}</Text>
        </Text>
      ) : null}
    </Box>
  );
}
