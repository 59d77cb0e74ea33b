/**
 * The built-in scenarios: each pipeline of the source documents (docs/scenarios.md lists them
 * with their sections) with a checked-in recording synthesized by `sw synth`, the command that
 * regenerates it, and, per step, which injected ground-truth cases it must find.
 * Paths are relative to the sw folder (the package root).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a step is meant to find in the recording's `.truth.jsonl`. */
export interface TruthProbe {
  /** Truth kinds the step detects (all of them must be found). */
  readonly kinds: readonly string[];
  /** Which results count as detections; default: every result of the step. */
  readonly flags?: (fields: Record<string, unknown>) => boolean;
  /** How a detection is told, for people. */
  readonly flagged?: string;
}

export interface ScenarioStep {
  readonly name: string;
  /** Section of the source document the step implements. */
  readonly source: string;
  readonly probes?: readonly TruthProbe[];
}

export interface Scenario {
  readonly name: string;
  readonly domain: 'media' | 'ecommerce' | 'financial' | 'security';
  /** Source document(s) in ../seeds and the digest section. */
  readonly source: string;
  readonly recording: string;
  readonly pipeline: string;
  /** The command that wrote the recording and its truth (run from the sw folder). */
  readonly synth: string;
  readonly steps: readonly ScenarioStep[];
}

