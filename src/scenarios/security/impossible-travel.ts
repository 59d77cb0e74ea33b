/**
 * Impossible travel (source 002, GeographicalAnomalyDetector, a KeyedProcessFunction keyed by
 * user): for each login, the great-circle distance to the user's previous login divided by the
 * time between them; faster than 1000 km/h is an alert ("Impossible travel: %.2f km in %.2f hours
 * (%.2f km/h)", score 0.95). The document's extractLocation is not shown: the location is the
 * login's `location {latitude, longitude}`. Two logins at the same instant in different places
 * are infinitely fast (the document would divide by zero); they are reported with speed null.
 * The previous login is the one processed before (arrival order, as the document's ValueState);
 * a login older than the stored one does not replace it.
 */
import type { ProcessContext, ProcessFunction } from '../../engine/process.js';
import { haversineKm } from '../financial/risk-factors.js';

export const MAX_SPEED_KMH = 1000;

interface LastLogin {
  readonly time: number;
  readonly latitude: number;
  readonly longitude: number;
}

export class ImpossibleTravel implements ProcessFunction {
  readonly fields: readonly string[] = ['user_id', 'event_type', 'location'];

  processElement(fields: Record<string, unknown>, ctx: ProcessContext): void {
    if (fields.event_type !== 'login') return;
    const location = fields.location as { latitude?: unknown; longitude?: unknown } | null | undefined;
    const latitude = location?.latitude;
    const longitude = location?.longitude;
    if (typeof latitude !== 'number' || typeof longitude !== 'number') {
      throw new TypeError('a login without location.latitude / location.longitude numbers');
    }
    const state = ctx.state.value<LastLogin>('last_login');
    const last = state.value();
    const now = ctx.timestamp;
    if (last && now >= last.time) {
      const distanceKm = haversineKm(last, { latitude, longitude });
      const hours = (now - last.time) / 3_600_000;
      const speed = hours > 0 ? distanceKm / hours : distanceKm > 0 ? Infinity : 0;
      if (speed > MAX_SPEED_KMH) {
        ctx.emit({
          user_id: fields.user_id,
          alert_type: 'GEOGRAPHICAL_IMPOSSIBILITY',
          previous_login: last.time,
          distance_km: round2(distanceKm),
          hours: round2(hours),
          speed_kmh: Number.isFinite(speed) ? round2(speed) : null,
          description: `Impossible travel: ${distanceKm.toFixed(2)} km in ${hours.toFixed(2)} hours (${Number.isFinite(speed) ? speed.toFixed(2) : '∞'} km/h)`,
          risk_score: 0.95,
        });
      }
    }
    if (!last || now >= last.time) state.update({ time: now, latitude, longitude });
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
