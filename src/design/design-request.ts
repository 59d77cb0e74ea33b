/**
 * What the user asks `sw design` for, from three layers: built-in defaults < a config file
 * (`--config design.yaml`) < flags. Every value is validated here; a bad one is a one-line
 * UsageError (exit 2) naming where it came from and the fix.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { InputError, UsageError } from '../errors.js';
import { assumptionProblem, defaultAssumptions, isAssumptionName, type Assumptions } from './assumptions.js';
import { parseDuration } from '../engine/duration.js';
import { parseBytes } from './quantities.js';
import { LATENCIES, VELOCITIES, type Latency, type Velocity } from './tiers.js';

/** Flags as commander hands them over (strings, booleans, repeated --assume). */
export interface DesignFlags {
  readonly velocity?: string;
  readonly eventsPerSec?: string;
  readonly eventBytes?: string;
  readonly peakFactor?: string;
  readonly retention?: string;
  readonly latency?: string;
  readonly exactlyOnce?: boolean;
  readonly multiRegion?: boolean;
  readonly compliance?: string;
  readonly replication?: string;
  readonly consumers?: string;
  readonly from?: string;
  readonly key?: string;
  readonly timeField?: string;
  readonly pipeline?: string;
  readonly config?: string;
  readonly assume?: readonly string[];
}

/** Where a value came from; 'velocity tier' = the tier's sizing rate, 'mean rate' = the tier the rate falls in. */
export type Source = 'default' | 'config' | 'flag' | 'recording' | 'velocity tier' | 'mean rate';

export interface DesignRequest {
  readonly velocity?: Velocity;
  readonly eventsPerSec?: number;
  readonly eventBytes?: number;
  readonly peakFactor?: number;
  readonly retentionMs: number;
  readonly latency: Latency;
  readonly exactlyOnce: boolean;
  readonly multiRegion: boolean;
  readonly compliance: readonly string[];
  readonly replication: number;
  readonly consumers?: number;
  readonly from?: string;
  readonly key?: string;
  readonly timeField: string;
  readonly pipeline?: string;
  readonly assumptions: Assumptions;
  /** Where each input came from, for the inputs table. */
  readonly sources: Readonly<Record<string, Source>>;
}

export const DEFAULTS = {
  eventBytes: 1024,
  peakFactor: 2,
  retentionMs: 7 * 86_400_000,
  latency: '1s' as Latency,
  replication: 3,
  timeField: 'timestamp',
} as const;

/** Keys a config file may hold: the flags in camelCase, plus `assumptions:`. */
const CONFIG_KEYS = new Set([
  'velocity',
  'eventsPerSec',
  'eventBytes',
  'peakFactor',
  'retention',
  'latency',
  'exactlyOnce',
  'multiRegion',
  'compliance',
  'replication',
  'consumers',
  'from',
  'key',
  'timeField',
  'pipeline',
  'assumptions',
]);

/** One layer of raw values (flag strings or config scalars) before validation. */
type Layer = Record<string, unknown>;

export async function loadConfigLayer(path: string): Promise<Layer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the design config (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the --config path`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    const first = String((error as Error).message).split('\n')[0];
    throw new UsageError(`${path}: not valid YAML (${first}); fix the file`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${path}: the design config must be a mapping of settings (velocity: medium, retention: 7d, ...)`);
  for (const key of Object.keys(parsed)) {
    if (!CONFIG_KEYS.has(key)) throw new UsageError(`${path}: unknown setting '${key}'; use one of ${[...CONFIG_KEYS].join(', ')}`);
  }
  return parsed as Layer;
}

