import { basename } from 'node:path';
import chalk from 'chalk';
import type { ReplaySummary } from './replay.js';

/** Default dead-letter file: beside --out, else in the current folder named after the recording. */
export function deadLetterPathFor(recording: string, out: string | undefined): string {
  if (out && out !== '-') return out.replace(/(\.jsonl|\.db|\.sqlite3?)?$/, '') + '.dead-letter.jsonl';
  const name = recording === '-' ? 'stdin' : basename(recording).replace(/(\.jsonl(\.gz)?|\.ndjson|\.db|\.sqlite)$/, '');
  return `${name}.dead-letter.jsonl`;
}

/**
 * A count with thousands separators, as Intl.NumberFormat('en-US') writes it. Making that
 * formatter loads ICU's number data: ~20 ms of CPU, a tenth of a short replay's start-up.
 */
export function formatThousands(n: number): string {
  if (!Number.isSafeInteger(n)) return new Intl.NumberFormat('en-US').format(n);
  const digits = String(Math.abs(n));
  let text = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = text.length; at < digits.length; at += 3) text += ',' + digits.slice(at, at + 3);
  return n < 0 || Object.is(n, -0) ? '-' + text : text;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}K/s`;
  return `${Math.round(perSecond)}/s`;
}

/** A paced run says whether it kept its speed; one that could not keep up says what it achieved instead. */
function pacingNote(s: ReplaySummary): string {
  const pacing = s.pacing;
  if (!pacing || pacing.achieved === null) return '';
  const achieved = `${formatSpeed(pacing.achieved)}x`;
  if (pacing.behind) return chalk.yellow(`, --speed ${formatSpeed(pacing.speed)}x not kept: achieved ${achieved} (the pipeline could not keep up)`);
  return `, paced at ${formatSpeed(pacing.speed)}x (achieved ${achieved})`;
}

/** A speed factor with 3 significant digits: 1000, 78.4, 0.5. */
export function formatSpeed(speed: number): string {
  return speed >= 100 ? String(Math.round(speed)) : String(Number(speed.toPrecision(3)));
}

/** The run summary on stderr: one line for the run, one per step, dead letters with examples. */
export function formatSummary(s: ReplaySummary): string {
  const lines: string[] = [];
  lines.push(
    `${chalk.bold('sw replay')} ${s.recording}: ${formatThousands(s.records)} records in ${s.seconds.toFixed(2)}s ` +
      `(${formatRate(s.eventsPerSec)}), ${formatThousands(s.outputs)} output records` +
      (s.skipped > 0 ? `, ${formatThousands(s.skipped)} outside --from/--to` : '') +
      pacingNote(s) +
      (s.stopped ? chalk.yellow(' — stopped early') : ''),
  );
  for (const step of s.steps) {
    const parts = [`${formatThousands(step.results)} results`, `${formatThousands(step.accepted)}/${formatThousands(step.seen)} records passed`];
    if (step.late > 0) parts.push(chalk.yellow(`${formatThousands(step.late)} late`));
    if (step.exprErrors > 0) parts.push(chalk.yellow(`${formatThousands(step.exprErrors)} expression errors`));
    lines.push(`  ${step.step} (${step.kind}): ${parts.join(', ')}`);
    if (step.firstError) lines.push(chalk.yellow(`    first error: ${step.firstError}`));
  }
  if (s.quality) lines.push(`  quality: ${s.quality}`);
  if (s.deadLetters > 0) {
    lines.push(chalk.yellow(`  ${formatThousands(s.deadLetters)} dead-letter records → ${s.deadLetterPath ?? '(not written)'}`));
  }
  return lines.join('\n') + '\n';
}
