/**
 * The byte-level field reader alone against JSON.parse over the same 2M-event file, so that
 * progress on the reader shows apart from the engine.
 */
import { ensureActivityFile } from '../activity-file.js';
import { fieldReaderPass, jsonParsePass, type PassResult } from '../file-passes.js';
import { fastestOf } from '../timing.js';
import { ratioRow, throughputRow, type BenchOptions, type BenchRow } from '../suite.js';

export const name = 'field-reader';

/** Fields of bench/pipelines/tumbling-count.pipeline.yaml: what `sw replay` asks the reader for. */
const PIPELINE_FIELDS = ['contentId', 'timestamp'];
const EVERY_FIELD = ['userId', 'eventType', 'contentId', 'timestamp', 'sessionId', 'device'];
const RUNS = 3;

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const file = ensureActivityFile(options.root, '2m', 2_000_000);
  const floor = await fastestOf(RUNS, () => jsonParsePass(file.path));
  const row = (subject: string, result: PassResult) =>
    throughputRow(name, subject, result.events, result, {
      note: [
        result.counts ? `byte path ${result.counts.bytePath.toLocaleString('en')}, JSON.parse ${result.counts.jsonParse}, rejected ${result.counts.rejected}` : `${Math.round(file.bytes / file.events)} bytes/event`,
        result.checksum === floor.checksum ? '' : 'CHECKSUM DIFFERS FROM JSON.parse',
      ].filter(Boolean).join('; '),
    });
  const floorRow = row('JSON.parse floor', floor);
  const pipelineRow = row('reader: contentId, timestamp', await fastestOf(RUNS, () => fieldReaderPass(file.path, PIPELINE_FIELDS)));
  const everyRow = row('reader: all 6 fields', await fastestOf(RUNS, () => fieldReaderPass(file.path, EVERY_FIELD)));
  return [floorRow, pipelineRow, everyRow, ratioRow(name, pipelineRow, floorRow), ratioRow(name, everyRow, floorRow)];
}
