import type { Transaction } from '@eventline/store';
import type { Reading } from './domain/reading';
import { detectorKey, type DetectorState, type Detectors } from './domain/detector';

const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Locks the detectors of the readings' devices and metrics, creating a row at count 0 for a new
 * one first so that two batches racing on a new detector queue on its row instead of both
 * starting it. Rows are locked in key order, so batches sharing detectors never deadlock.
 */
export async function lockDetectors(tx: Transaction, readings: Reading[]): Promise<Detectors> {
  const keys = [...new Map(readings.map((r) => [detectorKey(r.deviceId, r.metric), r])).values()];
  const devices = keys.map((r) => r.deviceId);
  const metrics = keys.map((r) => r.metric);
  await tx.query(
    `INSERT INTO telemetry.detectors
       (device_id, metric, device_type, count, mean, variance, last_value, last_at)
     SELECT d, m, 'default', 0, 0, 0, 0, '-infinity' FROM unnest($1::text[], $2::text[]) AS k(d, m)
     ORDER BY d, m
     ON CONFLICT DO NOTHING`,
    [devices, metrics],
  );
  const { rows } = await tx.query<{
    device_id: string;
    metric: string;
    device_type: string;
    count: string;
    mean: number;
    variance: number;
    last_value: number;
    last_at: string;
  }>(
    `SELECT device_id, metric, device_type, count, mean, variance, last_value, ${ISO('last_at')} AS last_at
     FROM telemetry.detectors
     WHERE (device_id, metric) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY device_id, metric FOR UPDATE`,
    [devices, metrics],
  );
  const detectors: Detectors = {};
  for (const row of rows) {
    // A row at count 0 is one just created: the detector has seen nothing yet.
    if (Number(row.count) === 0) continue;
    detectors[detectorKey(row.device_id, row.metric)] = {
      deviceType: row.device_type,
      count: Number(row.count),
      mean: row.mean,
      variance: row.variance,
      lastValue: row.last_value,
      lastAt: row.last_at,
    };
  }
  return detectors;
}

/** Writes detectors' new states (their rows are locked by lockDetectors). */
export async function saveDetectors(
  tx: Transaction,
  updates: Array<{ deviceId: string; metric: string; state: DetectorState }>,
): Promise<void> {
  if (updates.length === 0) return;
  await tx.query(
    `UPDATE telemetry.detectors d SET device_type = u.t, count = u.c, mean = u.m, variance = u.v,
       last_value = u.lv, last_at = u.la
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::float8[],
                 $7::float8[], $8::timestamptz[]) AS u(dev, met, t, c, m, v, lv, la)
     WHERE d.device_id = u.dev AND d.metric = u.met`,
    [
      updates.map((u) => u.deviceId),
      updates.map((u) => u.metric),
      updates.map((u) => u.state.deviceType),
      updates.map((u) => u.state.count),
      updates.map((u) => u.state.mean),
      updates.map((u) => u.state.variance),
      updates.map((u) => u.state.lastValue),
      updates.map((u) => u.state.lastAt),
    ],
  );
}

/** Records when each device was last heard from (never moving it back) and its type. */
export async function recordDevicesSeen(
  tx: Transaction,
  seen: Array<{ deviceId: string; deviceType: string; lastSeenAt: string }>,
): Promise<void> {
  if (seen.length === 0) return;
  await tx.query(
    `INSERT INTO telemetry.devices (device_id, device_type, last_seen_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ORDER BY 1
     ON CONFLICT (device_id) DO UPDATE SET device_type = EXCLUDED.device_type,
       last_seen_at = greatest(devices.last_seen_at, EXCLUDED.last_seen_at)`,
    [seen.map((s) => s.deviceId), seen.map((s) => s.deviceType), seen.map((s) => s.lastSeenAt)],
  );
}
