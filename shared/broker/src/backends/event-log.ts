import type { EventMessage } from '@eventline/cloudevents-http';
import type { Logger } from '@eventline/telemetry';

export interface ConsumeOptions {
  /** one event at a time per partition (Knative `delivery.order: ordered`) */
  ordered: boolean;
  /** bound on events being delivered at once for this consumer group */
  maxInFlight: number;
  /**
   * The trigger's filter over the event's attributes. Records it refuses are acknowledged at
   * once: every trigger sees every event of its broker, most of them not its own.
   */
  accepts: (attributes: Record<string, string>) => boolean;
}

export interface Subscription {
  stop(): Promise<void>;
  /** records of the log the group has not finished with yet: its consumer lag */
  lag(): Promise<number>;
}

/**
 * The durable part of a broker: a partitioned log that events are appended to and consumer
 * groups read from. In memory for `npm start`, Kafka for tests and clusters; one behaviour.
 */
export interface EventLog {
  readonly kind: 'memory' | 'kafka';
  append(message: EventMessage): Promise<void>;
  /**
   * Resolves once the group is consuming, so events appended afterwards reach it. `handle`
   * rejecting means the event is not done: it stays uncommitted and is handed over again.
   */
  subscribe(
    group: string,
    options: ConsumeOptions,
    handle: (message: EventMessage) => Promise<void>,
  ): Promise<Subscription>;
  close(): Promise<void>;
}

/** Limits how many async tasks run at once. */
export class InFlightLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

/** The partition an event's `partitionkey` maps to; unkeyed events spread round-robin. */
export function partitionFor(key: unknown, partitions: number, roundRobin: () => number): number {
  if (key === undefined || key === null) return roundRobin() % partitions;
  let hash = 0;
  for (const char of String(key)) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return Math.abs(hash) % partitions;
}

/** The first wait before an event whose handling failed is handed over again, doubling to the cap. */
export const REDELIVERY_DELAY_MS = 500;
export const REDELIVERY_CAP_MS = 30_000;
const STOP_CHECK_MS = 100;

/**
 * Hands one event over until its handling succeeds, as a Kafka consumer that never commits past a
 * failed record would. Resolves true once handled; false if the group stopped first, the event
 * not done (on Kafka its offset stays uncommitted, so a restart delivers it again). `where` names
 * the event in the failure's log line; it is read only on a failure, so a delivery that succeeds
 * pays nothing for it.
 */
export async function handleUntilDone(
  handle: () => Promise<void>,
  stopped: () => boolean,
  log: Logger,
  where: () => Record<string, unknown> = () => ({}),
): Promise<boolean> {
  for (let failures = 0; ; failures += 1) {
    try {
      await handle();
      return true;
    } catch (err) {
      const waitMs = Math.min(REDELIVERY_DELAY_MS * 2 ** failures, REDELIVERY_CAP_MS);
      log.warn({ ...where(), err, waitMs }, 'event not done; it is delivered again');
      // Waits in short steps so that stopping the group is not held up by a long wait.
      for (let waited = 0; waited < waitMs; waited += STOP_CHECK_MS) {
        if (stopped()) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(STOP_CHECK_MS, waitMs)));
      }
      if (stopped()) return false;
    }
  }
}
