import { createLogger } from '@eventline/telemetry';
import { TopicReader, type LogRecord, type TopicReaderOptions } from './kafka-topic-reader';

const TOPIC = 'knative-broker-test-default';

interface StoredRecord {
  headers: Array<[Buffer | null, Buffer | null]>;
  value: Buffer | null;
}

const eventRecord = (offset: bigint): StoredRecord => ({
  headers: [[Buffer.from('ce_id'), Buffer.from(`e-${offset}`)]],
  value: Buffer.from('{}'),
});

/** A one-partition log whose records before `logStart` were deleted by retention. */
function logWith(logStart: bigint, offsets: bigint[], recordAt = eventRecord) {
  const fetchedFrom: bigint[] = [];
  let served = false;
  const consumer = {
    metadata: async () => ({
      topics: new Map([[TOPIC, { id: 'topic-id', partitions: [{ leader: 1 }] }]]),
    }),
    listOffsets: async () => new Map([[TOPIC, [logStart]]]),
    fetch: async ({
      topics,
    }: {
      topics: Array<{ partitions: Array<{ fetchOffset: bigint }> }>;
    }) => {
      const from = topics[0]?.partitions[0]?.fetchOffset ?? 0n;
      fetchedFrom.push(from);
      if (from < logStart) throw new Error('OFFSET_OUT_OF_RANGE');
      await new Promise((resolve) => setTimeout(resolve, 5));
      const records = served ? [] : offsets.filter((offset) => offset >= from);
      served = true;
      const first = records[0] ?? from;
      return {
        responses: [
          {
            topicId: 'topic-id',
            partitions: [
              {
                partitionIndex: 0,
                records:
                  records.length === 0
                    ? []
                    : [
                        {
                          firstOffset: first,
                          lastOffsetDelta: Number((records.at(-1) as bigint) - first),
                          records: records.map((offset) => ({
                            offsetDelta: Number(offset - first),
                            ...recordAt(offset),
                          })),
                        },
                      ],
              },
            ],
          },
        ],
      };
    },
  };
  return { consumer: consumer as unknown as TopicReaderOptions['consumer'], fetchedFrom };
}

/** A reader over `log` recording what it hands on: the offsets of each read and where it began. */
function readerOver(log: ReturnType<typeof logWith>) {
  const received: Array<{ offsets: bigint[]; from: bigint; records: LogRecord[] }> = [];
  const reader = new TopicReader({
    consumer: log.consumer,
    topic: TOPIC,
    partitions: 1,
    maxWaitTime: 10,
    log: createLogger('reader-test', 'silent'),
    receive: (records: LogRecord[], from) =>
      received.push({ offsets: records.map((r) => r.offset), from, records }),
    wantsRecords: () => true,
  });
  return { reader, received };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('TopicReader', () => {
  it('given records before the log start deleted, when a consumer needs one of them, then the reader moves to the log start and reports the read as covering everything before it', async () => {
    const log = logWith(5n, [5n, 6n]);
    const { reader, received } = readerOver(log);
    try {
      reader.seek(0, 2n);
      await until(() => received.length > 0);
      expect(log.fetchedFrom.slice(0, 2)).toEqual([2n, 5n]);
      expect(received[0]).toMatchObject({ offsets: [5n, 6n], from: 0n });
    } finally {
      await reader.close();
    }
  });

  it('given a consumer that asks to read again from an earlier offset, when a fetch is out, then the next fetch starts there', async () => {
    const log = logWith(0n, [0n, 1n, 2n, 3n]);
    const { reader, received } = readerOver(log);
    try {
      reader.seek(0, 2n);
      await until(() => received.length > 0);
      expect(received[0]?.offsets).toEqual([2n, 3n]);
      reader.seek(0, 1n);
      await until(() => log.fetchedFrom.includes(1n));
      expect(log.fetchedFrom).toContain(1n);
    } finally {
      await reader.close();
    }
  });

  it('given a record written outside the broker with no value and a header without value, when read, then it is handed on with empty data and an empty header', async () => {
    const log = logWith(0n, [0n], () => ({
      headers: [
        [Buffer.from('ce_id'), Buffer.from('e-0')],
        [Buffer.from('ce_note'), null],
        [null, Buffer.from('orphan')],
      ],
      value: null,
    }));
    const { reader, received } = readerOver(log);
    try {
      reader.seek(0, 0n);
      await until(() => received.length > 0);
      const [record] = received[0]?.records ?? [];
      expect(record?.value).toEqual(Buffer.alloc(0));
      expect([...(record?.headers ?? [])]).toEqual([
        ['ce_id', 'e-0'],
        ['ce_note', ''],
      ]);
    } finally {
      await reader.close();
    }
  });
});
