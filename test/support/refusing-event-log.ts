import type { ConsumeOptions, EventLog, Subscription } from '@eventline/broker';
import type { EventMessage } from '@eventline/cloudevents-http';

/**
 * A real event log whose appends fail while a test says so, as a Kafka cluster that refuses
 * produce requests would: everything else (consumer groups, offsets, redelivery) is the real log's.
 */
export class RefusingEventLog implements EventLog {
  private refuses: (message: EventMessage) => boolean = () => false;
  refused = 0;

  constructor(private readonly log: EventLog) {}

  get kind(): EventLog['kind'] {
    return this.log.kind;
  }

  /** Appends matching `refuses` fail until `until` (epoch ms). */
  refuseUntil(until: number, refuses: (message: EventMessage) => boolean): void {
    this.refuses = (message) => Date.now() < until && refuses(message);
  }

  async append(message: EventMessage): Promise<void> {
    if (this.refuses(message)) {
      this.refused += 1;
      throw new Error('the log refuses appends for now');
    }
    await this.log.append(message);
  }

  subscribe(
    group: string,
    options: ConsumeOptions,
    handle: (message: EventMessage) => Promise<void>,
  ): Promise<Subscription> {
    return this.log.subscribe(group, options, handle);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
