import type { Pool, Transaction } from '@eventline/store';
import type { Reading } from './domain/reading';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC day a time falls in, as its partition names it: 20261202. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll('-', '');
}

function dayStart(day: string): Date {
  return new Date(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T00:00:00Z`);
}

const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const PARTITION = /^readings_(\d{8})$/;

/** Day partitions this process found existing: each is looked for once. */
const knownDays = new Set<string>();

/**
 * Creates the day partitions the given days need, in the caller's transaction, under an advisory
 * lock so racing writers and the retention job agree. The retention job creates them ahead, so a
 * writer rarely takes the partitioned table's lock that creating one needs. A day is remembered
 * only once seen committed, so a rolled-back creation is tried again.
 */
export async function ensurePartitions(tx: Transaction, days: Iterable<string>): Promise<number> {
  let created = 0;
  for (const day of days) {
    if (knownDays.has(day)) continue;
    const { rows } = await tx.query<{ exists: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS exists',
      [`telemetry.readings_${day}`],
    );
    if (rows[0]?.exists) {
      knownDays.add(day);
      continue;
    }
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('telemetry.partitions'))");
    // the schema owner's function: the runtime role has no DDL of its own
    await tx.query('SELECT telemetry.create_readings_partition($1)', [day]);
    created++;
  }
  return created;
}

/** The days from `from`'s for `count` days, as partitions name them. */
export function daysFrom(from: Date, count: number): string[] {
  return Array.from({ length: count }, (_, i) => dayOf(new Date(from.getTime() + i * DAY_MS)));
}

/** The day partitions that exist, oldest first. */
export async function listPartitions(db: Pool | Transaction): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent
     JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE n.nspname = 'telemetry' AND p.relname = 'readings' ORDER BY c.relname`,
  );
  return rows.map((r) => r.name);
}

/** Drops the day partitions wholly before `cutoff`, in the caller's transaction; returns their names. */
export async function dropPartitionsBefore(tx: Transaction, cutoff: Date): Promise<string[]> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('telemetry.partitions'))");
  const dropped: string[] = [];
  for (const name of await listPartitions(tx)) {
    const day = PARTITION.exec(name)?.[1];
    if (!day || dayStart(day).getTime() + DAY_MS > cutoff.getTime()) continue;
    await tx.query('SELECT telemetry.drop_readings_partition($1)', [name]);
    knownDays.delete(day);
    dropped.push(name);
  }
  return dropped;
}

/**
 * Inserts readings once: one already stored (device, metric, at) is skipped. Returns the readings
 * that were new, which is what the detectors may see.
 */
export async function insertReadings(tx: Transaction, readings: Reading[]): Promise<Reading[]> {
  const { rows } = await tx.query<{ key: string }>(
    `INSERT INTO telemetry.readings (device_id, metric, value, at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::timestamptz[])
     ON CONFLICT DO NOTHING
     RETURNING device_id || '/' || metric || '@' || ${ISO('at')} AS key`,
    [
      readings.map((r) => r.deviceId),
      readings.map((r) => r.metric),
      readings.map((r) => r.value),
      readings.map((r) => r.at),
    ],
  );
  if (rows.length === readings.length) return readings;
  const inserted = new Set(rows.map((r) => r.key));
  return readings.filter((r) => inserted.has(`${r.deviceId}/${r.metric}@${r.at}`));
}

export interface LatestReading {
  metric: string;
  value: number;
  at: string;
}

/** A device's latest reading of each metric, from the series (what Redis holds when it is up). */
export async function latestFromSeries(pool: Pool, deviceId: string): Promise<LatestReading[]> {
  const { rows } = await pool.query<LatestReading>(
    `SELECT DISTINCT ON (metric) metric, value, ${ISO('at')} AS at
     FROM telemetry.readings WHERE device_id = $1 ORDER BY metric, at DESC`,
    [deviceId],
  );
  return rows;
}

export interface SeriesPoint {
  at: string;
  avg: number;
  min: number;
  max: number;
  count: number;
}

/** A metric's readings in [from, to) downsampled to one point per `stepSeconds` bucket. */
export async function seriesPoints(
  pool: Pool,
  query: { deviceId: string; metric: string; from: Date; to: Date; stepSeconds: number },
): Promise<SeriesPoint[]> {
  const { rows } = await pool.query<SeriesPoint>(
    `SELECT ${ISO('bucket')} AS at, avg, min, max, count::int AS count FROM (
       SELECT to_timestamp(floor(extract(epoch FROM at) / $5) * $5) AS bucket,
              avg(value) AS avg, min(value) AS min, max(value) AS max, count(*) AS count
       FROM telemetry.readings
       WHERE device_id = $1 AND metric = $2 AND at >= $3 AND at < $4
       GROUP BY bucket) points ORDER BY bucket`,
    [query.deviceId, query.metric, query.from, query.to, query.stepSeconds],
  );
  return rows;
}
