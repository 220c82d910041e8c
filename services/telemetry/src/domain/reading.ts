import {
  MAX_READING_MAGNITUDE,
  type DataOf,
  type TelemetryReadingsReceived,
} from '@eventline/events';

export type Reading = DataOf<typeof TelemetryReadingsReceived>['readings'][number];

export interface ReadingLimits {
  /** most readings one request or record may carry */
  maxReadings: number;
  /** how far ahead of `now` a reading's time may be */
  clockSkewMs: number;
  /** the oldest time still kept: an older reading would land in a dropped partition */
  oldestKept: Date;
  now: Date;
}

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const METRIC = /^[a-z][a-z0-9_.]{0,63}$/;
const DEVICE_TYPE = /^[a-z][a-z0-9_-]{0,31}$/;
const FIELDS = new Set(['deviceId', 'metric', 'value', 'at', 'deviceType']);
/** RFC 3339 with a zone, as the catalog's `date-time` format requires */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** One reading checked field by field; the error names the field at `where`. */
function parseReading(raw: unknown, where: string, limits: ReadingLimits): Reading | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return `${where} must be an object like {"deviceId":"d-1","metric":"temperature","value":21.5,"at":"2026-01-01T00:00:00Z"}`;
  const fields = raw as Record<string, unknown>;
  const unexpected = Object.keys(fields).filter((f) => !FIELDS.has(f));
  if (unexpected.length > 0) return `${where}.${unexpected[0]} is not a reading field`;
  const { deviceId, metric, value, at, deviceType } = fields;
  if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId))
    return `${where}.deviceId must be 1-64 letters, digits, ".", "_", ":" or "-"`;
  if (typeof metric !== 'string' || !METRIC.test(metric))
    return `${where}.metric must be 1-64 lower-case letters, digits, "_" or ".", starting with a letter`;
  if (typeof value !== 'number' || !Number.isFinite(value))
    return `${where}.value must be a finite number`;
  if (Math.abs(value) > MAX_READING_MAGNITUDE)
    return `${where}.value must be within ±${MAX_READING_MAGNITUDE}`;
  if (typeof at !== 'string' || !RFC3339.test(at) || Number.isNaN(Date.parse(at)))
    return `${where}.at must be an RFC 3339 date-time with a zone, e.g. 2026-01-01T00:00:00Z`;
  const time = new Date(at);
  if (time.getTime() > limits.now.getTime() + limits.clockSkewMs)
    return `${where}.at is in the future beyond the allowed clock skew of ${limits.clockSkewMs / 1000} s`;
  if (time.getTime() < limits.oldestKept.getTime())
    return `${where}.at is older than the retention (before ${limits.oldestKept.toISOString()})`;
  if (deviceType !== undefined && (typeof deviceType !== 'string' || !DEVICE_TYPE.test(deviceType)))
    return `${where}.deviceType must be 1-32 lower-case letters, digits, "_" or "-", starting with a letter`;
  // One spelling of each instant, so readings of one moment dedupe and times order as strings.
  return {
    deviceId,
    metric,
    value,
    at: time.toISOString(),
    ...(deviceType !== undefined ? { deviceType } : {}),
  };
}

/**
 * A batch of readings, `{"readings": [...]}`: every reading valid or the whole batch refused,
 * naming the first bad field by its index (`readings[3].value ...`).
 */
export function parseReadings(body: unknown, limits: ReadingLimits): Reading[] | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'body must be a JSON object like {"readings": [...]}' };
  const { readings, ...rest } = body as Record<string, unknown>;
  const unexpected = Object.keys(rest);
  if (unexpected.length > 0) return { error: `unexpected field "${unexpected[0]}"` };
  if (!Array.isArray(readings) || readings.length === 0)
    return { error: 'readings must be a non-empty array' };
  if (readings.length > limits.maxReadings)
    return {
      error: `readings must hold at most ${limits.maxReadings} readings, not ${readings.length}`,
    };
  const parsed: Reading[] = [];
  for (let i = 0; i < readings.length; i++) {
    const reading = parseReading(readings[i], `readings[${i}]`, limits);
    if (typeof reading === 'string') return { error: reading };
    parsed.push(reading);
  }
  return parsed;
}

/**
 * A record of the raw topic: one reading, or a batch as the HTTP edge takes it. Anything else is
 * refused with the reason (and so dead-lettered by the broker, never blocking the topic).
 */
export function parseRawRecord(
  data: unknown,
  limits: ReadingLimits,
): Reading[] | { error: string } {
  if (typeof data === 'string')
    return { error: 'record is not JSON: one reading or {"readings": [...]} per record' };
  if (typeof data === 'object' && data !== null && !Array.isArray(data) && 'readings' in data)
    return parseReadings(data, limits);
  const reading = parseReading(data, 'record', limits);
  return typeof reading === 'string' ? { error: reading } : [reading];
}

/**
 * How many groups devices are hashed into. Every batch holds the readings of one group and is
 * keyed by it, so the batches of a device reach its detector in the order they were sent (the
 * broker keeps a key's order on an ordered trigger); a device's spike can no longer overtake the
 * readings that warm its detector.
 */
export const DEVICE_GROUPS = 64;

/** A device's group: FNV-1a of its id. */
export function deviceGroupOf(deviceId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i += 1) {
    hash ^= deviceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % DEVICE_GROUPS;
}

/** Readings cut into CloudEvent-sized batches of one device group each, in their order. */
export function batchesOf(
  readings: Reading[],
  size: number,
): Array<{ group: number; readings: Reading[] }> {
  const byGroup = new Map<number, Reading[]>();
  for (const reading of readings) {
    const group = deviceGroupOf(reading.deviceId);
    const members = byGroup.get(group);
    if (members) members.push(reading);
    else byGroup.set(group, [reading]);
  }
  const batches: Array<{ group: number; readings: Reading[] }> = [];
  for (const [group, members] of byGroup)
    for (let i = 0; i < members.length; i += size)
      batches.push({ group, readings: members.slice(i, i + size) });
  return batches;
}
