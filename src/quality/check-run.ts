import { scanRecords } from './record-stream.js';
import type { RuleSet } from './rule.js';
import { loadRulesFile } from './rules-file.js';
import { compileRules } from './compile-rules.js';
import { builtInRules, sniffDomain, SNIFF_RECORDS } from './default-rules.js';
import { QualityMonitor, type QualityReport } from './monitor.js';
import { QuarantineFile } from './quarantine.js';

/**
 * `sw quality check`: one streaming pass over a recording (scanRecords), so memory is a block plus
 * the monitor's bounded state whatever the recording's size.
 */
export interface CheckRunOptions {
  /** A .jsonl / .jsonl.gz path, or '-' for standard input. */
  readonly input: string;
  /** A rules file; absent, a built-in set is chosen by sniffing the first records. */
  readonly rules?: string;
  /** Wall clock for freshness on live input; absent, the stream's event-time clock. */
  readonly now?: () => number;
  readonly quarantine?: string;
  readonly examples?: number;
}

export interface CheckRun {
  readonly input: string;
  /** The rules file's path, or `default:<domain>` for a built-in set chosen by sniffing. */
  readonly rulesSource: string;
  readonly report: QualityReport;
  readonly quarantined: number;
}

export async function runQualityCheck(options: CheckRunOptions): Promise<CheckRun> {
  // Load and validate an explicit rules file before reading any input: a bad file is exit 3 at once.
  const explicit: RuleSet | undefined = options.rules === undefined ? undefined : await loadRulesFile(options.rules);
  const context = options.now ? { now: options.now } : {};
  let monitor: QualityMonitor | undefined = explicit
    ? new QualityMonitor(await compileRules(explicit, context), { examples: options.examples ?? 5 })
    : undefined;
  let rulesSource = explicit?.source ?? '';
  const quarantine = options.quarantine ? new QuarantineFile(options.quarantine) : undefined;
  // Records read before the built-in set is chosen; replayed into the monitor once it exists.
  const sample: Array<{ record: Record<string, unknown>; line: number; text: string }> = [];
  const early: Array<{ line: number; reason: string; text: string }> = [];

  const start = async (): Promise<QualityMonitor> => {
    const choice = sniffDomain(sample.map((s) => s.record));
    const set = builtInRules(choice);
    rulesSource = set.source;
    const created = new QualityMonitor(await compileRules(set, context), { examples: options.examples ?? 5 });
    // Keep line order: malformed lines and records seen while sniffing go in as they came.
    let m = 0;
    const malformedUntil = (line: number) => {
      for (; m < early.length && early[m]!.line < line; m++) {
        const bad = early[m]!;
        created.observeMalformed(bad.line, bad.reason);
        quarantine?.malformed(bad.line, bad.reason, bad.text);
      }
    };
    for (const s of sample) {
      malformedUntil(s.line);
      const failures = created.observe(s.record, s.line);
      if (quarantine && failures.length > 0) quarantine.record(s.line, s.text, failures);
    }
    malformedUntil(Number.POSITIVE_INFINITY);
    sample.length = 0;
    early.length = 0;
    return created;
  };

  try {
    await scanRecords(options.input, {
      record(record, line, source) {
        if (!monitor) {
          sample.push({ record, line, text: source.text() });
          return;
        }
        const failures = monitor.observe(record, line);
        if (quarantine && failures.length > 0) quarantine.record(line, source.text(), failures);
      },
      // Once the rule set is chosen, lines arrive as rows of the fields its rules read.
      prepareRow: (row) => monitor!.prepareRow(row),
      row(row, line, source) {
        const failures = monitor!.observeRow(row, line);
        if (quarantine && failures.length > 0) quarantine.record(line, source.text(), failures);
      },
      malformed(line, reason, text) {
        if (!monitor) {
          early.push({ line, reason, text });
          return;
        }
        monitor.observeMalformed(line, reason);
        quarantine?.malformed(line, reason, text);
      },
      // Until the rule set is chosen the sample needs whole records; then only what the rules read.
      fields: () => monitor?.reads,
      async afterBlock() {
        if (!monitor && sample.length >= SNIFF_RECORDS) monitor = await start();
      },
    });
    if (!monitor) monitor = await start();
  } finally {
    quarantine?.close();
  }
  return { input: options.input, rulesSource, report: monitor.report(), quarantined: quarantine?.written ?? 0 };
}
