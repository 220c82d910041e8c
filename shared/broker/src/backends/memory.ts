import type { EventMessage } from '@eventline/cloudevents-http';
import type { Logger } from '@eventline/telemetry';
import {
  InFlightLimit,
  handleUntilDone,
  partitionFor,
  type ConsumeOptions,
  type EventLog,
  type Subscription,
} from './event-log';

interface Group {
  queues: EventMessage[][];
  draining: boolean[];
  limit: InFlightLimit;
  ordered: boolean;
  accepts: ConsumeOptions['accepts'];
  handle: (message: EventMessage) => Promise<void>;
  stopped: boolean;
  inFlight: Set<Promise<void>>;
}

/** An in-process log with Kafka's shape: partitions, consumer groups, per-partition order. */
export class MemoryEventLog implements EventLog {
  readonly kind = 'memory';
  private readonly groups = new Map<string, Group>();
  private next = 0;

  constructor(
    private readonly log: Logger,
    private readonly partitions = 4,
  ) {}

  async append(message: EventMessage): Promise<void> {
    const key = message.attributes.partitionkey;
    const partition = partitionFor(key, this.partitions, () => this.next++);
    for (const group of this.groups.values()) {
      if (group.stopped || !group.accepts(message.attributes)) continue;
      group.queues[partition]?.push(message);
      this.drain(group, partition);
    }
  }

  async subscribe(
    name: string,
    options: ConsumeOptions,
    handle: (message: EventMessage) => Promise<void>,
  ): Promise<Subscription> {
    if (this.groups.has(name)) throw new Error(`consumer group ${name} is already subscribed`);
    const group: Group = {
      queues: Array.from({ length: this.partitions }, () => []),
      draining: Array.from({ length: this.partitions }, () => false),
      limit: new InFlightLimit(options.maxInFlight),
      ordered: options.ordered,
      accepts: options.accepts,
      handle,
      stopped: false,
      inFlight: new Set(),
    };
    this.groups.set(name, group);
    return {
      stop: async () => {
        group.stopped = true;
        this.groups.delete(name);
        await Promise.allSettled([...group.inFlight]);
      },
      // The group's queues hold only what its filter took; what it refused it finished at once.
      lag: async () =>
        group.queues.reduce((sum, queue) => sum + queue.length, 0) + group.inFlight.size,
    };
  }

  private drain(group: Group, partition: number): void {
    if (group.draining[partition]) return;
    group.draining[partition] = true;
    const queue = group.queues[partition] ?? [];
    const loop = async () => {
      while (queue.length > 0 && !group.stopped) {
        const message = queue.shift() as EventMessage;
        const delivery = group.limit.run(async () => {
          await handleUntilDone(
            () => group.handle(message),
            () => group.stopped,
            this.log,
          );
        });
        group.inFlight.add(delivery);
        void delivery.finally(() => group.inFlight.delete(delivery));
        // Unordered groups hand every event to the in-flight limit, which bounds concurrency.
        if (group.ordered) await delivery;
      }
      group.draining[partition] = false;
    };
    void loop();
  }

  async close(): Promise<void> {
    const groups = [...this.groups.values()];
    this.groups.clear();
    for (const group of groups) group.stopped = true;
    await Promise.allSettled(groups.flatMap((group) => [...group.inFlight]));
  }
}
