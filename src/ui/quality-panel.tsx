import { Box, Text } from 'ink';
import type { QualityView } from './live-state.js';
import { fit } from './display-format.js';
import { theme } from './theme.js';

const STATUS_COLOR: Record<string, string> = { PASS: theme.good, FAIL: theme.bad, 'NO DATA': theme.muted };

/** The data-quality rules of `--quality`: status, severity and failures per rule, live. */
export function QualityPanel({ quality, width, height }: { quality: QualityView; width: number; height: number }) {
  const idWidth = Math.min(28, Math.max(4, ...quality.rules.map((r) => r.id.length)));
  return (
    <Box flexDirection="column">
      <Text>{quality.headline}</Text>
      <Text color={theme.label}>
        {fit('rule', idWidth)}  {fit('type', 14)} {fit('severity', 9)} {fit('status', 8)} {fit('failed', 10)} evaluated
      </Text>
      {quality.rules.slice(0, Math.max(1, height - 2)).map((rule) => (
        <Text key={rule.id} color={STATUS_COLOR[rule.status] ?? theme.value}>
          {fit(fit(rule.id, idWidth) + '  ' + fit(rule.type, 14) + ' ' + fit(rule.severity, 9) + ' ' + fit(rule.status, 8) + ' ' + fit(String(rule.failed), 10) + ' ' + rule.evaluated, width)}
        </Text>
      ))}
    </Box>
  );
}