const flag = (field: string) => (fields: Record<string, unknown>) => typeof fields[field] === 'number' && (fields[field] as number) > 0;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'binge',
    domain: 'media',
    source: '000 media streaming, CEP bingeWatchingPattern (digest §1)',
    recording: 'scenarios/binge.jsonl',
    pipeline: 'scenarios/binge.pipeline.yaml',
    synth: 'sw synth media --seed 1 --count 21600 --entities 200 --out scenarios/binge.jsonl (with faults; see binge.truth.jsonl)',
    steps: [{ name: 'binge', source: '000 bingeWatchingPattern', probes: [{ kinds: ['binge'] }] }],
  },
  {
    name: 'media',
    domain: 'media',
    source: '000 media streaming analytics (digest §1)',
    recording: 'scenarios/media.jsonl',
    pipeline: 'scenarios/media.pipeline.ts',
    synth: 'sw synth media --seed 7 --entities 3000 --skew 2 --rate spike:1.2/s,x5,16m/2h --duration 4h --cases 3 --out scenarios/media.jsonl',
    steps: [
      { name: 'trending', source: '000 trendingAnalysis + ContentTrendingAggregator' },
      { name: 'engagement', source: '000 engagementAnalysis + UserEngagementAggregator' },
      { name: 'binge', source: '000 bingeWatchingPattern', probes: [{ kinds: ['binge'] }] },
      { name: 'traffic_anomaly', source: '000 anomalyDetection (TrafficAnomalyDetector)', probes: [{ kinds: ['traffic_spike'] }] },
      { name: 'churn_risk', source: '000 churnRiskPattern + ChurnRiskSelector', probes: [{ kinds: ['churn_exit'] }] },
      { name: 'premium_conversion', source: '000 premiumConversionPattern + PremiumConversionSelector', probes: [{ kinds: ['premium_conversion'] }] },
      { name: 'viral_content', source: '000 viralContentPattern', probes: [{ kinds: ['viral_share'] }] },
      { name: 'taste_change', source: '000 tasteChangePattern', probes: [{ kinds: ['taste_change'] }] },
      { name: 'ab_test', source: '000 RealTimeABTesting + ABTestAggregator' },
    ],
  },
  {
    name: 'ecommerce',
    domain: 'ecommerce',
    source: '003 Kafka + Flink jobs; 001 CEP patterns (digest §2)',
    recording: 'scenarios/ecommerce.jsonl',
    pipeline: 'scenarios/ecommerce.pipeline.ts',
    synth: 'sw synth ecommerce --seed 3 --entities 1000 --rate constant:2/s --duration 2h --cases 3 --out scenarios/ecommerce.jsonl',
    steps: [
      { name: 'user_sessions', source: '003 job 1, real-time user session analysis' },
      { name: 'product_popularity', source: '003 job 2, real-time product popularity' },
      {
        name: 'order_anomalies',
        source: '003 job 3, real-time order anomaly detection',
        probes: [{ kinds: ['high_value_order', 'order_burst'] }],
      },
      { name: 'funnel_login_view_purchase', source: '001 CEPBasics.setup_basic_cep_pattern', probes: [{ kinds: ['funnel'] }] },
      { name: 'funnel_sequence', source: '001 AdvancedPatternDefinitions.create_sequence_pattern', probes: [{ kinds: ['funnel'] }] },
      { name: 'funnel_or', source: '001 AdvancedPatternDefinitions.create_or_pattern', probes: [{ kinds: ['funnel'] }] },
      { name: 'funnel_not_logout', source: '001 AdvancedPatternDefinitions.create_not_pattern', probes: [{ kinds: ['funnel'] }] },
      { name: 'funnel_clicks', source: '001 AdvancedPatternDefinitions.create_times_pattern', probes: [{ kinds: ['funnel'] }] },
      { name: 'funnel_greedy', source: '001 AdvancedPatternDefinitions.create_greedy_pattern', probes: [{ kinds: ['funnel'] }] },
      { name: 'user_activity', source: '001 per-user 1-minute aggregates' },
      { name: 'global_activity', source: '001 global 1-minute aggregates' },
    ],
  },
  {
    name: 'financial',
    domain: 'financial',
    source: '001 real-time financial monitoring (digest §3)',
    recording: 'scenarios/financial.jsonl',
    pipeline: 'scenarios/financial.pipeline.ts',
    synth: 'sw synth financial --seed 5 --entities 500 --rate constant:1/s --duration 4h --start 2026-01-01T04:00:00Z --cases 3 --out scenarios/financial.jsonl',
    steps: [
      {
        name: 'fraud',
        source: '001 FraudDetectionEngine (KeyedProcessFunction)',
        probes: [
          { kinds: ['velocity_burst'], flags: flag('velocity_risk'), flagged: 'velocity_risk > 0' },
          { kinds: ['amount_outlier'], flags: flag('amount_risk'), flagged: 'amount_risk > 0' },
          { kinds: ['night_transaction'], flags: flag('time_risk'), flagged: 'time_risk > 0' },
        ],
      },
      { name: 'fraud_alerts', source: '001 send_immediate_alert + RealTimeAlertingSystem', probes: [{ kinds: ['velocity_burst', 'amount_outlier'] }] },
      { name: 'metrics', source: '001 1-minute global metrics' },
    ],
  },
  {
    name: 'security',
    domain: 'security',
    source: '002 Complex Event Processing Pipeline (digest §4)',
    recording: 'scenarios/financial.jsonl',
    pipeline: 'scenarios/security.pipeline.ts',
    synth: 'the financial recording (see financial)',
    steps: [
      { name: 'rapid_logins', source: '002 rapidLoginPattern', probes: [{ kinds: ['rapid_logins'] }] },
      { name: 'impossible_travel', source: '002 GeographicalAnomalyDetector', probes: [{ kinds: ['impossible_travel'] }] },
      { name: 'large_then_small', source: '002 suspiciousTransactionPattern', probes: [{ kinds: ['large_then_small'] }] },
      {
        name: 'session_analysis',
        source: '002 analyzeUserSessions + SessionAnalysisFunction',
        probes: [{ kinds: ['bot_session'], flags: flag('anomaly_score'), flagged: 'anomaly_score > 0' }],
      },
    ],
  },
];

/** The sw folder: scenario paths are relative to it. */
export const SW_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** A scenario path made absolute against the sw folder. */
export function scenarioPath(relative: string): string {
  return join(SW_ROOT, relative);
}
