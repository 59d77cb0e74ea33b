import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { exportFlinkSql } from '../export/flink-script.js';
import { sampleTypes } from '../export/sample-types.js';
import { InputError } from '../errors.js';
import { loadPipeline } from '../spec/load.js';

interface FlinkSqlFlags {
  brokers?: string;
  sourceTopic?: string;
  sinkTopicPrefix?: string;
  sample?: string;
  out?: string;
  json?: boolean;
}

export function registerExport(program: Command): void {
  const exporter = program
    .command('export')
    .description('Write a pipeline for another engine (Apache Flink SQL)')
    .addHelpText('after', '\nExamples:\n  $ sw export flink-sql scenarios/binge.pipeline.yaml\n  $ sw export flink-sql scenarios/binge.pipeline.yaml --brokers kafka:9092 --source-topic views --out binge.sql');
  exporter
    .command('flink-sql')
    .description('Write a Flink SQL script: a Kafka source with watermark, and per step a Kafka sink and an INSERT (windows as window TVFs, patterns as MATCH_RECOGNIZE)')
    .argument('<pipeline>', 'pipeline spec (YAML, JSON or .pipeline.ts)')
    .option('--brokers <list>', 'Kafka bootstrap servers', 'localhost:9092')
    .option('--source-topic <topic>', 'topic the events are read from (default: the pipeline name)')
    .option('--sink-topic-prefix <prefix>', 'sink topic per step is <prefix><step> (default: "<pipeline name>.")')
    .option('--sample <recording>', 'read column types from the first 1000 records of a recording (.jsonl, .jsonl.gz, .db)')
    .option('--out <file.sql>', 'write the script to a file instead of standard output')
    .option('--json', 'print {"sql", "report"} as JSON on stdout (the report lists what was not exported or differs)')
    .addHelpText(
      'after',
      `
What Flink SQL cannot express (process functions, followedByAny, notFollowedBy at the end,
iterative conditions beyond DEFINE ...) is left out of the script with a comment block and
reported on stderr, one line per finding; the exit code is still 0, as the rest of the script is
valid. An invalid spec exits 1 with one line. See docs/flink-sql.md.
Examples:
  $ sw export flink-sql scenarios/binge.pipeline.yaml
  $ sw export flink-sql scenarios/binge.pipeline.yaml --brokers kafka:9092 --source-topic views --sink-topic-prefix alerts. --out binge.sql
  $ sw export flink-sql scenarios/financial.pipeline.ts --sample financial.jsonl --json`,
    )
    .action(async (path: string, flags: FlinkSqlFlags) => {
      const spec = await loadPipeline(path);
      const types = flags.sample ? await sampleTypes(flags.sample) : undefined;
      const { sql, report } = exportFlinkSql(spec, {
        brokers: flags.brokers,
        ...(flags.sourceTopic ? { sourceTopic: flags.sourceTopic } : {}),
        ...(flags.sinkTopicPrefix ? { sinkTopicPrefix: flags.sinkTopicPrefix } : {}),
        ...(types ? { sampleTypes: types } : {}),
      });
      if (flags.out) {
        try {
          await writeFile(flags.out, sql);
        } catch (error) {
          throw new InputError(`${flags.out}: cannot write the script (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the directory`);
        }
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify({ pipeline: spec.name, ...(flags.out ? { out: flags.out } : { sql }), report: report.findings }) + '\n');
        return;
      }
      if (!flags.out) process.stdout.write(sql);
      if (report.findings.length > 0) process.stderr.write(report.text() + '\n');
    });
}