/** Flags as a layer with the same key names as the config file; absent flags stay absent. */
export function flagLayer(flags: DesignFlags): Layer {
  const layer: Layer = {};
  const copy: Array<[keyof DesignFlags, string]> = [
    ['velocity', 'velocity'],
    ['eventsPerSec', 'eventsPerSec'],
    ['eventBytes', 'eventBytes'],
    ['peakFactor', 'peakFactor'],
    ['retention', 'retention'],
    ['latency', 'latency'],
    ['compliance', 'compliance'],
    ['replication', 'replication'],
    ['consumers', 'consumers'],
    ['from', 'from'],
    ['key', 'key'],
    ['timeField', 'timeField'],
    ['pipeline', 'pipeline'],
  ];
  for (const [flag, key] of copy) if (flags[flag] !== undefined) layer[key] = flags[flag];
  // Boolean flags only switch on; a config file can say false.
  if (flags.exactlyOnce) layer.exactlyOnce = true;
  if (flags.multiRegion) layer.multiRegion = true;
  if (flags.assume && flags.assume.length > 0) {
    const assumptions: Record<string, string> = {};
    for (const pair of flags.assume) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new UsageError(`--assume ${pair}: expected name=value, e.g. --assume producerMBpsPerPartition=20`);
      assumptions[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    layer.assumptions = assumptions;
  }
  return layer;
}

const FLAG_NAMES: Readonly<Record<string, string>> = {
  velocity: '--velocity',
  eventsPerSec: '--events-per-sec',
  eventBytes: '--event-bytes',
  peakFactor: '--peak-factor',
  retention: '--retention',
  latency: '--latency',
  exactlyOnce: '--exactly-once',
  multiRegion: '--multi-region',
  compliance: '--compliance',
  replication: '--replication',
  consumers: '--consumers',
  from: '--from',
  key: '--key',
  timeField: '--time-field',
  pipeline: '--pipeline',
  assumptions: '--assume',
};

/** Names the place a value came from: "--retention" or "design.yaml: retention". */
function placeOf(key: string, configPath: string | undefined, fromConfig: boolean): string {
  return fromConfig ? `${configPath}: ${key}` : FLAG_NAMES[key] ?? key;
}

function positiveNumber(value: unknown, place: string, options: { integer?: boolean; min?: number } = {}): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.replace(/_/g, '')) : NaN;
  const min = options.min ?? 0;
  if (!Number.isFinite(number) || number <= 0 || number < min || (options.integer && !Number.isInteger(number))) {
    const kind = options.integer ? 'a whole number' : 'a number';
    throw new UsageError(`${place} ${String(value)}: expected ${kind}${min > 0 ? ` >= ${min}` : ' > 0'}`);
  }
  return number;
}

function booleanValue(value: unknown, place: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new UsageError(`${place} ${String(value)}: expected true or false`);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], place: string): T {
  const text = String(value).trim().toLowerCase().replace(/^<\s*/, '');
  const found = allowed.find((option) => option === text);
  if (!found) throw new UsageError(`${place} ${String(value)}: expected one of ${allowed.join(', ')}`);
  return found;
}

function complianceList(value: unknown, place: string): string[] {
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  const list = items.map((item) => item.trim()).filter((item) => item.length > 0);
  if (list.length === 0) throw new UsageError(`${place}: name at least one regime, e.g. --compliance GDPR,SOX`);
  for (const item of list) {
    if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(item)) throw new UsageError(`${place} ${item}: a regime is a name like GDPR, SOX, PCI-DSS`);
  }
  return list;
}

