import type { RequestHandler } from 'express';
import { eventFromHttp } from '@eventline/cloudevents-http';
import { PingSourcePing } from '@eventline/events';
import { inSpan, requestParent, type Logger } from '@eventline/telemetry';
import type { HandlerDefinition, JobContext } from './definitions';
import { badInput } from './errors';

interface JobEndpointDeps {
  name: string;
  run: NonNullable<HandlerDefinition['job']>;
  context: Omit<JobContext, 'event'>;
  log: Logger;
}

/**
 * The endpoint a job's Trigger delivers its PingSource's ticks to: one run per tick, answered
 * 202 when it is done. A run that fails answers with its error's status, so the broker retries
 * the tick or dead-letters it with the reason.
 */
export function jobEndpoint({ name, run, context, log }: JobEndpointDeps): RequestHandler {
  return async (req, res) => {
    const event = eventFromHttp(
      req.headers,
      Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    );
    if (event.type !== PingSourcePing.type)
      throw badInput(`${name} runs on type ${PingSourcePing.type}, not ${event.type}`);
    const parent = requestParent(req.headers.traceparent, event.traceparent);
    const started = Date.now();
    const report = await inSpan(`${name} run`, parent, 'server', () => run({ ...context, event }));
    const did = Object.values(report ?? {}).some((count) => count > 0);
    // Most ticks find nothing due; those stay out of the info log.
    log[did ? 'info' : 'debug'](
      { ceId: event.id, scheduled: event.time, ms: Date.now() - started, ...report },
      'job ran',
    );
    res.status(202).end();
  };
}
