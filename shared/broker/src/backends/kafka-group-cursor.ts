import { InFlightWork } from '@eventline/cloudevents-http';
import type { Logger } from '@eventline/telemetry';
import type { LogRecord } from './kafka-topic-reader';
import { InFlightLimit, handleUntilDone, type ConsumeOptions } from './event-log';

/** A record with the CloudEvent attributes its headers carry, decoded once for every group. */
export interface EventRecord extends LogRecord {
  attributes: Record<string, string>;
}

/**
 * Acknowledges a partition's records in order: an offset is committed only once every earlier
 * record of its partition is done, so a crash redelivers rather than skips.
 */
class PartitionProgress {
  private readonly pending: Array<{ offset: bigint; done: boolean }> = [];
  private committable?: bigint;

  track(offset: bigint): () => void {
    const entry = { offset, done: false };
    this.pending.push(entry);
    return () => {
      entry.done = true;
      while (this.pending[0]?.done) this.committable = (this.pending.shift()?.offset ?? 0n) + 1n;
    };
  }

  /** Kafka's committed offset (the next record to read) if it moved since last asked. */
  takeCommittable(): bigint | undefined {
    const offset = this.committable;
    this.committable = undefined;
    return offset;
  }
}

interface PartitionCursor {
  /** the next offset this group has not yet taken */
  next: bigint;
  /** refused a record for lack of room: takes none until it drains and has it read again */
  behind: boolean;
  progress: PartitionProgress;
  /** ordered delivery: each event waits for the previous one of its partition */
  tail: Promise<void>;
  /** this partition's deliveries in flight, waited for when it is handed to another dispatcher */
  inFlight: InFlightWork;
  /** handed to another dispatcher: records taken but not yet sent are left to the new owner */
  released: boolean;
}

const partitionCursor = (next: bigint): PartitionCursor => ({
  next,
  behind: false,
  progress: new PartitionProgress(),
  tail: Promise.resolve(),
  inFlight: new InFlightWork(),
  released: false,
});

export interface GroupCursorOptions extends ConsumeOptions {
  log: Logger;
  /** the group's starting offset per partition; none for a partition another dispatcher reads */
  start: Array<bigint | undefined>;
  deliver: (record: EventRecord) => Promise<void>;
  /** asks the shared reader to read `partition` again from `offset` */
  rewind: (partition: number, offset: bigint) => void;
  /** tells the shared reader this group has room again: it may have stopped reading for lack of it */
  resume: () => void;
}

/**
 * One consumer group's view of the shared read: which records it has taken, its deliveries in
 * flight, and the offsets it may commit. A full group refuses records instead of stopping the
 * read for every other group, and has them read again once it drains.
 */
export class GroupCursor {
  private readonly partitions: Array<PartitionCursor | undefined>;
  private readonly limit: InFlightLimit;
  private readonly backlogLimit: number;
  private readonly inFlight = new InFlightWork();
  private stopped = false;

  constructor(private readonly options: GroupCursorOptions) {
    this.partitions = options.start.map((next) =>
      next === undefined ? undefined : partitionCursor(next),
    );
    this.limit = new InFlightLimit(options.maxInFlight);
    // The in-flight limit bounds concurrent deliveries; the backlog bounds how many records wait
    // for a slot, so a slow subscriber does not pull the whole topic into memory.
    this.backlogLimit = options.maxInFlight * 16;
  }

  get hasRoom(): boolean {
    return this.inFlight.size < this.backlogLimit;
  }

  /**
   * Takes one partition's records of a fetch from `fetchedFrom`. A fetch that started past this
   * group's next offset skipped records it has not taken: it waits for the read it asked for.
   */
  offer(records: EventRecord[], fetchedFrom: bigint): void {
    if (this.stopped) return;
    for (const record of records) {
      const cursor = this.partitions[record.partition];
      if (!cursor || cursor.behind || fetchedFrom > cursor.next || record.offset < cursor.next)
        continue;
      if (!this.hasRoom) {
        cursor.behind = true;
        continue;
      }
      cursor.next = record.offset + 1n;
      this.take(cursor, record);
    }
  }

  private take(cursor: PartitionCursor, record: EventRecord): void {
    const done = cursor.progress.track(record.offset);
    if (!this.options.accepts(record.attributes)) {
      done();
      return;
    }
    this.inFlight.begin();
    cursor.inFlight.begin();
    let handled = false;
    // A failed record is never marked done: its offset, and every later one of its partition,
    // stays uncommitted until it is handled, so a restart delivers it again rather than skip it.
    // A record of a partition released meanwhile is left to the partition's new owner, which
    // delivers it from the last committed offset.
    const deliver = async () => {
      if (cursor.released) return;
      handled = await handleUntilDone(
        () => this.options.deliver(record),
        () => this.stopped || cursor.released,
        this.options.log,
        () => ({ partition: record.partition, offset: record.offset }),
      );
    };
    const settle = () => {
      if (handled) done();
      cursor.inFlight.end();
      this.inFlight.end();
      if (this.hasRoom && !this.stopped) {
        this.rewindBehindPartitions();
        this.options.resume();
      }
    };
    if (this.options.ordered) cursor.tail = cursor.tail.then(deliver).finally(settle);
    else void this.limit.run(deliver).finally(settle);
  }

  private rewindBehindPartitions(): void {
    this.partitions.forEach((cursor, partition) => {
      if (!cursor?.behind) return;
      cursor.behind = false;
      this.options.rewind(partition, cursor.next);
    });
  }

  /**
   * Takes no more records and resolves once the deliveries in flight settle, or after `waitMs`:
   * what settles in time is committed and not delivered again after a restart.
   */
  async stop(waitMs: number): Promise<void> {
    this.stopped = true;
    await this.inFlight.settled(waitMs);
  }

  /** Per partition, the offset to commit if it moved since last asked. */
  takeCommittable(): Array<{ partition: number; offset: bigint }> {
    return this.partitions.flatMap((cursor, partition) => {
      const offset = cursor?.progress.takeCommittable();
      return offset === undefined ? [] : [{ partition, offset }];
    });
  }

  /** Takes `partition`'s records from `next` on: this dispatcher was given the partition. */
  claim(partition: number, next: bigint): void {
    this.partitions[partition] = partitionCursor(next);
  }

  /**
   * Takes no more of `partition`'s records and sends none it has not sent yet, then resolves,
   * once its deliveries in flight settle or after `waitMs`, with the offset to commit if it
   * moved: the partition goes to another dispatcher, which starts from that offset.
   */
  async release(partition: number, waitMs: number): Promise<bigint | undefined> {
    const cursor = this.partitions[partition];
    if (!cursor) return undefined;
    this.partitions[partition] = undefined;
    cursor.released = true;
    await cursor.inFlight.settled(waitMs);
    return cursor.progress.takeCommittable();
  }
}
