/**
 * The benchmark's input: a generated user-activity recording (issue 2, "Speed"), about 128 bytes
 * an event, written once per size and cached in .bench/. Deterministic: the same seed gives the
 * same bytes, so figures from different runs and machines are over the same data.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Bump when the generated content changes, so that cached files are regenerated. */
const GENERATOR_VERSION = 2;
const SEED = 20260101;
/** 2026-01-01T00:00:00Z. */
const START_MS = 1767225600000;
const CONTENT_IDS = 2000;
const USERS = 50_000;
/** Zipf exponent for content popularity: the top id gets ~15% of events, the median id ~0.01%. */
const ZIPF_EXPONENT = 1.07;
/** Mean gap between events: 2M events span ~2.8 h, i.e. ~167 one-minute windows. */
const MEAN_GAP_MS = 5;
/** One event in ten arrives late by up to 5 s, so 5 s out-of-orderness loses nothing. */
const LATE_SHARE = 0.1;
const MAX_DISORDER_MS = 5000;
const LINES_PER_WRITE = 10_000;

const EVENT_TYPES: Array<[type: string, weight: number]> = [
  ['content.watched', 40],
  ['content.viewed', 25],
  ['content.paused', 12],
  ['content.completed', 10],
  ['search.performed', 8],
  ['session.started', 5],
];
const DEVICES = ['mobile', 'desktop', 'tv', 'tablet'];

export interface ActivityFile {
  readonly path: string;
  readonly events: number;
  readonly bytes: number;
}

/** The cached file for `events` events, or null when it is not generated yet (or was by another generator). */
export function cachedActivityFile(root: string, label: string, events: number): ActivityFile | null {
  const path = join(root, '.bench', `activity-${label}.jsonl`);
  const metaPath = `${path}.meta.json`;
  if (!existsSync(path) || !existsSync(metaPath)) return null;
  const known = JSON.parse(readFileSync(metaPath, 'utf8')) as { generator: number; seed: number; events: number; bytes: number };
  return known.generator === GENERATOR_VERSION && known.seed === SEED && known.events === events ? { path, events, bytes: known.bytes } : null;
}

/** The cached file for `events` events (generated on first use); `label` names it, e.g. "2m". */
export function ensureActivityFile(root: string, label: string, events: number): ActivityFile {
  const cached = cachedActivityFile(root, label, events);
  if (cached !== null) return cached;
  const dir = join(root, '.bench');
  const path = join(dir, `activity-${label}.jsonl`);
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`generating ${path} (${events.toLocaleString('en')} events)...\n`);
  const bytes = writeActivity(`${path}.partial`, events);
  renameSync(`${path}.partial`, path);
  writeFileSync(`${path}.meta.json`, JSON.stringify({ generator: GENERATOR_VERSION, seed: SEED, events, bytes }) + '\n');
  return { path, events, bytes };
}

function writeActivity(path: string, events: number): number {
  const next = seededRandom(SEED);
  const pickContent = zipfSampler(CONTENT_IDS, ZIPF_EXPONENT);
  const typeTotal = EVENT_TYPES.reduce((sum, [, weight]) => sum + weight, 0);
  const fd = openSync(path, 'w');
  let clock = START_MS;
  let bytes = 0;
  try {
    let lines: string[] = [];
    for (let i = 0; i < events; i++) {
      clock += Math.floor(next() * 2 * MEAN_GAP_MS);
      const timestamp = next() < LATE_SHARE ? clock - Math.floor(next() * (MAX_DISORDER_MS + 1)) : clock;
      const user = Math.floor(next() * USERS);
      let roll = next() * typeTotal;
      let type = 0;
      while (roll >= EVENT_TYPES[type]![1]) roll -= EVENT_TYPES[type++]![1];
      // One session per user per half hour: stable ids that repeat, like real session keys.
      const session = (Math.imul(user + 1, 0x9e3779b1) ^ Math.floor(clock / 1_800_000)) >>> 0;
      lines.push(
        JSON.stringify({
          userId: `u${user}`,
          eventType: EVENT_TYPES[type]![0],
          contentId: `c${pickContent(next())}`,
          timestamp,
          sessionId: `s${(session & 0xffffff).toString(16).padStart(6, '0')}`,
          device: DEVICES[user % DEVICES.length],
        }),
      );
      if (lines.length === LINES_PER_WRITE || i === events - 1) {
        const chunk = Buffer.from(lines.join('\n') + '\n');
        writeSync(fd, chunk);
        bytes += chunk.length;
        lines = [];
      }
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** mulberry32: small, fast and good enough for synthetic data (the same sequence for a seed on every run). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Maps a uniform [0, 1) draw to a rank in [0, n) with P(rank k) ∝ 1 / (k + 1)^s. */
function zipfSampler(n: number, exponent: number): (uniform: number) => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += 1 / Math.pow(k + 1, exponent);
  return (uniform) => {
    const target = uniform * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! <= target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}
