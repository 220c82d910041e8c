import type { EventMessage } from '@eventline/cloudevents-http';

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
}

/**
 * The durable part of a broker: a partitioned log that events are appended to and consumer
 * groups read from. In memory for `npm start`, Kafka for tests and clusters; one behaviour.
 */
export interface EventLog {
  readonly kind: 'memory' | 'kafka';
  append(message: EventMessage): Promise<void>;
  /** Resolves once the group is consuming, so events appended afterwards reach it. */
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
