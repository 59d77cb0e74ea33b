/**
 * Reading and writing the quantities `sw design` talks in: durations (pipeline-spec.md's
 * `500ms/5s/15m/2h/7d`, a bare number is milliseconds), byte sizes (`1KB`, `512B`, `1.5GiB`) and
 * rates. Parsers return undefined on bad text; callers turn that into a one-line usage error.
 */

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * DURATION_UNITS_MS[match[2] ?? 'ms']!;
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] || 'b').toLowerCase();
  const scale = BYTE_UNITS[unit];
  if (scale === undefined) return undefined;
  return Number(match[1]) * scale;
}

/** Up to `digits` decimals, trailing zeros dropped, thousands grouped: 12345.5 → "12,345.5". */
export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Decimal units, as Kafka sizing guides quote throughput and disks (1 MB = 10^6 bytes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${formatNumber(value, unit === 0 ? 0 : 2)} ${units[unit]}`;
}

/** Binary units when the value is a whole number of them (the document's 1Ti volume, 1 GiB retention.bytes), else decimal. */
export function formatBytesExact(bytes: number): string {
  for (const [unit, size] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return formatBytes(bytes);
}

/** The largest unit that divides evenly, else milliseconds or seconds with decimals: 60000 → "1m", 1500 → "1.5s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0ms';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms >= 1000 ? `${formatNumber(ms / 1000, 3)}s` : `${formatNumber(ms, 3)}ms`;
}

export function formatPercent(share: number): string {
  return `${formatNumber(share * 100, share * 100 < 1 ? 3 : 2)}%`;
}
