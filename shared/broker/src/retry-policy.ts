import { parseIsoPeriod, type BackoffPolicy } from '@eventline/routing';

/**
 * A delivery timeout when routing names none: the Knative Kafka broker dispatcher's
 * (WebClientCloudEventSender.DEFAULT_TIMEOUT_MS, used when the egress timeout is not above 0).
 */
export const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * Milliseconds in an ISO-8601 duration, read as Knative's webhook and dispatchers read them (see
 * parseIsoPeriod: one decimal place per component, so PT0.5S is half a second and PT0.05S zero).
 * A negative duration and a number its parser reads leniently ("PT1.2.3S") are refused too: no
 * delivery setting means anything by them. `field` names the setting in the message.
 */
export function durationMs(iso: string, field: string): number {
  const period = parseIsoPeriod(iso);
  if (!period.ok || period.negative || !period.plain)
    throw new Error(
      `${field}: "${iso}" is not an ISO-8601 duration as Knative reads them (e.g. PT0.5S, PT10S, PT1M, P1D)`,
    );
  return period.milliseconds;
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
