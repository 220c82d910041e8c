import type { RequestHandler } from 'express';
import { eventFromHttp, httpHeadersOf, messageOf, type Event } from '@eventline/cloudevents-http';
import type { Cache } from '@eventline/cache';
import type { EventDefinition } from '@eventline/events';
import {
  claimEvent,
  commitWithOutbox,
  inSelfCommittingTransaction,
  type OutboxClaim,
  type OutboxEntry,
  type Pool,
} from '@eventline/store';
import { inSpan, requestParent, type Logger } from '@eventline/telemetry';
import { ANY_EVENT, type HandlerDefinition } from './definitions';
import type { EmittedEvents } from './contract-samples';
import { acceptedDataValidator } from './data-validation';
import { badInput } from './errors';
import { correlationOf, toCloudEvent } from './outgoing-event';
import { markDuplicate } from './handler-metrics';

interface EndpointDeps {
  handler: HandlerDefinition & {
    accepts: EventDefinition;
    handle: NonNullable<HandlerDefinition['handle']>;
  };
  pool: Pool;
  cache: Cache;
  log: Logger;
  source: string;
  /** under which the commit holds its outbox rows for the relay to send (see OutboxClaim) */
  claim: OutboxClaim;
  /** called after a commit with the outbox rows it wrote, to send them */
  onCommitted: (outbox: OutboxEntry[]) => void;
  /** called after a first delivery's commit with the events it emitted and its reply */
  onEmitted?: EmittedEvents;
}

type StoredReply = Record<string, unknown>;

function respond(res: Parameters<RequestHandler>[1], reply: StoredReply | null): void {
  if (!reply) {
    res.status(202).end();
    return;
  }
  const message = messageOf(reply);
  res.status(200).set(httpHeadersOf(message)).send(message.body);
}

/**
 * The CloudEvent endpoint of a handler. Each event is claimed (consumer + source + delivery id,
 * the event's id unless the handler says otherwise), handled,
 * and its reply and emitted events stored, all in one transaction; a redelivery answers with the
 * stored reply. Errors surface as HandlerError kinds that the server maps to Knative's retry codes.
 */
export function cloudEventEndpoint(deps: EndpointDeps): RequestHandler {
  const { handler, pool, cache, source } = deps;
  const validateData =
    handler.accepts === ANY_EVENT ? () => undefined : acceptedDataValidator(handler.accepts);
  const emits = new Map(handler.emits.map((e) => [e.type, e]));

  return async (req, res) => {
    const event = eventFromHttp(
      req.headers,
      Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    );
    if (handler.accepts !== ANY_EVENT && event.type !== handler.accepts.type) {
      throw badInput(`${handler.name} accepts ${handler.accepts.type}, not ${event.type}`);
    }
    const problem = validateData(event.data, event.dataschema);
    if (problem) throw badInput(`${event.type} ${problem}`);

    const correlationId = correlationOf(event as unknown as Event & Record<string, unknown>);
    const log = deps.log.child({
      ceId: event.id,
      ceType: event.type,
      ceSource: event.source,
      correlationId,
    });
    // Knative carries the trace as the CloudEvent extension and as the plain HTTP header.
    const parent = requestParent(req.headers.traceparent, event.traceparent);

    await inSpan(`${handler.name} ${event.type}`, parent, 'server', async () => {
      const afterCommit: Array<() => Promise<void>> = [];
      const handled = await inSelfCommittingTransaction(pool, async (tx) => {
        const deliveryId = handler.deliveryId?.(event) ?? event.id;
        const claim = await claimEvent<StoredReply>(tx, handler.name, event.source, deliveryId);
        if (!claim.firstDelivery) {
          await tx.query('COMMIT');
          return { firstDelivery: false, reply: claim.reply, outbox: [], emitted: [] };
        }
        const result = await handler.handle(event.data, {
          tx,
          pool,
          cache,
          log,
          event,
          afterCommit: (w) => afterCommit.push(w),
        });
        const replyEvent = result?.reply
          ? toCloudEvent(result.reply, emits, source, correlationId)
          : undefined;
        const emitted = (result?.emit ?? []).map((e) =>
          toCloudEvent(e, emits, source, correlationId).toJSON(),
        );
        const reply = replyEvent ? (replyEvent.toJSON() as StoredReply) : null;
        const eventReply = reply
          ? { source: event.source, id: deliveryId, value: reply }
          : undefined;
        const outbox = await commitWithOutbox(
          tx,
          handler.name,
          emitted,
          { eventReply },
          deps.claim,
        );
        return { firstDelivery: true, reply, outbox, emitted };
      });
      if (!handled.firstDelivery) {
        log.info('duplicate delivery answered with the stored reply');
        markDuplicate(res);
        respond(res, handled.reply);
        return;
      }
      deps.onCommitted(handled.outbox);
      deps.onEmitted?.([...(handled.reply ? [handled.reply] : []), ...handled.emitted]);
      for (const work of afterCommit)
        await work().catch((err) => log.warn({ err }, 'after-commit work failed'));
      log.info({ replied: handled.reply !== null }, 'event handled');
      respond(res, handled.reply);
    });
  };
}
