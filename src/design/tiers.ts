/**
 * The architecture designer of seeds/002 (`StreamingArchitectureDesigner`), ported rule for rule:
 * velocity tiers with their stack, deployment and cost; the latency, exactly-once and multi-region
 * adjustments; the complexity score; the timeline in weeks; the operational notes.
 *
 * One deliberate difference: the original mutates its shared tier table when it adds adjustments,
 * so a later call for the same tier would inherit an earlier call's extras. Here every call builds
 * a fresh object.
 */

export const VELOCITIES = ['low', 'medium', 'high', 'extreme'] as const;
export type Velocity = (typeof VELOCITIES)[number];

/** The document's latency requirements ("< 1ms", "< 10ms", "< 100ms", "< 1s"). */
export const LATENCIES = ['1ms', '10ms', '100ms', '1s'] as const;
export type Latency = (typeof LATENCIES)[number];

export const LATENCY_MS: Readonly<Record<Latency, number>> = { '1ms': 1, '10ms': 10, '100ms': 100, '1s': 1000 };

export interface Requirements {
  readonly velocity: Velocity;
  readonly latency: Latency;
  readonly exactlyOnce: boolean;
  readonly multiRegion: boolean;
  /** Compliance regimes (GDPR, SOX, ...); any non-empty list counts once. */
  readonly compliance: readonly string[];
}

export interface Tier {
  readonly velocity: Velocity;
  /** The document's range label, e.g. "1K - 100K events/sec". */
  readonly range: string;
  readonly stack: readonly string[];
  readonly deployment: string;
  readonly costEstimate: string;
}

export const TIERS: Readonly<Record<Velocity, Tier>> = {
  low: {
    velocity: 'low',
    range: '< 1K events/sec',
    stack: ['Kafka', 'Kafka Streams', 'PostgreSQL'],
    deployment: 'Single region, 3-node cluster',
    costEstimate: '$500-2000/month',
  },
  medium: {
    velocity: 'medium',
    range: '1K - 100K events/sec',
    stack: ['Kafka', 'Flink', 'ClickHouse', 'Redis'],
    deployment: 'Multi-AZ, 6-9 node cluster',
    costEstimate: '$2000-10000/month',
  },
  high: {
    velocity: 'high',
    range: '100K - 1M events/sec',
    stack: ['Kafka/Pulsar', 'Flink', 'ScyllaDB', 'Redis Cluster'],
    deployment: 'Multi-region, 15+ node cluster',
    costEstimate: '$10000-50000/month',
  },
  extreme: {
    velocity: 'extreme',
    range: '> 1M events/sec',
    stack: ['Pulsar', 'Flink', 'FoundationDB', 'Hazelcast'],
    deployment: 'Global deployment, 50+ node cluster',
    costEstimate: '$50000+/month',
  },
};

/**
 * The tier of a mean rate. The document's ranges share their end points ("1K - 100K", "100K - 1M",
 * "> 1M"); we read each lower bound as inclusive, except that exactly 1M stays HIGH because
 * EXTREME is "> 1M".
 */
export function velocityOf(eventsPerSec: number): Velocity {
  if (eventsPerSec < 1_000) return 'low';
  if (eventsPerSec < 100_000) return 'medium';
  if (eventsPerSec <= 1_000_000) return 'high';
  return 'extreme';
}

/** The tier's base architecture plus the document's adjustments (keys as in the original). */
export interface Architecture extends Tier {
  readonly additionalComponents?: readonly string[];
  readonly networkOptimization?: string;
  readonly transactionSupport?: boolean;
  readonly additionalComplexity?: string;
  readonly replication?: string;
  readonly conflictResolution?: string;
}

