/**
 * The whole `sw design` answer as one object: the document's architecture advice, the sizing
 * figures with their workings, the state of a pipeline, a recording's measurements, the lateness
 * advice and warnings. This object is what `--json` prints (its shape is documented in
 * docs/design.md and versioned by `version`); the tables and Markdown render it.
 */
import type { PipelineSpec, StepSpec } from '../engine/spec.js';
import { UsageError } from '../errors.js';
import type { Assumptions } from './assumptions.js';
import type { DesignRequest, Source } from './design-request.js';
import { DEFAULTS } from './design-request.js';
import { ACCEPTABLE_LATE_SHARE, adviseLateness, lateCount, type LatenessAdvice } from './lateness.js';
import { formatBytes, formatBytesExact, formatNumber, formatPercent } from './quantities.js';
import { formatDuration } from '../engine/duration.js';
import type { RecordingProfile } from './recording-profile.js';
import { brokerLimits, sizeEverything, type Sizing, type Workload } from './sizing.js';
import { keyFieldName, pipelineState, type KeyCount, type PipelineState } from './state-size.js';
import {
  LATENCY_MS,
  architectureFor,
  complexityOf,
  operationalNotesOf,
  timelineOf,
  velocityOf,
  type Architecture,
  type Complexity,
  type Timeline,
  type Velocity,
} from './tiers.js';

/**
 * The mean rate a bare --velocity is sized at: the top of its tier (LOW and MEDIUM at their upper
 * bounds, HIGH at 1M). EXTREME has no top; it is sized at 10× its floor.
 */
export const VELOCITY_SIZING_RATE: Readonly<Record<Velocity, number>> = { low: 1_000, medium: 100_000, high: 1_000_000, extreme: 10_000_000 };

/** A recording's peak-to-mean replaces the default peak factor only from 60 s of data at a mean of 10 events/s or more. */
export const MIN_PEAK_SECONDS = 60;
export const MIN_PEAK_MEAN_RATE = 10;

/** The request with every rate and size settled (given, measured or defaulted). */
export interface DesignInputs
  extends Pick<DesignRequest, 'retentionMs' | 'latency' | 'exactlyOnce' | 'multiRegion' | 'compliance' | 'replication' | 'timeField' | 'sources'> {
  readonly velocity: Velocity;
  readonly eventsPerSec: number;
  readonly eventBytes: number;
  readonly peakFactor: number;
  /** null = the Flink parallelism. */
  readonly consumers: number | null;
  readonly from: string | null;
  readonly pipeline: string | null;
}

/** A recording's measurements without the raw disorder samples. */
export type RecordingSummary = Omit<RecordingProfile, 'disorder'> & { readonly path: string };

export interface DesignReport {
  readonly version: 1;
  readonly inputs: DesignInputs;
  readonly architecture: Architecture;
  readonly complexity: Complexity;
  readonly timeline: Timeline;
  readonly operationalNotes: readonly string[];
  readonly sizing: Sizing;
  readonly state: PipelineState | null;
  readonly recording: RecordingSummary | null;
  readonly lateness: LatenessAdvice | null;
  readonly warnings: readonly string[];
  readonly assumptions: Assumptions;
}

export interface DesignMaterial {
  readonly request: DesignRequest;
  readonly profile?: RecordingProfile;
  readonly pipeline?: PipelineSpec;
}

