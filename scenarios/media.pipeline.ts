/**
 * Media streaming analytics (seeds-digest.md §1, source 000 "Scala Flink media pipeline"): every
 * pipeline of the document over one stream of user events. Watermark: bounded out-of-orderness
 * 5 s, as the document's WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(5)).
 *
 * The document stubs several field extractors with constants; here they read the event:
 *   extractDuration → watchSeconds (the document: 1800), extractContentType → genre ("drama"),
 *   extractQuality → quality ("HD"), extractGenre → genre ("unknown"),
 *   extractExperimentId / extractVariant → experimentId / variant ("exp_001" / "control").
 * A TypeScript module because the traffic anomaly needs keyed state across windows.
 *
 *   sw replay scenarios/media.jsonl --speed max --out results.jsonl
 *   sw replay scenarios/media-peak.jsonl --pipeline scenarios/media.pipeline.ts --speed max --out results.jsonl
 */
import { definePipeline } from '../src/spec/define-pipeline.js';
import { TrafficAnomaly } from '../src/scenarios/media/traffic-anomaly.js';

const WATCHED = "eventType == 'content.watched'";
const INTERACTION = "eventType in ['content.liked', 'content.shared', 'content.rated']";

export default definePipeline({
  name: 'media',
  description: 'Trending, engagement, binge, traffic anomaly, churn risk, premium conversion, viral content, taste change and A/B test',
  time: { field: 'timestamp', outOfOrderness: '5s' },
  steps: {
    trending: {
      description: 'ContentTrendingAggregator: sliding 15 min / 1 min per content, score > 0.7 with its reason',
      where: WATCHED,
      keyBy: 'contentId',
      window: { type: 'sliding', size: '15m', slide: '1m' },
      aggregate: {
        watches: 'count()',
        users: 'count_distinct(userId)',
        devices: 'count_distinct(device)',
        totalWatchSeconds: 'sum(watchSeconds)',
      },
      select: {
        avgWatchSeconds: 'totalWatchSeconds / watches',
        trendingScore:
          '0.3 * min(users / 100.0, 1.0) + 0.3 * min(watches / 500.0, 1.0) + 0.2 * (devices / 4.0) + 0.2 * min(totalWatchSeconds / watches / 3600.0, 1.0)',
        reason: "'users:' + string(users) + ', watches:' + string(watches) + ', devices:' + string(devices)",
      },
      having: 'trendingScore > 0.7',
    },
    engagement: {
      description: 'UserEngagementAggregator: session windows (gap 30 min) per user',
      keyBy: 'userId',
      window: { type: 'session', gap: '30m' },
      aggregate: {
        contentCount: `sum(${WATCHED} ? 1 : 0)`,
        interactionCount: `sum(${INTERACTION} ? 1 : 0)`,
        contentTypes: 'count_distinct(has(genre) ? genre : null)',
        sessionStart: 'min(timestamp)',
        sessionEnd: 'max(timestamp)',
      },
      select: {
        interactionRate: 'contentCount > 0 ? interactionCount / contentCount : 0.0',
        engagementScore:
          'min((contentCount * 0.3 + contentTypes * 0.3 + (contentCount > 0 ? interactionCount / contentCount : 0.0) * 0.4) / 3.0 * 100.0, 100.0)',
        sessionDuration: 'sessionEnd - sessionStart',
      },
    },
    binge: {
      description: 'bingeWatchingPattern: watched, next watched times(3), within 2 h',
      keyBy: 'userId',
      pattern: {
        within: '2h',
        stages: [
          { name: 'start', where: WATCHED },
          { name: 'more', contiguity: 'next', where: WATCHED, times: 3 },
        ],
      },
      select: { userId: 'start[0].userId', watched: 'size(more) + 1' },
    },
    traffic_anomaly: {
      description: 'TrafficAnomalyDetector: 1-minute tumbling counts of all events, flagged against a rolling baseline',
      process: () => new TrafficAnomaly(),
    },
    churn_risk: {
      description: 'churnRiskPattern: login, followedBy watched times(1,3), followedBy logout, within 15 min',
      keyBy: 'userId',
      pattern: {
        within: '15m',
        stages: [
          { name: 'login', where: "eventType == 'user.login'" },
          { name: 'watch', contiguity: 'followedBy', where: WATCHED, times: [1, 3] },
          { name: 'exit', contiguity: 'followedBy', where: "eventType == 'user.logout'" },
        ],
      },
      select: {
        userId: 'login[0].userId',
        sessionDuration: 'exit[0].timestamp - login[0].timestamp',
        watchCount: 'size(watch)',
        riskScore: '(max(0.0, 1.0 - (exit[0].timestamp - login[0].timestamp) / 900000.0) * 0.6 + max(0.0, 1.0 - size(watch) / 5.0) * 0.4) * 100.0',
      },
    },
    premium_conversion: {
      description: 'premiumConversionPattern: watched, next liked|shared|rated timesOrMore(3), followedBy a 4K watch, within 24 h',
      keyBy: 'userId',
      pattern: {
        within: '24h',
        stages: [
          { name: 'start', where: WATCHED },
          { name: 'highEngagement', contiguity: 'next', where: INTERACTION, timesOrMore: 3 },
          { name: 'qualityUpgrade', contiguity: 'followedBy', where: `${WATCHED} && quality == '4K'` },
        ],
      },
      select: {
        userId: 'start[0].userId',
        engagementCount: 'size(highEngagement)',
        qualityUpgradeAttempts: 'size(qualityUpgrade)',
        conversionScore: '(min(size(highEngagement) / 10.0, 1.0) * 0.7 + min(size(qualityUpgrade) / 3.0, 1.0) * 0.3) * 100.0',
      },
    },
    viral_content: {
      description: 'viralContentPattern: per content, watched, followedBy shared timesOrMore(5), within 2 h',
      where: 'contentId != null',
      keyBy: 'contentId',
      pattern: {
        within: '2h',
        stages: [
          { name: 'watch', where: WATCHED },
          { name: 'share', contiguity: 'followedBy', where: "eventType == 'content.shared'", timesOrMore: 5 },
        ],
      },
      select: {
        contentId: 'watch[0].contentId',
        shareCount: 'size(share)',
        sharers: 'size(share.map(e, e.userId))',
        minutes: '(share[size(share) - 1].timestamp - watch[0].timestamp) / 60000.0',
      },
    },
    taste_change: {
      description: 'tasteChangePattern: comedy watched times(5), followedBy thriller watched timesOrMore(3), within 7 days',
      keyBy: 'userId',
      pattern: {
        within: '7d',
        stages: [
          { name: 'oldPreference', where: `${WATCHED} && genre == 'comedy'`, times: 5 },
          { name: 'newPreference', contiguity: 'followedBy', where: `${WATCHED} && genre == 'thriller'`, timesOrMore: 3 },
        ],
      },
      select: {
        userId: 'oldPreference[0].userId',
        oldGenre: "'comedy'",
        newGenre: "'thriller'",
        newGenreWatches: 'size(newPreference)',
      },
    },
    ab_test: {
      description: 'ABTestAggregator: per (experimentId, variant), tumbling 15 min, sampleSize >= 100',
      where: 'has(experimentId)',
      keyBy: ['experimentId', 'variant'],
      window: { type: 'tumbling', size: '15m' },
      aggregate: {
        sampleSize: 'count_distinct(userId)',
        conversions: "sum(eventType in ['subscription.purchased', 'content.completed', 'user.upgraded'] ? 1 : 0)",
      },
      select: {
        experimentId: 'key[0]',
        variant: 'key[1]',
        conversionRate: 'conversions / sampleSize',
        // The document's calculateStatisticalConfidence: 0 under 30 users, else
        // min(|p / se| / 1.96 · 100, 99.9) with se = sqrt(p(1 − p)/n). Its se is 0 at p = 0
        // (0/0: taken as 0) and undefined for p ≥ 1 (conversions count events, so p may exceed
        // 1: taken as the cap, 99.9).
        confidence:
          'sampleSize < 30 ? 0.0 : conversions == 0 ? 0.0 : conversions >= sampleSize ? 99.9 : min(abs((conversions / sampleSize) / sqrt((conversions / sampleSize) * (1.0 - conversions / sampleSize) / sampleSize)) / 1.96 * 100.0, 99.9)',
      },
      having: 'sampleSize >= 100',
    },
  },
});