export function architectureFor(requirements: Requirements): Architecture {
  const tier = TIERS[requirements.velocity];
  const architecture: {
    -readonly [K in keyof Architecture]: Architecture[K];
  } = { ...tier, stack: [...tier.stack] };
  // The original tests `"1ms" in latency_requirement`; of "< 1ms", "< 10ms", "< 100ms", "< 1s" only the first matches.
  if (requirements.latency === '1ms') {
    architecture.additionalComponents = ['In-memory processing', 'Edge computing'];
    architecture.networkOptimization = 'Dedicated network, SR-IOV';
  }
  if (requirements.exactlyOnce) {
    architecture.transactionSupport = true;
    architecture.additionalComplexity = 'High';
  }
  if (requirements.multiRegion) {
    architecture.replication = 'Cross-region async replication';
    architecture.conflictResolution = 'Last-writer-wins with timestamps';
  }
  return architecture;
}

export type ComplexityLevel = 'Low' | 'Medium' | 'High' | 'Very High';

/** One term of a score or a timeline, so the output can show its workings. */
export interface ScorePart {
  readonly reason: string;
  readonly amount: number;
}

export interface Complexity {
  readonly score: number;
  readonly level: ComplexityLevel;
  readonly parts: readonly ScorePart[];
}

/** `_calculate_complexity`: throughput HIGH/EXTREME 3, MEDIUM 2, LOW 1; +2 exactly-once; +2 multi-region; +1 compliance. */
export function complexityOf(requirements: Requirements): Complexity {
  const throughputPoints = requirements.velocity === 'high' || requirements.velocity === 'extreme' ? 3 : requirements.velocity === 'medium' ? 2 : 1;
  const parts: ScorePart[] = [{ reason: `throughput ${requirements.velocity.toUpperCase()}`, amount: throughputPoints }];
  if (requirements.exactlyOnce) parts.push({ reason: 'exactly-once delivery', amount: 2 });
  if (requirements.multiRegion) parts.push({ reason: 'multi-region', amount: 2 });
  if (requirements.compliance.length > 0) parts.push({ reason: `compliance (${requirements.compliance.join(', ')})`, amount: 1 });
  const score = parts.reduce((sum, part) => sum + part.amount, 0);
  const level: ComplexityLevel = score <= 3 ? 'Low' : score <= 6 ? 'Medium' : score <= 9 ? 'High' : 'Very High';
  return { score, level, parts };
}

export interface Timeline {
  readonly weeks: number;
  /** The document's rendering, e.g. "28 weeks". */
  readonly text: string;
  readonly parts: readonly ScorePart[];
}

const BASE_WEEKS: Readonly<Record<Velocity, number>> = { low: 4, medium: 8, high: 16, extreme: 24 };

/** `_estimate_timeline`: 4/8/16/24 weeks by tier, +4 exactly-once, +6 multi-region, +2 compliance. */
export function timelineOf(requirements: Requirements): Timeline {
  const parts: ScorePart[] = [{ reason: `${requirements.velocity.toUpperCase()} tier base`, amount: BASE_WEEKS[requirements.velocity] }];
  if (requirements.exactlyOnce) parts.push({ reason: 'exactly-once delivery', amount: 4 });
  if (requirements.multiRegion) parts.push({ reason: 'multi-region', amount: 6 });
  if (requirements.compliance.length > 0) parts.push({ reason: 'compliance', amount: 2 });
  const weeks = parts.reduce((sum, part) => sum + part.amount, 0);
  return { weeks, text: `${weeks} weeks`, parts };
}

/** `_get_operational_notes`, in the document's order. */
export function operationalNotesOf(requirements: Requirements): string[] {
  const notes = ['Monitor lag and throughput continuously'];
  if (requirements.velocity === 'high' || requirements.velocity === 'extreme') {
    notes.push('Implement automated scaling policies', 'Set up advanced monitoring with custom metrics', 'Plan for disaster recovery scenarios');
  }
  if (requirements.exactlyOnce) notes.push('Monitor transaction coordinator performance');
  if (requirements.multiRegion) notes.push('Monitor cross-region replication lag', 'Plan for network partition scenarios');
  return notes;
}
