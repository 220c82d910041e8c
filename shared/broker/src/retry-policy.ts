import type { BackoffPolicy } from '@eventline/routing';

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in an ISO-8601 duration of days, hours, minutes and seconds (as Knative accepts). */
export function durationMs(iso: string): number {
  const match = ISO_DURATION.exec(iso);
  if (!match || iso === 'P' || iso.endsWith('T'))
    throw new Error(`invalid ISO-8601 duration "${iso}"`);
  const [, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  return Math.round(
    (((days ?? 0) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60_000 + (seconds ?? 0) * 1000,
  );
}

/** Knative's backoff: linear waits delay × n, exponential waits delay × 2^n before retry n (1-based). */
export function backoffMs(policy: BackoffPolicy, delayMs: number, retry: number): number {
  return policy === 'linear' ? delayMs * retry : delayMs * 2 ** retry;
}

/**
 * Knative retries 404, 408, 409, 429 and 5xx, and failures with no response at all; every other
 * 4xx is final and goes straight to the dead-letter sink.
 */
export function isRetryable(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status === 404 || status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The longest wait a subscriber's Retry-After may ask for; beyond it the broker waits this. */
export const RETRY_AFTER_CAP_MS = 60_000;

/**
 * The wait a 429 or 503 answer asks for with Retry-After (seconds, or an HTTP date), capped at
 * RETRY_AFTER_CAP_MS; undefined for any other answer or a header that says neither.
 */
export function retryAfterMs(
  status: number | undefined,
  retryAfter: string | undefined,
  now = Date.now(),
): number | undefined {
  if ((status !== 429 && status !== 503) || retryAfter === undefined) return undefined;
  const value = retryAfter.trim();
  const wait = /^\d+$/.test(value)
    ? Number(value) * 1000
    : / GMT$/.test(value)
      ? Date.parse(value) - now
      : Number.NaN;
  if (!Number.isFinite(wait)) return undefined;
  return Math.min(Math.max(wait, 0), RETRY_AFTER_CAP_MS);
}
