import type { BackoffPolicy } from '@eventline/routing';

/**
 * A delivery timeout when routing names none: the Knative Kafka broker dispatcher's
 * (WebClientCloudEventSender.DEFAULT_TIMEOUT_MS, used when the egress timeout is not above 0).
 */
export const DEFAULT_TIMEOUT_MS = 600_000;

const NUMBER = '((?=[\\d.,])\\d*(?:[.,]\\d*)?)';
/** The ISO-8601 shape Knative's parser takes (github.com/rickb777/date v1.13.0, period.Parse). */
const PERIOD = new RegExp(
  `^\\+?P(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`,
);

/** A component in tenths, as Knative's parser keeps it: one decimal place, the rest cut off. */
function tenths(component: string | undefined): number {
  if (component === undefined) return 0;
  const [whole = '', fraction = ''] = component.split(/[.,]/);
  return Number(`${whole || '0'}${fraction.slice(0, 1) || '0'}`);
}

/**
 * Milliseconds in an ISO-8601 duration, read as Knative's webhook and dispatchers read them: years,
 * months, weeks, days, hours, minutes and seconds, each with one decimal place (PT0.5S is half a
 * second, PT0.05S is zero), a comma as decimal mark, a month 30.436875 days and a year 365.2425,
 * "P0" for zero. Refused as Knative refuses them: no P, a component out of order or without a
 * number, none at all. A negative duration, which its parser reads, is refused too: no delivery
 * setting means anything by it. `field` names the setting in the message.
 */
export function durationMs(iso: string, field: string): number {
  const match = iso === 'P0' ? [] : PERIOD.exec(iso);
  if (!match || (iso !== 'P0' && match.slice(1).every((part) => part === undefined)))
    throw new Error(
      `${field}: "${iso}" is not an ISO-8601 duration as Knative reads them (e.g. PT0.5S, PT10S, PT1M, P1D)`,
    );
  const [years, months, weeks, days, hours, minutes, seconds] = match.slice(1).map(tenths);
  const dayTenths =
    (years ?? 0) * 365.2425 + (months ?? 0) * 30.436875 + (weeks ?? 0) * 7 + (days ?? 0);
  const secondTenths = (hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0);
  return Math.round(dayTenths * 8_640_000 + secondTenths * 100);
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
