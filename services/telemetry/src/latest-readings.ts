import type { Cache } from '@eventline/cache';
import type { Pool } from '@eventline/store';
import { latestFromSeries, type LatestReading } from './series';

/**
 * A device's latest readings live in a Redis hash (metric → time|value) the writers keep at the
 * newest; a device not heard from for this long drops out of Redis and is read from the series.
 */
export const LATEST_TTL_SECONDS = 3600;
const latestKey = (deviceId: string) => `telemetry:latest:${deviceId}`;

export async function putLatest(
  cache: Cache,
  deviceId: string,
  latest: Record<string, { value: number; at: string }>,
): Promise<void> {
  const fields: Record<string, { at: string; value: string }> = {};
  for (const metric in latest) {
    const { value, at } = latest[metric] as { value: number; at: string };
    fields[metric] = { at, value: String(value) };
  }
  await cache.putNewest(latestKey(deviceId), fields, LATEST_TTL_SECONDS);
}

/** A device's latest reading of each metric: Redis, or the series when Redis has none. */
export async function readLatest(
  cache: Cache,
  pool: Pool,
  deviceId: string,
): Promise<{ readings: LatestReading[]; from: 'redis' | 'postgres' }> {
  const cached = await cache.readNewest(latestKey(deviceId));
  if (cached) {
    const readings = Object.entries(cached)
      .map(([metric, { at, value }]) => ({ metric, value: Number(value), at }))
      .sort((a, b) => a.metric.localeCompare(b.metric));
    return { readings, from: 'redis' };
  }
  return { readings: await latestFromSeries(pool, deviceId), from: 'postgres' };
}
