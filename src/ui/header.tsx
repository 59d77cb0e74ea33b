import { Box, Text } from 'ink';
import type { LiveState } from './live-state.js';
import { formatCount, formatElapsed, formatEventTime, formatSpan, progressBar, sparkline, wrapRow } from './display-format.js';
import chalk from 'chalk';
import { theme, type ThemeColor } from './theme.js';
import { formatSpeed } from '../replay/summary.js';
import { marks } from './frame-overlay.js';

interface HeaderField {
  readonly label: string;
  readonly value: string;
  readonly color?: ThemeColor;
}

/** The header's two rows of fields (they wrap on narrow terminals) and what the layout needs to know of them. */
function headerFields(state: LiveState): { clocks: HeaderField[]; counts: HeaderField[] } {
  const s = state.stats;
  const lag = s.maxEventTime - s.watermark;
  const late = state.steps.reduce((n, step) => n + step.counters.late, 0);
  return {
    clocks: [
      { label: 'event time', value: formatEventTime(s.maxEventTime) },
      { label: 'watermark', value: formatEventTime(s.watermark) },
      { label: 'lag', value: Number.isFinite(lag) ? formatSpan(lag) : '—', color: lag > 60_000 ? theme.warn : theme.value },
      { label: 'wall', value: formatElapsed(s.wallMs) },
    ],
    counts: [
      { label: 'events/s', value: formatCount(state.rate) },
      // The sparkline: a field without a label.
      { label: '', value: sparkline(state.rateHistory, SPARK_WIDTH, 2).padEnd(SPARK_WIDTH), color: theme.accent },
      { label: 'records', value: formatCount(s.records) },
      { label: 'late', value: String(late), color: late > 0 ? theme.warn : theme.value },
      { label: 'dead-letter', value: String(s.deadLetters), color: s.deadLetters > 0 ? theme.bad : theme.value },
    ],
  };
}

const SPARK_WIDTH = 30;
const FIELD_GAP = 2;

/** A row of fields as lines of at most `room` terminal columns, FIELD_GAP between fields, coloured. */
function wrapFields(fields: readonly HeaderField[], room: number): string[] {
  const items = fields.map((field) => {
    const value = chalk[field.color ?? theme.value](field.value);
    return field.label === '' ? { text: field.value, styled: value } : { text: `${field.label} ${field.value}`, styled: `${chalk[theme.label](field.label)} ${value}` };
  });
  return wrapRow(items, room, FIELD_GAP);
}

/** The header's changing text, as the view draws it: the status, the rows of fields wrapped at the header's inside width, the progress line. */
export interface HeaderLines {
  /** Playing or paused, the speed, done, behind: the title row's right side. */
  readonly status: string;
  readonly statusColor: ThemeColor;
  /** The clock fields' rows, then the count fields' rows, coloured. */
  readonly fields: readonly string[];
  /** The progress bar, percentage and ETA, coloured; null when the size of the recording is unknown. */
  readonly progress: string | null;
}

/** Inside the header's round border and one column of padding each side. */
const headerRoom = (columns: number) => Math.max(1, columns - 4);

export function headerLines(state: LiveState, columns: number): HeaderLines {
  const s = state.stats;
  const fraction = s.progress;
  const eta = fraction && fraction > 0 && fraction < 1 && !s.paused ? (s.wallMs / fraction) * (1 - fraction) : null;
  const speed = s.speed === Infinity ? 'max' : `${formatSpeed(s.speed)}x`;
  // A replay that cannot keep its speed says what it achieves instead of pretending.
  const behind = !state.done && s.pacing?.behind === true && s.pacing.achieved !== null;
  const barWidth = Math.max(10, Math.min(30, columns - 62));
  const room = headerRoom(columns);
  const { clocks, counts } = headerFields(state);
  return {
    status: (state.done ? '■ done' : s.paused ? `⏸ paused ${speed}` : `▶ playing ${speed}`) + (behind ? ` · behind: achieving ${formatSpeed(s.pacing!.achieved!)}x` : ''),
    statusColor: s.paused || behind ? theme.warn : state.done ? theme.good : theme.value,
    fields: [...wrapFields(clocks, room), ...wrapFields(counts, room)],
    progress:
      fraction !== null
        ? `${chalk[theme.good](progressBar(fraction, barWidth))} ${(fraction * 100).toFixed(1)}%${eta !== null ? chalk[theme.label](`  ETA ${formatSpan(eta)}`) : ''}`
        : null,
  };
}

/** Rows the header takes: its border, the title, the wrapped fields, the progress bar. */
export function headerHeight(lines: HeaderLines): number {
  return 2 + 1 + lines.fields.length + (lines.progress !== null ? 1 : 0);
}

/**
 * Recording, pipeline, clocks, watermark and lag, rate with sparkline, progress and counts. The
 * rows of fields are one text node, wrapped here as Yoga would wrap them (a dozen nodes less for
 * React and Yoga). With an overlay (the runner) the fields and the progress line are markers
 * that the frame stream fills in: a frame that changes only them needs no render (frame-overlay.ts).
 */
export function Header({ state, lines, overlay }: { state: LiveState; lines: HeaderLines; overlay: boolean }) {
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
          <Text color={lines.statusColor}>{lines.status}</Text>
        </Box>
      </Box>
      <Text>{overlay ? marks('fields', lines.fields.length) : lines.fields.join('\n')}</Text>
      {lines.progress !== null ? <Text>{overlay ? marks('progress', 1) : lines.progress}</Text> : null}
    </Box>
  );
}
