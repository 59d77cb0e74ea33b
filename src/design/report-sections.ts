/**
 * The report as titled sections of rows, shared by the terminal tables and the Markdown, so both
 * always say the same thing. Cells are plain text; `emphasis` tells a renderer what to highlight.
 */
import { ASSUMPTIONS, type Assumptions } from './assumptions.js';
import type { DesignReport } from './design-report.js';
import { formatBytes, formatBytesExact, formatElapsed, formatNumber, formatPercent } from './quantities.js';
import { formatDuration } from '../engine/duration.js';
import type { Figure, Sizing } from './sizing.js';

export interface Section {
  readonly title: string;
  /** Column headings; absent for a plain list (one cell per row). */
  readonly columns?: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed after the rows. */
  readonly notes?: readonly string[];
  readonly emphasis?: 'warning';
}

const FIGURE_LABELS: Readonly<Record<keyof Sizing, string>> = {
  peakEventsPerSec: 'Peak rate',
  peakMBps: 'Peak throughput (T)',
  flinkParallelism: 'Flink parallelism',
  flinkTaskManagers: 'Flink TaskManagers',
  flinkSlots: 'Flink task slots',
  kafkaPartitions: 'Kafka partitions',
  kafkaStorage: 'Kafka storage',
  kafkaBrokers: 'Kafka brokers',
  checkpointInterval: 'Checkpoint interval',
};

export function reportSections(report: DesignReport): Section[] {
  const sections: Section[] = [architectureSection(report), { title: 'Operational notes', rows: report.operationalNotes.map((note) => [note]) }, inputsSection(report), sizingSection(report)];
  if (report.state) {
    sections.push({
      title: `State size (${report.inputs.pipeline ?? 'pipeline'})`,
      columns: ['Step', 'Kind', 'Keys', 'State', 'Workings'],
      rows: [
        ...report.state.steps.map((step) => [
          step.step,
          step.kind,
          `${formatNumber(step.keys)} (${step.keySource})`,
          step.bytes === null ? 'unbounded' : formatBytes(step.bytes),
          `${step.formula}\n${step.workings}`,
        ]),
        ['total', '', '', `${formatBytes(report.state.bytes)}${report.state.lowerBound ? ' (lower bound)' : ''}`, ''],
      ],
    });
  }
  if (report.recording) sections.push(recordingSection(report));
  if (report.lateness) {
    const lateness = report.lateness;
    const d = lateness.distribution;
    sections.push({
      title: 'Event-time disorder (how far each record trails the newest event time before it)',
      columns: ['records', 'out of order', 'p50', 'p90', 'p99', 'p99.9', 'max'],
      rows: [[formatNumber(d.records), `${formatNumber(d.outOfOrder)} (${formatPercent(d.records === 0 ? 0 : d.outOfOrder / d.records)})`, ...[d.p50, d.p90, d.p99, d.p999, d.max].map(formatElapsed)]],
    });
    sections.push({
      title: 'Lateness advisor (late = event time at or below the watermark max − outOfOrderness − 1)',
      columns: ['outOfOrderness', 'late records', 'late share', ''],
      rows: lateness.candidates.map((candidate) => [
        candidate.label,
        formatNumber(candidate.lateRecords),
        formatPercent(candidate.lateShare),
        candidate.outOfOrdernessMs === lateness.recommendedMs ? 'recommended' : '',
      ]),
      notes: [lateness.recommendedMs === null ? `No recommendation: ${lateness.reason}` : `Recommendation: outOfOrderness ${formatDuration(lateness.recommendedMs)}: ${lateness.reason}`],
    });
  }
  if (report.warnings.length > 0) sections.push({ title: 'Warnings', rows: report.warnings.map((warning) => [warning]), emphasis: 'warning' });
  sections.push(assumptionsSection(report));
  return sections;
}

function architectureSection(report: DesignReport): Section {
  const a = report.architecture;
  const rows: string[][] = [
    ['Tier', `${a.velocity.toUpperCase()} (${a.range})`],
    ['Stack', a.stack.join(', ')],
    ['Deployment', a.deployment],
    ['Cost estimate', a.costEstimate],
  ];
  if (a.additionalComponents) rows.push(['Additional components', a.additionalComponents.join(', ')]);
  if (a.networkOptimization) rows.push(['Network optimization', a.networkOptimization]);
  if (a.transactionSupport) rows.push(['Transaction support', `yes (additional complexity: ${a.additionalComplexity})`]);
  if (a.replication) rows.push(['Replication', a.replication]);
  if (a.conflictResolution) rows.push(['Conflict resolution', a.conflictResolution]);
  const c = report.complexity;
  rows.push(['Complexity', `${c.level} (score ${c.score} = ${c.parts.map((p) => `${p.reason} ${p.amount}`).join(' + ')}; ≤3 Low, ≤6 Medium, ≤9 High, else Very High)`]);
  const t = report.timeline;
  rows.push(['Timeline', `${t.text} (${t.parts.map((p) => `${p.reason} ${p.amount}`).join(' + ')})`]);
  return { title: 'Architecture', columns: ['', ''], rows };
}

