import type { Request, RequestHandler, Response } from 'express';
import type { Pool } from '@eventline/store';
import {
  instruments,
  SECONDS_BUCKETS,
  type Attributes,
  type BatchObservableResult,
  type Logger,
} from '@eventline/telemetry';

const handlerInstruments = instruments((meter) => ({
  meter,
  duration: meter.createHistogram('eventline.handler.duration', {
    description:
      'Requests a handler answered, by handler, type (the CloudEvent type, or method and route of an edge request) and outcome',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  }),
  outboxDepth: meter.createObservableGauge('eventline.outbox.depth', {
    description: 'Rows in the outbox of a producer: events committed and not yet sent',
    unit: '{event}',
  }),
  outboxAge: meter.createObservableGauge('eventline.outbox.age', {
    description: "Age of a producer's oldest outbox row (0 when none)",
    unit: 's',
  }),
}));

/** An answer's outcome, as the kit's errors map onto statuses (see errors.ts). */
function outcomeOf(status: number, duplicate: boolean): string {
  if (status >= 200 && status <= 299) return duplicate ? 'duplicate' : 'ok';
  if (status === 400 || status === 413 || status === 415) return 'bad-input';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 503) return 'transient';
  if (status >= 500) return 'error';
  return 'refused';
}

/** Set by the CloudEvent endpoint when it answered a redelivery with the stored reply. */
export function markDuplicate(res: Response): void {
  res.locals.duplicate = true;
}

/**
 * Records each request's duration once it is answered. `type` is the CloudEvent type the handler
 * accepts (fixed per handler), or the edge route matched, so the label set stays bounded.
 */
export function recordHandlerDuration(
  handler: string,
  eventType: string | undefined,
): RequestHandler {
  const { duration } = handlerInstruments();
  const attributes = new Map<string, Attributes>();
  const attributesOf = (req: Request, res: Response) => {
    const route = req.route as { path?: string } | undefined;
    const type =
      eventType && req.path === '/' && req.method === 'POST'
        ? eventType
        : `${req.method} ${route?.path ?? 'unmatched'}`;
    const outcome = outcomeOf(res.statusCode, res.locals.duplicate === true);
    const key = `${type}\n${outcome}`;
    let made = attributes.get(key);
    if (!made) attributes.set(key, (made = { handler, type, outcome }));
    return made;
  };
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      duration.record((performance.now() - started) / 1000, attributesOf(req, res));
    });
    next();
  };
}

/**
 * Reports the producer's outbox depth and oldest row's age at each scrape, from Postgres: what a
 * crash or a broker away left unsent shows here. Returns the function that stops reporting.
 */
export function reportOutbox(producer: string, pool: Pool, log: Logger): () => void {
  const { meter, outboxDepth, outboxAge } = handlerInstruments();
  const attributes = { producer };
  // One query answers both gauges.
  const observe = async (result: BatchObservableResult) => {
    try {
      const { rows } = await pool.query<{ depth: string; age: number | null }>(
        `SELECT count(*) AS depth, extract(epoch FROM clock_timestamp() - min(enqueued_at))::float8 AS age
           FROM eventline.outbox WHERE producer = $1`,
        [producer],
      );
      result.observe(outboxDepth, Number(rows[0]?.depth ?? 0), attributes);
      result.observe(outboxAge, rows[0]?.age ?? 0, attributes);
    } catch (err) {
      log.debug({ err }, 'outbox depth not read for this scrape');
    }
  };
  meter.addBatchObservableCallback(observe, [outboxDepth, outboxAge]);
  return () => meter.removeBatchObservableCallback(observe, [outboxDepth, outboxAge]);
}