export function buildDesign({ request, profile, pipeline }: DesignMaterial): DesignReport {
  const sources: Record<string, Source> = { ...request.sources };
  const measured = profile && profile.records - profile.missingTime > 0 ? profile : undefined;

  let eventsPerSec: number;
  if (request.eventsPerSec !== undefined) eventsPerSec = request.eventsPerSec;
  else if (request.velocity !== undefined) {
    eventsPerSec = VELOCITY_SIZING_RATE[request.velocity];
    sources.eventsPerSec = 'velocity tier';
  } else if (measured) {
    eventsPerSec = measured.meanEventsPerSec;
    sources.eventsPerSec = 'recording';
  } else if (profile) {
    throw new UsageError(`${request.from}: no record has a usable '${request.timeField}' event time, so no rate can be measured; pass --time-field <field> or --events-per-sec <n>`);
  } else {
    throw new UsageError('give the stream rate: --velocity low|medium|high|extreme, --events-per-sec <n> or --from <recording>');
  }
  const velocity = request.velocity ?? velocityOf(eventsPerSec);
  if (request.velocity === undefined) sources.velocity = 'mean rate';

  const eventBytes = valueWithSource('eventBytes', request.eventBytes, measured && measured.meanEventBytes > 0 ? measured.meanEventBytes : undefined, DEFAULTS.eventBytes, sources);
  // Per-second counts say something about bursts only with enough of them and enough in each:
  // at 0.05 events/s every non-empty second looks like a 20x peak.
  const measuredPeak = measured && measured.seconds >= MIN_PEAK_SECONDS && measured.meanEventsPerSec >= MIN_PEAK_MEAN_RATE ? Math.max(1, measured.peakToMean) : undefined;
  const peakFactor = valueWithSource('peakFactor', request.peakFactor, measuredPeak, DEFAULTS.peakFactor, sources);
  for (const key of ['retention', 'latency', 'replication', 'timeField', 'exactlyOnce', 'multiRegion', 'compliance']) sources[key] ??= 'default';

  const requirements = { velocity, latency: request.latency, exactlyOnce: request.exactlyOnce, multiRegion: request.multiRegion, compliance: request.compliance };
  const workload: Workload = {
    eventsPerSec,
    eventBytes,
    peakFactor,
    retentionMs: request.retentionMs,
    replication: request.replication,
    consumers: request.consumers,
    exactlyOnce: request.exactlyOnce,
    latencyMs: LATENCY_MS[request.latency],
  };

  const state = pipeline ? pipelineState(pipeline, { eventsPerSec, eventBytes }, keyCounter(profile, request.assumptions), request.assumptions) : null;
  const sizing = sizeEverything(workload, request.assumptions, state);
  const lateness = profile ? adviseLateness(profile.disorder) : null;

  return {
    version: 1,
    inputs: {
      velocity,
      eventsPerSec,
      eventBytes,
      peakFactor,
      retentionMs: request.retentionMs,
      latency: request.latency,
      exactlyOnce: request.exactlyOnce,
      multiRegion: request.multiRegion,
      compliance: request.compliance,
      replication: request.replication,
      consumers: request.consumers ?? null,
      timeField: request.timeField,
      from: request.from ?? null,
      pipeline: request.pipeline ?? null,
      sources,
    },
    architecture: architectureFor(requirements),
    complexity: complexityOf(requirements),
    timeline: timelineOf(requirements),
    operationalNotes: operationalNotesOf(requirements),
    sizing,
    state,
    recording: profile ? summarize(request.from ?? '-', profile) : null,
    lateness,
    warnings: warningsFor(workload, request.assumptions, sizing, state, pipeline, profile, lateness),
    assumptions: request.assumptions,
  };
}

function valueWithSource(key: string, given: number | undefined, measured: number | undefined, fallback: number, sources: Record<string, Source>): number {
  if (given !== undefined) return given;
  if (measured !== undefined) {
    sources[key] = 'recording';
    return measured;
  }
  sources[key] = 'default';
  return fallback;
}

/** Keys of a step: measured when the recording profiled its key fields, else the assumption. */
function keyCounter(profile: RecordingProfile | undefined, assumptions: Assumptions): (step: StepSpec) => KeyCount {
  return (step) => {
    if (step.keyBy.kind === 'none') return { keys: 1, source: 'not keyed' };
    const name = keyFieldName(step.keyBy);
    const found = name && profile?.keys.find((key) => key.name === name);
    if (found && found.distinct > 0) return { keys: found.distinct, source: 'measured' };
    return { keys: assumptions.keys, source: 'assumed' };
  };
}

function summarize(path: string, profile: RecordingProfile): RecordingSummary {
  const { disorder: _disorder, ...rest } = profile;
  return { path, ...rest };
}

