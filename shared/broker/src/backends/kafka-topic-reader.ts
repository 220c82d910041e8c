import type { Consumer, RecordsBatch } from '@platformatic/kafka' with {
  'resolution-mode': 'import',
};
import type { Logger } from '@eventline/telemetry';

/** A record as read from the log: headers decoded once, the value left for whoever accepts it. */
export interface LogRecord {
  partition: number;
  offset: bigint;
  headers: Map<string, string>;
  value: Buffer;
}

export interface TopicReaderOptions {
  consumer: Consumer<string, string, string, string>;
  topic: string;
  partitions: number;
  /** long-poll bound of an idle fetch */
  maxWaitTime: number;
  log: Logger;
  /**
   * Receives one partition's records of a fetch; `fetchedFrom` is the offset the fetch asked
   * for, which tells a consumer that asked for a rewind this is the rewound read. A read from the
   * log's start (retention deleted what came before) reports 0: nothing before it is left to read.
   */
  receive: (records: LogRecord[], fetchedFrom: bigint) => void;
  /** false while every consumer is full: fetching then would only read records to refuse */
  wantsRecords: () => boolean;
}

const EMPTY = Buffer.alloc(0);
const RETRY_DELAY_MS = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One fetch loop over the partitions of a topic this dispatcher holds: the broker reads each
 * record once for all of its triggers. Each partition is read from the lowest offset any trigger
 * still needs; triggers skip what they have already seen.
 */
export class TopicReader {
  private readonly positions: Array<bigint | undefined>;
  /** rewinds asked for while a fetch was out, applied once its records are handed on */
  private readonly rewinds = new Map<number, bigint>();
  private fetching = false;
  private running?: Promise<void>;
  private closed = false;
  private wake?: () => void;
  /** where each partition's leader is; looked up again after a failed fetch */
  private layout?: { topicId: string; leaders: number[] };
  /** each partition's first offset left, once a fetch found records before it deleted */
  private readonly logStarts = new Map<number, bigint>();

  constructor(private readonly options: TopicReaderOptions) {
    this.positions = new Array<bigint | undefined>(options.partitions).fill(undefined);
  }

  /** Makes the next fetches of `partition` start at `offset` or earlier. */
  seek(partition: number, offset: bigint): void {
    const current = this.positions[partition];
    if (current === undefined) this.positions[partition] = offset;
    else if (this.fetching) {
      const pending = this.rewinds.get(partition);
      this.rewinds.set(partition, pending === undefined || offset < pending ? offset : pending);
    } else if (offset < current) this.positions[partition] = offset;
    this.resume();
  }

  /** Stops reading `partition`; records of it still arriving from a fetch out are dropped. */
  drop(partition: number): void {
    this.positions[partition] = undefined;
    this.rewinds.delete(partition);
  }

  /** Tells a reader that waits for room that some consumer has room again. */
  resume(): void {
    this.running ??= this.loop();
    this.wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      if (!this.options.wantsRecords() || this.positions.every((p) => p === undefined)) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        await this.fetchOnce();
      } catch (err) {
        if (this.closed) return;
        this.options.log.warn({ err }, 'fetch failed; retrying');
        this.layout = undefined;
        await this.skipDeletedRecords().catch(() => undefined);
        await sleep(RETRY_DELAY_MS);
      }
    }
  }

  /** The topic's id and leaders, looked up once: a lookup per fetch cost ~3% of the broker. */
  private async topicLayout(): Promise<{ topicId: string; leaders: number[] }> {
    if (this.layout) return this.layout;
    const { consumer, topic } = this.options;
    const metadata = await consumer.metadata({ topics: [topic] });
    const topicMetadata = metadata.topics.get(topic);
    if (!topicMetadata) throw new Error(`topic ${topic} has no metadata`);
    this.layout = {
      topicId: topicMetadata.id,
      leaders: topicMetadata.partitions.map((partition) => partition.leader),
    };
    return this.layout;
  }

  private async fetchOnce(): Promise<void> {
    const { consumer } = this.options;
    const { topicId, leaders } = await this.topicLayout();
    const byLeader = new Map<number, Array<{ partition: number; fetchOffset: bigint }>>();
    this.positions.forEach((fetchOffset, partition) => {
      if (fetchOffset === undefined) return;
      const leader = leaders[partition] ?? -1;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), { partition, fetchOffset }]);
    });
    this.fetching = true;
    try {
      await Promise.all(
        [...byLeader].map(async ([leader, partitions]) => {
          const response = await consumer.fetch({
            node: leader,
            maxWaitTime: this.options.maxWaitTime,
            topics: [
              {
                topicId,
                partitions: partitions.map(({ partition, fetchOffset }) => ({
                  partition,
                  fetchOffset,
                  partitionMaxBytes: 1024 * 1024,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                })),
              },
            ],
          });
          if (this.closed) return;
          const requested = new Map(partitions.map((p) => [p.partition, p.fetchOffset]));
          for (const topicResponse of response.responses) {
            for (const partitionResponse of topicResponse.partitions) {
              const partition = partitionResponse.partitionIndex;
              const fetchedFrom = requested.get(partition) as bigint;
              this.handOn(partition, fetchedFrom, partitionResponse.records ?? []);
            }
          }
        }),
      );
    } finally {
      this.fetching = false;
      for (const [partition, offset] of this.rewinds) {
        const current = this.positions[partition];
        if (current !== undefined && offset < current) this.positions[partition] = offset;
      }
      this.rewinds.clear();
    }
  }

  private handOn(partition: number, fetchedFrom: bigint, batches: RecordsBatch[]): void {
    if (this.positions[partition] === undefined) return;
    const records: LogRecord[] = [];
    for (const batch of batches) {
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        // a fetch returns whole batches: the start of the first may precede the offset asked for
        if (offset < fetchedFrom) continue;
        const headers = new Map<string, string>();
        for (const [name, value] of record.headers) {
          if (name !== null) headers.set(name.toString(), value?.toString() ?? '');
        }
        // a record without a value (a producer outside the broker may write one) is an event without data
        records.push({ partition, offset, headers, value: record.value ?? EMPTY });
      }
      this.positions[partition] = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    }
    const start = this.logStarts.get(partition);
    const readFrom = start !== undefined && fetchedFrom <= start ? 0n : fetchedFrom;
    if (records.length > 0) this.options.receive(records, readFrom);
  }

  /** After a failed fetch: partitions positioned before the log start (retention) move up to it. */
  private async skipDeletedRecords(): Promise<void> {
    const earliest = await this.options.consumer.listOffsets({
      topics: [this.options.topic],
      timestamp: -2n,
    });
    const starts = earliest.get(this.options.topic) ?? [];
    starts.forEach((start, partition) => {
      this.logStarts.set(partition, start);
      const position = this.positions[partition];
      if (position !== undefined && position < start) this.positions[partition] = start;
    });
  }
}
