import type { Router } from 'express';
import type { Event } from '@eventline/cloudevents-http';
import type { Cache } from '@eventline/cache';
import { PingSourcePing, type DataOf, type EventDefinition } from '@eventline/events';
import type { Migration, Pool, Transaction } from '@eventline/store';
import type { Logger } from '@eventline/telemetry';
import type { IdempotencyKeyOptions } from './idempotency-key';
import type { OutgoingEvent } from './outgoing-event';

export interface HandlerContext {
  /** the transaction holding the idempotency record, the state change and the outbox rows */
  tx: Transaction;
  /** for libraries that take a pool (e.g. the event store); state changes go through `tx` */
  pool: Pool;
  cache: Cache;
  log: Logger;
  /** the CloudEvent being handled */
  event: Event;
  /** work to run once the transaction committed, e.g. cache invalidation */
  afterCommit(work: () => Promise<void>): void;
}

export interface HandlerResult {
  /** answered as the HTTP response (200): re-enters the broker */
  reply?: OutgoingEvent;
  /** sent to K_SINK through the transactional outbox */
  emit?: OutgoingEvent[];
}

export interface TransactOptions {
  /**
   * Runs the work once per Idempotency-Key of the request: the key is claimed in the same
   * transaction, a repeat of the request gets the first one's result (so `result` must be plain
   * JSON), the key with another request is refused (422). A request without the header runs as
   * usual.
   */
  idempotencyKey?: IdempotencyKeyOptions;
}

/** A transaction's work: its result, and the events to send once it commits. */
export type TransactionWork<T> = (tx: Transaction) => Promise<{
  result: T;
  emit?: OutgoingEvent[];
  /** CloudEvents (as JSON attributes) re-published unchanged; needs `emits: [ANY_EVENT]` */
  forward?: Array<Record<string, unknown>>;
}>;

export interface EdgeContext {
  pool: Pool;
  cache: Cache;
  log: Logger;
  /**
   * Runs `work` in one transaction; the events it returns are written to the outbox in that
   * same transaction and sent to K_SINK after it commits.
   */
  transact<T>(work: TransactionWork<T>, options?: TransactOptions): Promise<T>;
}

/** What a periodic job's run did, as counts (timers fired, rows sent), for its log line. */
export type JobReport = Record<string, number>;

export interface JobContext extends EdgeContext {
  /** the PingSource tick that started this run */
  event: Event;
  /**
   * Sends to K_SINK, in outbox order per key, the outbox rows of every producer committed at
   * least `olderThanMs` ago that no process holds any more (what crashes left behind, once their
   * lease is over); returns how many went out.
   */
  sweepOutbox(olderThanMs: number): Promise<number>;
}

/** Any CloudEvent type: accepted by sinks such as the dead-letter store, forwarded by replays. */
export const ANY_EVENT: EventDefinition = {
  type: '*',
  schema: {},
  version: 1,
  dataschema: '*',
  versions: [],
  accepts: [],
};

export interface HandlerDefinition {
  name: string;
  /** the CloudEvent type POSTed to `/` (absent for a pure HTTP edge) */
  accepts?: EventDefinition;
  emits: EventDefinition[];
  handle?: (data: unknown, ctx: HandlerContext) => Promise<HandlerResult | void>;
  /**
   * What the handler's deduplication takes as the same delivery, beside the event's source: the
   * event's `id` by default (CloudEvents identify an event by source and id). A sink that one
   * event reaches by several routes, as a dead letter from each trigger that gave up on it, adds
   * what tells those deliveries apart.
   */
  deliveryId?: (event: Event) => string;
  /** HTTP routes of an edge service, mounted beside the CloudEvent endpoint */
  routes?: (router: Router, ctx: EdgeContext) => void;
  /** a periodic job: one run per PingSource tick (see defineJob) */
  job?: (ctx: JobContext) => Promise<JobReport | void>;
  /**
   * `redis`: Redis holds state of its own (sessions), not a cache it can do without. The local
   * system without REDIS_URL then runs it in its own process, on the one embedded stand-in.
   */
  state?: 'redis';
}

/** A handler for one CloudEvent type: validate, load, decide, persist, emit. */
export function defineHandler<E extends EventDefinition>(definition: {
  name: string;
  accepts: E;
  emits?: EventDefinition[];
  handle: (data: DataOf<E>, ctx: HandlerContext) => Promise<HandlerResult | void>;
  deliveryId?: HandlerDefinition['deliveryId'];
  routes?: HandlerDefinition['routes'];
}): HandlerDefinition {
  return {
    ...definition,
    emits: definition.emits ?? [],
    handle: definition.handle as HandlerDefinition['handle'],
  };
}

/** An HTTP edge service: commands in (emitting events), queries out. */
export function defineEdge(definition: {
  name: string;
  emits?: EventDefinition[];
  routes: NonNullable<HandlerDefinition['routes']>;
  state?: HandlerDefinition['state'];
}): HandlerDefinition {
  return { ...definition, emits: definition.emits ?? [] };
}

/**
 * A periodic job (saga timers, outbox sweep, retention): a handler of its PingSource's ticks,
 * routed as `kind: job` with a schedule in routing.yaml. Nothing runs between ticks, so the job
 * scales to zero like any handler; the state it works on lives in Postgres. Each run does what
 * is due and returns what it did. A run may repeat (a redelivered tick) or overlap the next one:
 * jobs are written so that both are harmless (rows locked with SKIP LOCKED, checkpoints locked),
 * which is why a tick takes no idempotency record.
 */
export function defineJob(definition: {
  name: string;
  emits?: EventDefinition[];
  run: NonNullable<HandlerDefinition['job']>;
  state?: HandlerDefinition['state'];
}): HandlerDefinition {
  return {
    name: definition.name,
    accepts: PingSourcePing,
    emits: definition.emits ?? [],
    job: definition.run,
    state: definition.state,
  };
}

/** A service package: one domain's schema, migrations and handlers, built into one image. */
export interface ServiceDefinition {
  package: string;
  schema: string;
  migrations: Migration[];
  /** schemas of platform libraries the service uses (e.g. the event store), migrated first */
  uses?: Array<{ schema: string; migrations: Migration[] }>;
  handlers: HandlerDefinition[];
  /**
   * The package's runtime role reaches every handler's idempotency records and outbox rows, not
   * only its own handlers' (the platform's housekeeping jobs)
   */
  everyHandlersRecords?: boolean;
}

export function defineService(definition: ServiceDefinition): ServiceDefinition {
  const names = new Set<string>();
  for (const handler of definition.handlers) {
    if (names.has(handler.name))
      throw new Error(`service ${definition.package}: handler ${handler.name} defined twice`);
    names.add(handler.name);
  }
  return definition;
}
