/** A GET /devices/:id/series request, checked. */
export interface SeriesQuery {
  deviceId: string;
  metric: string;
  from: Date;
  to: Date;
  stepSeconds: number;
}

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const METRIC = /^[a-z][a-z0-9_.]{0,63}$/;
/** the most points one answer holds: a wider range needs a larger step */
export const MAX_POINTS = 10_000;

function time(name: string, text: unknown): Date | string {
  if (typeof text !== 'string' || Number.isNaN(Date.parse(text)))
    return `${name} must be an ISO-8601 date-time, e.g. 2026-01-01T00:00:00Z`;
  return new Date(text);
}

/** Parses the query: metric, from, to (default: the last hour) and step in seconds (default 60). */
export function parseSeriesQuery(
  deviceId: string,
  query: Record<string, unknown>,
  now: Date,
): SeriesQuery | { error: string } {
  if (!DEVICE_ID.test(deviceId))
    return { error: 'device id must be 1-64 letters, digits, ".", "_", ":" or "-"' };
  const { metric, from, to, step } = query;
  if (typeof metric !== 'string' || !METRIC.test(metric))
    return {
      error: 'metric must be 1-64 lower-case letters, digits, "_" or ".", starting with a letter',
    };
  const end = to === undefined ? now : time('to', to);
  if (typeof end === 'string') return { error: end };
  const start = from === undefined ? new Date(end.getTime() - 3600_000) : time('from', from);
  if (typeof start === 'string') return { error: start };
  if (start >= end) return { error: 'from must be before to' };
  const stepSeconds = step === undefined ? 60 : Number(step);
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1 || stepSeconds > 31_536_000)
    return { error: 'step must be a whole number of seconds from 1 to 31536000' };
  if ((end.getTime() - start.getTime()) / 1000 / stepSeconds > MAX_POINTS)
    return { error: `from..to at this step is more than ${MAX_POINTS} points: widen step` };
  return { deviceId, metric, from: start, to: end, stepSeconds };
}