function inputsSection(report: DesignReport): Section {
  const i = report.inputs;
  const source = (key: string) => i.sources[key] ?? 'default';
  return {
    title: 'Inputs',
    columns: ['Input', 'Value', 'From'],
    rows: [
      ['velocity', i.velocity.toUpperCase(), source('velocity')],
      ['mean events/s', formatNumber(i.eventsPerSec), source('eventsPerSec')],
      ['event bytes', formatNumber(i.eventBytes), source('eventBytes')],
      ['peak factor', formatNumber(i.peakFactor), source('peakFactor')],
      ['retention', formatDuration(i.retentionMs), source('retention')],
      ['latency', `< ${i.latency}`, source('latency')],
      ['exactly-once', i.exactlyOnce ? 'yes' : 'no', source('exactlyOnce')],
      ['multi-region', i.multiRegion ? 'yes' : 'no', source('multiRegion')],
      ['compliance', i.compliance.length > 0 ? i.compliance.join(', ') : 'none', source('compliance')],
      ['replication', String(i.replication), source('replication')],
      ['consumers', i.consumers === null ? 'Flink parallelism' : String(i.consumers), i.consumers === null ? 'default' : source('consumers')],
    ],
  };
}

function sizingSection(report: DesignReport): Section {
  const rows = (Object.keys(FIGURE_LABELS) as Array<keyof Sizing>).map((name) => {
    const figure: Figure = report.sizing[name];
    const reference = figure.reference ? `\ndocument: ${figure.reference}` : '';
    return [FIGURE_LABELS[name], figure.display, `${figure.formula}\n= ${figure.workings}${reference}`];
  });
  return { title: 'Sizing (each number with its formula, workings and the document setting)', columns: ['Figure', 'Value', 'Formula and workings'], rows };
}

function recordingSection(report: DesignReport): Section {
  const r = report.recording!;
  const rows: string[][] = [
    ['records', `${formatNumber(r.records)} (${formatNumber(r.unreadable)} unreadable, ${formatNumber(r.missingTime)} without '${r.timeField}')`],
    ['event-time span', r.firstEventTime === null ? 'none' : `${formatNumber(r.seconds)} s (${new Date(r.firstEventTime).toISOString()} first record)`],
    ['mean rate', `${formatNumber(r.meanEventsPerSec)} events/s (records / seconds spanned)`],
    ['busiest second', `${formatNumber(r.peakEventsPerSec)} records (peak-to-mean ${formatNumber(r.peakToMean)})`],
    ['event size', `mean ${formatNumber(r.meanEventBytes, 1)} B, max ${formatNumber(r.maxEventBytes)} B (JSON line)`],
  ];
  for (const key of r.keys) {
    rows.push([
      `key ${key.name}`,
      `${formatNumber(key.distinct)}${key.capped ? '+ (capped)' : ''} distinct over ${formatNumber(key.records)} records; top ${JSON.stringify(key.topKey)} ${formatPercent(key.topShare)}, skew ${formatNumber(key.skew)}× the mean key`,
    ]);
  }
  if (r.keys.length === 0) rows.push(['key', 'none measured (pass --key <field>)']);
  return { title: `Recording (${r.path})`, columns: ['Measured', 'Value'], rows };
}

function assumptionsSection(report: DesignReport): Section {
  const rows = (Object.keys(ASSUMPTIONS) as Array<keyof Assumptions>).map((name) => {
    const info = ASSUMPTIONS[name];
    const value = report.assumptions[name];
    const shown = info.unit === 'bytes' ? formatBytesExact(value) : info.unit === 'ms' ? formatDuration(value) : `${formatNumber(value, 4)} ${info.unit}`;
    return [name, shown, report.inputs.sources[`assumptions.${name}`] ?? 'default', info.why];
  });
  return { title: 'Assumptions (override with --assume name=value or a config file)', columns: ['Name', 'Value', 'From', 'Why'], rows };
}