function text(value: unknown, place: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${place}: expected a non-empty text`);
  return value;
}

/** Merges defaults, the config layer and the flag layer into a validated request. */
export function resolveRequest(config: Layer, flags: Layer, configPath?: string): DesignRequest {
  const sources: Record<string, Source> = {};
  const pick = (key: string): { value: unknown; place: string } | undefined => {
    if (flags[key] !== undefined) {
      sources[key] = 'flag';
      return { value: flags[key], place: placeOf(key, configPath, false) };
    }
    if (config[key] !== undefined) {
      sources[key] = 'config';
      return { value: config[key], place: placeOf(key, configPath, true) };
    }
    return undefined;
  };

  // A rate comes from one layer: flags replace the config's velocity or eventsPerSec as a pair.
  const rateLayer = flags.velocity !== undefined || flags.eventsPerSec !== undefined ? flags : config;
  const rateFromConfig = rateLayer === config;
  if (rateLayer.velocity !== undefined && rateLayer.eventsPerSec !== undefined) {
    throw new UsageError(
      rateFromConfig
        ? `${configPath}: give velocity or eventsPerSec, not both`
        : '--velocity and --events-per-sec both given; give one (the tier, or the mean rate that picks it)',
    );
  }
  let velocity: Velocity | undefined;
  let eventsPerSec: number | undefined;
  if (rateLayer.velocity !== undefined) {
    velocity = oneOf(rateLayer.velocity, VELOCITIES, placeOf('velocity', configPath, rateFromConfig));
    sources.velocity = rateFromConfig ? 'config' : 'flag';
  }
  if (rateLayer.eventsPerSec !== undefined) {
    eventsPerSec = positiveNumber(rateLayer.eventsPerSec, placeOf('eventsPerSec', configPath, rateFromConfig));
    sources.eventsPerSec = rateFromConfig ? 'config' : 'flag';
  }

  const optionalNumber = (key: string, parse: (value: unknown, place: string) => number): number | undefined => {
    const found = pick(key);
    return found ? parse(found.value, found.place) : undefined;
  };
  const eventBytes = optionalNumber('eventBytes', (value, place) => {
    const bytes = typeof value === 'number' ? value : parseBytes(String(value));
    if (bytes === undefined || !(bytes > 0)) throw new UsageError(`${place} ${String(value)}: expected a size in bytes, e.g. 1024, 512B or 2KB`);
    return bytes;
  });
  const peakFactor = optionalNumber('peakFactor', (value, place) => positiveNumber(value, place, { min: 1 }));
  const retentionMs =
    optionalNumber('retention', (value, place) => {
      const ms = parseDuration(value);
      if (ms === null || !(ms > 0)) throw new UsageError(`${place} ${String(value)}: expected a duration such as 7d, 24h or 30m`);
      return ms;
    }) ?? DEFAULTS.retentionMs;
  const latencyFound = pick('latency');
  const latency = latencyFound ? oneOf(latencyFound.value, LATENCIES, latencyFound.place) : DEFAULTS.latency;
  const exactlyOnceFound = pick('exactlyOnce');
  const multiRegionFound = pick('multiRegion');
  const complianceFound = pick('compliance');
  const replication = optionalNumber('replication', (value, place) => positiveNumber(value, place, { integer: true })) ?? DEFAULTS.replication;
  const consumers = optionalNumber('consumers', (value, place) => positiveNumber(value, place, { integer: true }));
  const texts: Record<string, string | undefined> = {};
  for (const key of ['from', 'key', 'timeField', 'pipeline']) {
    const found = pick(key);
    texts[key] = found ? text(found.value, found.place) : undefined;
  }

  const assumptions: Record<string, number> = { ...defaultAssumptions() };
  for (const [layer, fromConfig] of [[config, true], [flags, false]] as const) {
    const given = layer.assumptions;
    if (given === undefined) continue;
    const where = fromConfig ? `${configPath}: assumptions` : '--assume';
    if (given === null || typeof given !== 'object' || Array.isArray(given)) throw new UsageError(`${where}: expected a mapping of name: number`);
    for (const [name, raw] of Object.entries(given)) {
      if (!isAssumptionName(name)) throw new UsageError(`${where}: unknown assumption '${name}'; see docs/design.md for the list`);
      const value = typeof raw === 'number' ? raw : Number(String(raw).replace(/_/g, ''));
      const problem = assumptionProblem(name, value);
      if (problem) throw new UsageError(`${where} ${name}=${String(raw)}: ${problem}`);
      assumptions[name] = value;
      sources[`assumptions.${name}`] = fromConfig ? 'config' : 'flag';
    }
  }

  return {
    velocity,
    eventsPerSec,
    eventBytes,
    peakFactor,
    retentionMs,
    latency,
    exactlyOnce: exactlyOnceFound ? booleanValue(exactlyOnceFound.value, exactlyOnceFound.place) : false,
    multiRegion: multiRegionFound ? booleanValue(multiRegionFound.value, multiRegionFound.place) : false,
    compliance: complianceFound ? complianceList(complianceFound.value, complianceFound.place) : [],
    replication,
    consumers,
    from: texts.from,
    key: texts.key,
    timeField: texts.timeField ?? DEFAULTS.timeField,
    pipeline: texts.pipeline,
    assumptions: assumptions as unknown as Assumptions,
    sources,
  };
}