function warningsFor(
  workload: Workload,
  assumptions: Assumptions,
  sizing: Sizing,
  state: PipelineState | null,
  pipeline: PipelineSpec | undefined,
  profile: RecordingProfile | undefined,
  lateness: LatenessAdvice | null,
): string[] {
  const warnings: string[] = [];
  const interval = sizing.checkpointInterval.value;
  if (workload.exactlyOnce && interval > workload.latencyMs) {
    warnings.push(
      `exactly-once through Kafka transactions shows results to read_committed readers only when a checkpoint completes (every ${formatDuration(interval)}), so the ${formatDuration(workload.latencyMs)} latency cannot hold end to end; use at-least-once with an idempotent sink for that path, or relax the latency`,
    );
  }
  if (workload.replication < assumptions.minInsyncReplicas) {
    warnings.push(`replication ${workload.replication} is below min.insync.replicas ${assumptions.minInsyncReplicas}: every acks=all write fails; raise --replication`);
  } else if (workload.replication === assumptions.minInsyncReplicas) {
    warnings.push(`replication ${workload.replication} equals min.insync.replicas: one broker down blocks acks=all writes; the document uses 3 with min ISR 2`);
  }
  const perPartition = (workload.eventsPerSec * workload.eventBytes * (workload.retentionMs / 1000)) / assumptions.compressionRatio / sizing.kafkaPartitions.value;
  if (perPartition > assumptions.retentionBytesPerPartition) {
    warnings.push(
      `each partition holds ${formatBytes(perPartition)} over ${formatDuration(workload.retentionMs)}, above log.retention.bytes ${formatBytesExact(assumptions.retentionBytesPerPartition)} (the document's setting): Kafka would delete data early; set log.retention.bytes=-1 or at least ${formatBytes(Math.ceil(perPartition))}`,
    );
  }
  const limits = brokerLimits(workload, assumptions, sizing.kafkaPartitions.value, sizing.kafkaStorage.value);
  const forThroughput = Math.max(limits.replication, limits.network, limits.disk, limits.partitions);
  if (limits.storage > 2 * forThroughput) {
    warnings.push(
      `retention, not throughput, sets the broker count (${limits.storage} for storage vs ${forThroughput} for traffic): larger volumes (--assume brokerDiskBytes=...), compression (--assume compressionRatio=...), shorter --retention or tiered storage would cut it`,
    );
  }
  if (workload.latencyMs <= 10) {
    warnings.push(`linger.ms=5 (the document's producer setting) spends ${formatNumber((5 / workload.latencyMs) * 100)}% of a ${formatDuration(workload.latencyMs)} budget; use linger.ms=0 on the latency path`);
  }
  if (state) {
    const snapshotMs = (state.bytes / (sizing.flinkTaskManagers.value * assumptions.snapshotMBpsPerTaskManager * 1e6)) * 1000;
    if (snapshotMs > assumptions.checkpointTimeoutMs) {
      warnings.push(`a full snapshot of ${formatBytes(state.bytes)} takes about ${formatDuration(Math.ceil(snapshotMs))}, over the ${formatDuration(assumptions.checkpointTimeoutMs)} checkpoint timeout: use incremental RocksDB checkpoints or more TaskManagers`);
    }
    for (const step of state.steps) if (step.bytes === null) warnings.push(`step '${step.step}': ${step.workings}`);
  }
  // Keyed state lives on one subtask per key, so the hottest key's peak rate cannot be spread out.
  const peak = sizing.peakEventsPerSec.value;
  for (const key of profile?.keys ?? []) {
    const hot = key.topShare * peak;
    if (key.distinct > 1 && hot > assumptions.slotEventsPerSec) {
      warnings.push(
        `hot key: ${key.name}=${key.topKey} carries ${formatPercent(key.topShare)} of the stream, ${formatNumber(hot)} events/s at peak, more than one slot's ${formatNumber(assumptions.slotEventsPerSec)}; keyed state pins a key to one subtask, so pre-aggregate it (two-phase aggregation) or salt the key`,
      );
    }
  }
  if (pipeline && profile && lateness && lateness.distribution.records > 0) {
    const bound = pipeline.time.outOfOrderness;
    const share = lateCount(profile.disorder, bound) / lateness.distribution.records;
    if (share > ACCEPTABLE_LATE_SHARE) {
      const advice = lateness.recommendedMs === null ? lateness.reason : `the advisor recommends ${formatDuration(lateness.recommendedMs)}`;
      warnings.push(`the pipeline's outOfOrderness ${formatDuration(bound)} makes ${formatPercent(share)} of this recording's records late; ${advice}`);
    }
  }
  return warnings;
}
