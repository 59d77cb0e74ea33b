/**
 * Replays a built-in scenario headless and scores each probed step against the recording's
 * ground truth (see ground-truth.ts for how a result is matched to an injected case).
 */
import type { OutputRecord } from '../engine/operator.js';
import { Replay } from '../replay/replay.js';
import { loadCompiledPipeline } from '../spec/compile.js';
import { scenarioPath, type Scenario } from './catalogue.js';
import { readTruth, scoreStep, type StepScore } from './ground-truth.js';

export interface ProbeScore extends StepScore {
  /** How detections were told (`anomaly_score > 0`), or 'every result'. */
  readonly flagged: string;
}

export interface ScenarioCheck {
  /** Output records per step. */
  readonly counts: Record<string, number>;
  readonly probes: ProbeScore[];
}

export function truthPathOf(recording: string): string {
  return recording.replace(/\.(jsonl|jsonl\.gz|db|sqlite)$/, '') + '.truth.jsonl';
}

export async function checkScenario(scenario: Scenario): Promise<ScenarioCheck> {
  const recording = scenarioPath(scenario.recording);
  const compiled = await loadCompiledPipeline(scenarioPath(scenario.pipeline));
  const byStep = new Map<string, OutputRecord[]>();
  const replay = new Replay({ recording, compiled, speed: Infinity, deadLetterPath: null });
  replay.onOutput((record) => {
    let list = byStep.get(record.step);
    if (!list) byStep.set(record.step, (list = []));
    list.push(record);
  });
  await replay.run();
  const truth = readTruth(truthPathOf(recording));
  const counts: Record<string, number> = {};
  const probes: ProbeScore[] = [];
  for (const step of scenario.steps) {
    const results = byStep.get(step.name) ?? [];
    counts[step.name] = results.length;
    for (const probe of step.probes ?? []) {
      const flags = probe.flags;
      const detections = flags ? results.filter((r) => 'fields' in r && flags(r.fields)) : results;
      probes.push({ ...scoreStep(step.name, probe.kinds, detections, truth), flagged: probe.flagged ?? 'every result' });
    }
  }
  return { counts, probes };
}
