/**
 * Reading and writing the quantities `sw design` talks in: byte sizes (`1KB`, `512B`, `1.5GiB`),
 * counts, shares. Durations use the spec's own spelling (src/engine/duration.ts).
 */

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

/**
 * A measured span for reading, not for a config file: 850 → "850ms", 1644 → "1.644s",
 * 148038 → "2m 28.038s", 7200000 → "2h". Exact config durations use engine/duration.ts.
 */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${formatNumber(ms, 3)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  if (seconds > 0) parts.push(`${formatNumber(seconds, 3)}s`);
  return parts.join(' ');
}

export function formatPercent(share: number): string {
  return `${formatNumber(share * 100, share * 100 < 1 ? 3 : 2)}%`;
}
