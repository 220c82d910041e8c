import type { BackoffPolicy } from '@eventline/routing';
import type { Logger } from '@eventline/telemetry';
import {
  postMessage,
  replyOf,
  withExtensions,
  type EventMessage,
  type HttpResponse,
} from '@eventline/cloudevents-http';
import { backoffMs, isRetryable, retryAfterMs } from './retry-policy';

/** Where and how a trigger delivers: a resolved Knative DeliverySpec plus the subscriber. */
export interface DeliveryTarget {
  trigger: string;
  subscriber: string;
  retry: number;
  backoffPolicy: BackoffPolicy;
  backoffDelayMs: number;
  timeoutMs?: number;
  deadLetterSink?: string;
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number; attempts: number; reply?: EventMessage }
  | { kind: 'dead-lettered'; status?: number; attempts: number; reason: string }
  | { kind: 'dropped'; status?: number; attempts: number; reason: string };

/** Knative caps the response body it copies into `knativeerrordata`. */
const ERROR_DATA_LIMIT = 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Attempt {
  response?: HttpResponse;
  error?: Error;
}

async function attempt(url: string, message: EventMessage, timeoutMs?: number): Promise<Attempt> {
  try {
    return {
      response: await postMessage(url, message, { timeoutMs, headers: { prefer: 'reply' } }),
    };
  } catch (error) {
    return { error: error as Error };
  }
}

/** Sends with retries per the policy; returns the last attempt and how many were made. */
async function sendWithRetries(
  url: string,
  message: EventMessage,
  target: DeliveryTarget,
): Promise<{ last: Attempt; attempts: number }> {
  let attempts = 0;
  for (;;) {
    const last = await attempt(url, message, target.timeoutMs);
    attempts += 1;
    const status = last.response?.status;
    const succeeded = status !== undefined && status >= 200 && status <= 299;
    if (succeeded || !isRetryable(status) || attempts > target.retry) return { last, attempts };
    // A subscriber that says when to come back (429, 503 with Retry-After) is waited for at least
    // that long, as Knative's dispatchers do, up to RETRY_AFTER_CAP_MS.
    const asked = retryAfterMs(status, last.response?.headers['retry-after']);
    const backoff = backoffMs(target.backoffPolicy, target.backoffDelayMs, attempts);
    await sleep(Math.max(backoff, asked ?? 0));
  }
}

function describe(last: Attempt): string {
  if (last.error) return last.error.message;
  return `HTTP ${last.response?.status}: ${last.response?.body.toString('utf8').slice(0, 200)}`;
}

/**
 * Delivers one event to a subscriber the way Knative's dispatcher does: binary mode, retries on
 * retryable outcomes with backoff, then the dead-letter sink with knativeerror* extensions.
 */
export async function deliver(
  message: EventMessage,
  target: DeliveryTarget,
  log: Logger,
): Promise<DeliveryOutcome> {
  const { last, attempts } = await sendWithRetries(target.subscriber, message, target);
  const status = last.response?.status;
  if (last.response && status !== undefined && status >= 200 && status <= 299) {
    try {
      return { kind: 'delivered', status, attempts, reply: replyOf(last.response) };
    } catch (err) {
      return deadLetter(message, target, { ...last, error: err as Error }, attempts, log);
    }
  }
  return deadLetter(message, target, last, attempts, log);
}

async function deadLetter(
  message: EventMessage,
  target: DeliveryTarget,
  last: Attempt,
  attempts: number,
  log: Logger,
): Promise<DeliveryOutcome> {
  const status = last.response?.status;
  const reason = describe(last);
  const { id: ceId, type: ceType } = message.attributes;
  if (!target.deadLetterSink) {
    log.error(
      { trigger: target.trigger, ceId, ceType, status, reason },
      'event dropped: no dead-letter sink',
    );
    return { kind: 'dropped', status, attempts, reason };
  }
  const errorData = last.response?.body.subarray(0, ERROR_DATA_LIMIT) ?? Buffer.from(reason);
  const extensions: Record<string, string> = { knativeerrordest: target.subscriber };
  if (status !== undefined) extensions.knativeerrorcode = String(status);
  if (errorData.length > 0) extensions.knativeerrordata = errorData.toString('base64');
  const letter = withExtensions(message, extensions);
  const sent = await sendWithRetries(target.deadLetterSink, letter, target);
  const sinkStatus = sent.last.response?.status;
  if (sinkStatus === undefined || sinkStatus < 200 || sinkStatus > 299) {
    log.error(
      {
        trigger: target.trigger,
        ceId,
        ceType,
        reason,
        sinkFailure: describe(sent.last),
      },
      'event dropped: dead-letter sink failed',
    );
    return { kind: 'dropped', status, attempts, reason };
  }
  log.warn(
    { trigger: target.trigger, ceId, ceType, status, reason, attempts },
    'event dead-lettered',
  );
  return { kind: 'dead-lettered', status, attempts, reason };
}
