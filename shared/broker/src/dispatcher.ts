import type { BackoffPolicy } from '@eventline/routing';
import type { Logger } from '@eventline/telemetry';
import {
  postMessage,
  replyOf,
  withExtensions,
  writablePart,
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
  timeoutMs: number;
  deadLetterSink?: string;
  /** sent with every attempt, e.g. the sender's `authorization` when the subscriber is an ingress */
  headers?: Record<string, string>;
  /**
   * Why a reply may not enter the broker (its subscriber may not send its type), or undefined:
   * a refused reply fails the delivery with 403, as Knative's broker filter answers when the
   * ingress refuses the reply it forwards, and is not retried.
   */
  replyRefusal?: (reply: EventMessage) => string | undefined;
}

/**
 * `undeliverable`: neither the subscriber nor the dead-letter sink took the event. The log keeps
 * it uncommitted and delivers it again later; only a trigger without a sink drops (`dropped`).
 */
export type DeliveryOutcome =
  | { kind: 'delivered'; status: number; attempts: number; reply?: EventMessage }
  | { kind: 'dead-lettered'; status?: number; attempts: number; reason: string }
  | { kind: 'dropped'; status?: number; attempts: number; reason: string }
  | { kind: 'undeliverable'; status?: number; attempts: number; reason: string };

/**
 * Where a delivery addressed to `url` goes instead, for as long as it lasts (`release` when it
 * ends): a local run's activator answers with the handler process's own address while it runs,
 * as Knative takes the activator out of a Service's data path once the Service has pods.
 * Undefined: to `url` itself. A rejection is a failed attempt, retried like any other.
 */
export type DirectRoute = (url: string) => Promise<{ url: string; release(): void } | undefined>;

/** Knative caps the response body it copies into `knativeerrordata`. */
const ERROR_DATA_LIMIT = 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One try: a failure is an error, with the response when one came (a 2xx with a bad reply). */
interface Attempt {
  response?: HttpResponse;
  error?: Error;
  reply?: EventMessage;
}

const isSuccess = (status: number | undefined) =>
  status !== undefined && status >= 200 && status <= 299;

/**
 * One POST, its failures of every kind (an event that cannot be written, the network, the
 * timeout, a bug) an attempt that failed rather than an exception that ends the dispatch.
 */
async function attempt(
  url: string,
  message: EventMessage,
  target: DeliveryTarget,
  route?: DirectRoute,
  replyRefusal?: DeliveryTarget['replyRefusal'],
): Promise<Attempt> {
  let response: HttpResponse | undefined;
  let direct: Awaited<ReturnType<DirectRoute>>;
  try {
    direct = await route?.(url);
    response = await postMessage(direct?.url ?? url, message, {
      timeoutMs: target.timeoutMs,
      headers: { ...target.headers, prefer: 'reply' },
    });
    if (!isSuccess(response.status)) return { response };
    // Knative's Kafka broker dispatcher (data-plane/dispatcher, BaseResponseHandler.handle): a 2xx
    // whose response does not read as a CloudEvent is a failure when its body is non-empty ("Unable
    // to decode response: unknown encoding and non empty response"), so the offset is not
    // committed; with an empty body it is a success without a reply. A 202 is never a reply.
    const reply = replyOf(response);
    if (!reply && response.status !== 202 && response.body.length > 0)
      return { response, error: new Error('2xx response with a body that is not a CloudEvent') };
    const refused = reply && replyRefusal?.(reply);
    if (refused)
      return {
        response: {
          status: 403,
          headers: {},
          body: Buffer.from(JSON.stringify({ error: refused })),
        },
      };
    return { response, reply };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return response
      ? { response, error: new Error(`invalid reply: ${err.message}`) }
      : { error: err };
  } finally {
    direct?.release();
  }
}

/** Sends with retries per the policy; returns the last attempt and how many were made. */
async function sendWithRetries(
  url: string,
  message: EventMessage,
  target: DeliveryTarget,
  route?: DirectRoute,
  replyRefusal?: DeliveryTarget['replyRefusal'],
): Promise<{ last: Attempt; attempts: number }> {
  let attempts = 0;
  for (;;) {
    const last = await attempt(url, message, target, route, replyRefusal);
    attempts += 1;
    const status = last.response?.status;
    if (!last.error && isSuccess(status)) return { last, attempts };
    // A failure without a final status (no response, an unwritable event, a reply that is not a
    // CloudEvent) is retried, as Knative's sender retries every failure but a final status code.
    const retryable = last.error !== undefined || isRetryable(status);
    if (!retryable || attempts > target.retry) return { last, attempts };
    // A subscriber that says when to come back (429, 503 with Retry-After) is waited for at least
    // that long, as Knative's dispatchers do, up to RETRY_AFTER_CAP_MS.
    const asked = retryAfterMs(status, last.response?.headers['retry-after']);
    const backoff = backoffMs(target.backoffPolicy, target.backoffDelayMs, attempts);
    await sleep(Math.max(backoff, asked ?? 0));
  }
}

function describe(last: Attempt): string {
  const response = last.response
    ? `HTTP ${last.response.status}: ${last.response.body.toString('utf8').slice(0, 200)}`
    : undefined;
  if (last.error) return response ? `${last.error.message} (${response})` : last.error.message;
  return response ?? 'no attempt';
}

/**
 * Delivers one event to a subscriber the way Knative's dispatcher does: binary mode, retries on
 * retryable outcomes with backoff, then the dead-letter sink with knativeerror* extensions.
 */
export async function deliver(
  message: EventMessage,
  target: DeliveryTarget,
  log: Logger,
  route?: DirectRoute,
): Promise<DeliveryOutcome> {
  const { last, attempts } = await sendWithRetries(
    target.subscriber,
    message,
    target,
    route,
    target.replyRefusal,
  );
  const status = last.response?.status;
  if (!last.error && last.response && isSuccess(status))
    return { kind: 'delivered', status: last.response.status, attempts, reply: last.reply };
  return deadLetter(message, target, last, attempts, log, route);
}

async function deadLetter(
  message: EventMessage,
  target: DeliveryTarget,
  last: Attempt,
  attempts: number,
  log: Logger,
  route?: DirectRoute,
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
  // An attribute no header can carry would fail the dead letter too: the letter goes without it,
  // and knativeerrordata names it. A failure with a status alone carries the response body, as
  // Knative's; any other failure its reason.
  const writable = writablePart(message);
  const errorData =
    last.response && !last.error
      ? last.response.body
      : Buffer.from([reason, ...writable.problems.slice(1)].join('; '));
  const extensions: Record<string, string> = { knativeerrordest: target.subscriber };
  if (status !== undefined) extensions.knativeerrorcode = String(status);
  if (errorData.length > 0)
    extensions.knativeerrordata = errorData.subarray(0, ERROR_DATA_LIMIT).toString('base64');
  const letter = withExtensions(writable.message, extensions);
  const sent = await sendWithRetries(target.deadLetterSink, letter, target, route);
  if (sent.last.error || !isSuccess(sent.last.response?.status)) {
    log.error(
      { trigger: target.trigger, ceId, ceType, reason, sinkFailure: describe(sent.last) },
      'dead-letter sink failed; the event stays uncommitted and is delivered again later',
    );
    return { kind: 'undeliverable', status, attempts, reason };
  }
  log.warn(
    { trigger: target.trigger, ceId, ceType, status, reason, attempts },
    'event dead-lettered',
  );
  return { kind: 'dead-lettered', status, attempts, reason };
}
